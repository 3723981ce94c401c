// Cluster: admin requests about one document run on the instance that owns it. Elsewhere they are forwarded
// there (with the caller's own credentials, which the owner checks again) and its answer is passed back, so
// the REST API works from any instance and a restore or import reaches every client through the owner.
//
// A change-feed stream served here holds the document's lease while it is open (so this instance is where
// the document's events are made), and is ended if the lease is lost: its client resumes by Last-Event-ID at
// the new owner. A stream forwarded from another instance ends when the owner's end does.
import type { ServerResponse } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import type { Cluster } from '../cluster/cluster.ts';
import { AppError } from '../errors.ts';
import { documentNameOf } from './document-name.ts';

const FORWARDED_HEADER = 'x-tandem-forwarded';
// Hop-by-hop headers and those fetch sets itself.
const DROPPED_HEADERS = ['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', FORWARDED_HEADER];

export function ownerRouting(cluster: Cluster): MiddlewareHandler {
  const open = new Map<string, Set<ServerResponse>>();
  cluster.ownership.onLost((documentName) => {
    for (const response of open.get(documentName) ?? []) response.destroy();
  });
  return async (c, next) => {
    const documentName = documentNameOf(c);
    const forwarded = c.req.header(FORWARDED_HEADER);
    const placement = await cluster.ownership.place(documentName);
    if (placement.local) {
      // Held until the response is done: a stream (the change feed) writes on after its handler returns.
      const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
      if (!outgoing) {
        try {
          return await next();
        } finally {
          cluster.ownership.unref(documentName);
        }
      }
      let responses = open.get(documentName);
      if (!responses) open.set(documentName, (responses = new Set()));
      responses.add(outgoing);
      outgoing.once('close', () => {
        responses.delete(outgoing);
        if (responses.size === 0 && open.get(documentName) === responses) open.delete(documentName);
        cluster.ownership.unref(documentName);
      });
      return next();
    }
    // A forwarded request is not forwarded again: the owner moved meanwhile, and the caller may retry.
    if (forwarded !== undefined) throw new AppError('owner-moved', `document "${documentName}" moved to another instance; retry`);
    const target = new URL(c.req.url);
    const owner = new URL(placement.owner.url.replace(/^ws/, 'http'));
    target.protocol = owner.protocol;
    target.host = owner.host;
    const headers = new Headers(c.req.raw.headers);
    for (const name of DROPPED_HEADERS) headers.delete(name);
    // Only a marker against forwarding loops: the owner authenticates the caller's own credentials.
    headers.set(FORWARDED_HEADER, cluster.self.instance);
    const hasBody = c.req.method !== 'GET' && c.req.method !== 'HEAD';
    let response: Response;
    try {
      response = await fetch(target, { method: c.req.method, headers, body: hasBody ? await c.req.arrayBuffer() : undefined, redirect: 'manual' });
    } catch (error) {
      throw new AppError('document-unavailable', `the instance owning document "${documentName}" did not answer; retry`, { cause: error });
    }
    const answer = new Headers(response.headers);
    for (const name of DROPPED_HEADERS) answer.delete(name);
    answer.delete('content-encoding');
    return new Response(response.body, { status: response.status, headers: answer });
  };
}
