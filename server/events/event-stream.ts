// GET /api/documents/:name/events: one document's events as Server-Sent Events, resumable by Last-Event-ID.
import type { ServerResponse } from 'node:http';
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import { AppError } from '../errors.ts';
import type { ChangeFeed, FeedItem } from './change-feed.ts';
import type { RequestHeaders } from '../auth/request-guard.ts';
import type { Metrics } from '../metrics/registry.ts';
import { documentNameOf } from '../http/document-name.ts';

export interface EventStreamOptions {
  feed: ChangeFeed;
  /** The Access-Control-Allow-Origin value for a request's Origin (sent to its Host), or null for none. */
  allowOrigin?: (headers: RequestHeaders) => string | null;
  metrics: Metrics;
  /** A reader this many events behind (not taken by its socket) is dropped. */
  maxQueuedEvents: number;
  /** A comment line this often keeps proxies from closing a quiet stream. */
  keepAliveMs?: number;
}

export function eventStreamRoutes(options: EventStreamOptions): Hono<{ Bindings: HttpBindings }> {
  const app = new Hono<{ Bindings: HttpBindings }>();
  app.get('/api/documents/:name/events', (c) => {
    const name = documentNameOf(c);
    const lastEventId = c.req.header('last-event-id') ?? c.req.query('lastEventId');
    const lastSeq = lastEventId === undefined || lastEventId === '' ? null : Number(lastEventId);
    if (lastSeq !== null && !Number.isSafeInteger(lastSeq)) throw new AppError('bad-request', 'Last-Event-ID must be an event id from this stream');
    stream(c.env.outgoing, name, lastSeq, options, options.allowOrigin?.({ host: c.req.header('host'), origin: c.req.header('origin') }) ?? null);
    return RESPONSE_ALREADY_SENT;
  });
  return app;
}

// The raw Node response gives what a web ReadableStream hides: whether the socket took the bytes.
function stream(
  response: ServerResponse,
  document: string,
  lastSeq: number | null,
  options: EventStreamOptions,
  allowedOrigin: string | null,
): void {
  const { feed, metrics, maxQueuedEvents } = options;
  // The stream answers on the raw response, so it writes its CORS header itself (see app.ts).
  if (allowedOrigin) response.setHeader('access-control-allow-origin', allowedOrigin);
  if (allowedOrigin) response.setHeader('vary', 'Origin');
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  response.write('retry: 2000\n\n');

  const queue: string[] = [];
  let blocked = false;
  const send = (chunk: string) => {
    // Between a reset and its 'close' event, events may still arrive: there is nobody to write to.
    if (response.destroyed) return;
    if (blocked) queue.push(chunk);
    else blocked = !response.write(chunk);
  };
  response.on('drain', () => {
    blocked = false;
    while (!blocked && queue.length > 0) blocked = !response.write(queue.shift() as string);
  });

  let dropped = false;
  const { unsubscribe } = feed.subscribe(document, lastSeq, (item, live) => {
    if (dropped) return;
    // A resume's replay is written whatever the queue holds: it is bounded by the retained window.
    if (live && queue.length >= maxQueuedEvents) {
      // Never buffer without bound for a reader that stopped reading: it reconnects with Last-Event-ID.
      dropped = true;
      queue.length = 0;
      metrics.sseDropped.inc();
      response.destroy();
      return;
    }
    send(formatItem(item));
  });

  const keepAlive = setInterval(() => send(': keep-alive\n\n'), options.keepAliveMs ?? 15_000);
  keepAlive.unref();
  const end = () => {
    clearInterval(keepAlive);
    unsubscribe();
  };
  response.once('close', end);
  // A write to a reset connection reports here; the stream is over either way.
  response.once('error', end);
}

/** One SSE message: the event type as `event:`, the sequence number as `id:`, the envelope as `data:`. */
export function formatItem(item: FeedItem): string {
  if (item.kind === 'missed') {
    const data = JSON.stringify({ lastEventId: String(item.afterSeq), reason: 'events after this id are no longer retained; reload the document state' });
    return `event: missed\ndata: ${data}\n\n`;
  }
  const { seq, event } = item.sequenced;
  return `id: ${seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}
