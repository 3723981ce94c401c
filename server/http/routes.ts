// HTTP routes (Hono): health, readiness, document listing, the demo client, and JSON errors.
import { Hono, type MiddlewareHandler } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';
import type { DocumentSummary } from '../../common/api-types.ts';
import { AppError, toAppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { DocumentStore } from '../storage/document-store.ts';
import { isTrashName } from '../documents/trash.ts';
import { documentNameOf } from './document-name.ts';

export interface RoutesOptions {
  store: DocumentStore;
  log: Logger;
  /** Directory of the built client, or null when the client is not served. */
  clientDist: string | null;
  readiness: () => { ready: boolean; reason: string };
  /** Admin API (versions, export, import, delete), mounted under /api. */
  admin?: Hono<any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the group declares its own bindings
  /** Feature route groups (metrics, change feed, webhook admin), mounted after the document API. */
  mounted?: ReadonlyArray<Hono<any>>; // eslint-disable-line @typescript-eslint/no-explicit-any -- groups declare their own bindings
  /** Runs before every route, health checks and the client included (the Host and Origin checks). */
  guard?: MiddlewareHandler;
  /** Run in order before every /api/* route (CORS, then authentication); health and the client stay open. */
  apiMiddleware?: MiddlewareHandler[];
  /** Cluster only: each document's requests (admin, change feed) run on its owner (owner-routing.ts). */
  documentRouting?: MiddlewareHandler;
}

export function createRoutes(options: RoutesOptions): Hono {
  const { store, log } = options;
  const app = new Hono();

  if (options.guard) app.use('*', options.guard);
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) => {
    const { ready, reason } = options.readiness();
    return c.json({ status: ready ? 'ready' : 'not-ready', reason }, ready ? 200 : 503);
  });

  for (const middleware of options.apiMiddleware ?? []) app.use('/api/*', middleware);
  if (options.documentRouting) {
    app.use('/api/documents/:name', options.documentRouting);
    app.use('/api/documents/:name/*', options.documentRouting);
  }

  app.get('/api/documents', async (c) => {
    const documents = await store.listDocuments();
    // Deleted documents are listed by GET /api/trash.
    return c.json({ documents: documents.filter((meta) => !isTrashName(meta.name)).map(publicMeta) });
  });

  app.get('/api/documents/:name', async (c) => {
    const name = documentNameOf(c);
    const meta = await store.getMeta(name);
    if (!meta) throw new AppError('not-found', `no document named "${name}"`);
    return c.json(publicMeta(meta));
  });

  if (options.admin) app.route('/api', options.admin);
  for (const group of options.mounted ?? []) app.route('/', group);

  if (options.clientDist) {
    const root = options.clientDist;
    app.use('/assets/*', serveStatic({ root }));
    app.get('/favicon.svg', serveStatic({ root }));
    // The service worker keeps the app shell cached, so a page reloads even while the server is down.
    app.get('/sw.js', serveStatic({ root, onFound: (_path, c) => c.header('Cache-Control', 'no-cache') }));
    // The editor routes on the client: every page path gets index.html.
    app.get('/', serveStatic({ root, path: 'index.html' }));
    app.get('/d/*', serveStatic({ root, path: 'index.html' }));
  }

  app.notFound((c) => c.json(new AppError('not-found', `no route for ${c.req.method} ${c.req.path}`).toJSON(), 404));
  app.onError((error, c) => {
    const appError = toAppError(error);
    if (appError.status >= 500) log.error({ err: error, path: c.req.path }, 'request failed');
    return c.json(appError.toJSON(), appError.status as 500);
  });
  return app;
}

function publicMeta(meta: DocumentSummary): DocumentSummary {
  return {
    name: meta.name,
    createdAt: meta.createdAt,
    updatedAt: meta.updatedAt,
    bytes: meta.bytes,
    logLength: meta.logLength,
  };
}
