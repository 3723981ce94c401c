// createApp(config): wiring only: config → store → documents hub and durability → features → HTTP and WebSocket on one port.
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Hocuspocus } from '@hocuspocus/server';
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { AccessControl } from './auth/access-control.ts';
import { createVerifier, warnAboutOpenAccess } from './auth/auth-mode.ts';
import { isLoopback } from './auth/host-check.ts';
import { corsGrant, requestPolicy } from './auth/request-guard.ts';
import type { Cluster, ClusterOptions } from './cluster/cluster.ts';
import { PresenceGuard } from './auth/presence-guard.ts';
import { apiAuth } from './auth/rest-auth.ts';
import type { Config } from './config.ts';
import { AppError } from './errors.ts';
import { ConnectionLog } from './documents/connection-log.ts';
import { EditorSchemaGate } from './auth/editor-schema-gate.ts';
import { CommentMessages } from './comments/comment-messages.ts';
import { createCommentRoutes } from './comments/comment-routes.ts';
import { DocumentDeletion } from './documents/deletion.ts';
import { DocumentForwarding } from './documents/forwarding.ts';
import { DocumentRenaming, reserveNothing } from './documents/renaming.ts';
import { Trash } from './documents/trash.ts';
import { DocumentUnloading } from './documents/unloading.ts';
import { Durability } from './documents/durability.ts';
import { createHub, type Hub } from './documents/hub.ts';
import { Persistence } from './documents/persistence.ts';
import { DocumentCreation } from './documents/creation.ts';
import { createAdminRoutes } from './http/admin-routes.ts';
import { createLinkRoutes } from './sharing/link-routes.ts';
import { ShareLinks } from './sharing/share-links.ts';
import { ownerRouting } from './http/owner-routing.ts';
import { createClientAddress } from './http/client-address.ts';
import type { EventEmitter } from './events/event-bus.ts';
import { createEvents } from './events/events.ts';
import { requestGuard } from './http/request-guard.ts';
import { createRoutes } from './http/routes.ts';
import { createLogger, moduleLogger, type Logger } from './log.ts';
import { createMetrics } from './metrics/metrics.ts';
import type { Metrics } from './metrics/registry.ts';
import { FencedOut } from './storage/fenced-out.ts';
import { openStore, type Store } from './storage/open-store.ts';
import { AutoVersions } from './versions/auto-versions.ts';
import { Versions } from './versions/versions.ts';
import { createWebhooks } from './webhooks/webhooks.ts';
import { WebSocketEndpoint } from './ws/endpoint.ts';
import { awarenessGuards, findFastPathBlockers, MessageFastPath } from './ws/fast-path.ts';
import { NoEcho } from './ws/no-echo.ts';

export interface AppUrls {
  http: string;
  editor: string;
  websocket: string;
}

export interface App {
  readonly config: Config;
  readonly log: Logger;
  readonly store: Store;
  /** Owns Hocuspocus and its extensions; versions and deletion reach documents through it. */
  readonly hub: Hub;
  /** `hub.hocuspocus`, for tests and tools that inspect loaded documents. */
  readonly hocuspocus: Hocuspocus;
  readonly persistence: Persistence;
  /** What of each loaded document is stored: `whenDurable(documentName)`. */
  readonly durability: Durability;
  readonly versions: Versions;
  /** Deleted documents, restorable for --trash-days; `sweep(now)` purges what is older. */
  readonly trash: Trash;
  /** Publishes an event to webhooks and the SSE change feed: `events.emitEvent(type, document, data)`. */
  readonly events: EventEmitter;
  /** Prometheus metrics (own registry); features increment their counters here. */
  readonly metrics: Metrics;
  /** The cluster layer, when --redis-url makes this instance one of several (docs/scale-out.md). */
  readonly cluster: Cluster | null;
  /** Starts listening; resolves with the URLs actually bound (port 0 picks a free port). */
  listen(): Promise<AppUrls>;
  /** Graceful shutdown: refuse new work, close clients with 1001, store and compact, close the store. */
  close(): Promise<void>;
}

export interface AppDependencies {
  /** Root logger; tests pass one that writes to a buffer. */
  log?: Logger;
}

export async function createApp(config: Config, dependencies: AppDependencies = {}): Promise<App> {
  const log = dependencies.log ?? createLogger({ level: config.logLevel });
  // Before storage opens: a bad key file stops start-up with a message naming the setting.
  const verifier = createVerifier(config);
  warnAboutOpenAccess(config, log);
  const policy = requestPolicy(config);

  // Storage.
  const store = await openStore(config, moduleLogger(log, 'storage'));
  let draining = false;

  const clientDist = config.serveClient ? await buildClient(config, moduleLogger(log, 'client')) : null;

  // Metrics, events (with the SSE change feed) and webhooks: each brings its extensions, routes and close().
  const metrics = createMetrics(config, store);
  const events = createEvents(config, store, metrics.metrics, moduleLogger(log, 'events'));
  const webhooks = await createWebhooks(config, store.outbox, events.bus, moduleLogger(log, 'webhooks'), metrics.metrics);
  const features = [metrics, events, webhooks];

  // Documents: what is stored (durability), load/append/compact (persistence), Hocuspocus (hub). Their
  // timings reach metrics as the store's durability events (createMetrics), so no meter is passed here.
  const durability = new Durability({ log: moduleLogger(log, 'durability') });
  // Room for two of the largest messages, so the endpoint's pause at half of it always comes first.
  const preAuthBytes = Math.max(5 * 1024 * 1024, 2 * config.maxMessageBytes);
  // Established documents are counted by AccessControl; this bounds the ones still authenticating.
  const hub = createHub({ maxPendingDocuments: config.maxDocumentsPerConnection, preAuthBytes });
  const cluster = config.redisUrl && store.ownership
    ? await startCluster({ config, hub, durability, log: moduleLogger(log, 'cluster'), registry: metrics.metrics.registry, epochs: store.ownership })
    : null;
  const persistence = new Persistence({
    store,
    log: moduleLogger(log, 'persistence'),
    compactAfterUpdates: config.compactAfterUpdates,
    compactAfterBytes: config.compactAfterBytes,
    durability,
    ...(cluster ? { ownership: cluster } : {}),
  });

  // Features that reach documents through the hub; then the hub starts with every extension.
  const versions = new Versions({ hub, documents: store, versions: store.versions, log: moduleLogger(log, 'versions'), events: events.bus });
  const autoVersions = config.autoVersions
    ? new AutoVersions({
        versions,
        store: store.versions,
        log: moduleLogger(log, 'auto-versions'),
        policy: { afterUpdates: config.autoVersionAfterUpdates, afterMs: config.autoVersionAfterMs, idleMs: config.autoVersionIdleMs },
      })
    : null;
  const documentsLog = moduleLogger(log, 'documents');
  const unloading = new DocumentUnloading(hub);
  const deletion = new DocumentDeletion({ store, log: documentsLog, unloading });
  const reserve = cluster ? (name: string) => cluster.reserve(name) : reserveNothing;
  const renaming = new DocumentRenaming({ store, unloading, reserve, events: events.bus, log: documentsLog });
  const trash = new Trash({ store, unloading, reserve, retentionMs: config.trashDays * 24 * 60 * 60 * 1000, events: events.bus, log: documentsLog });
  // In --auth none everyone may edit everything already: there is nothing to share.
  const links = verifier ? new ShareLinks({ store: store.links, secret: config.linkSecret, log: moduleLogger(log, 'sharing') }) : null;
  // Each extension's `priority` places it; this list only says which run.
  hub.start([
    new AccessControl({ verifier, links, maxDocumentsPerConnection: config.maxDocumentsPerConnection, log: moduleLogger(log, 'auth') }),
    new PresenceGuard(moduleLogger(log, 'presence')),
    new EditorSchemaGate(),
    persistence,
    new NoEcho(moduleLogger(log, 'ws'), () => hub.extensions),
    new ConnectionLog(moduleLogger(log, 'connections')),
    unloading,
    new DocumentForwarding({ store, hub }),
    new CommentMessages({ whenDurable: durability.whenDurable, events: events.bus, log: moduleLogger(log, 'comments') }),
    ...(autoVersions ? [autoVersions] : []),
    ...features.flatMap((feature) => feature.extensions),
  ]);

  // Transport: WebSocket (acks wait for durability) and HTTP.
  const wsLog = moduleLogger(log, 'ws');
  const fastPathBlockers = findFastPathBlockers(hub.extensions);
  if (fastPathBlockers.length > 0) wsLog.info({ extensions: fastPathBlockers }, "updates take Hocuspocus' per-message hooks, which these extensions implement");
  const endpoint = new WebSocketEndpoint({
    hocuspocus: hub.hocuspocus,
    gate: durability.whenDurable,
    log: wsLog,
    maxMessageBytes: config.maxMessageBytes,
    isDraining: () => draining,
    maxSendBufferBytes: config.maxSendBufferBytes,
    metrics: metrics.metrics,
    requestPolicy: policy,
    maxConnectionsPerMinute: config.maxConnectionsPerMinute,
    clientAddress: createClientAddress(config.trustedProxies),
    maxMessagesPerSecond: config.maxMessagesPerSecond,
    maxThrottledMs: config.maxThrottledSeconds * 1000,
    preAuthBytes,
    maxAwarenessBytes: config.maxAwarenessBytes,
    maxDocumentBytes: config.maxDocumentBytes,
    documentBytes: (documentName) => persistence.sizeBytes(documentName),
    ...(cluster ? { cluster } : {}),
    ...(fastPathBlockers.length === 0
      ? {
          fastPath: new MessageFastPath({
            log: wsLog,
            guards: awarenessGuards(hub.extensions),
            onApplied: (seconds) => metrics.metrics.applySeconds.observe(seconds),
          }),
        }
      : {}),
  });
  metrics.countConnections(() => endpoint.connectionsByProtocol());
  // Clients reconnect and resend what was not saved. In a cluster a refused (fenced) write is the cluster's to
  // handle: the document moves, its sessions replay.
  durability.onFailure((failure) => (cluster && isFencedOut(failure.cause)) || endpoint.closeAll(new AppError('storage-failed', 'updates could not be saved; retrying later')));

  const routes = createRoutes({
    store,
    log: moduleLogger(log, 'http'),
    clientDist,
    admin: createAdminRoutes({ versions, creation: new DocumentCreation({ hub, store }), deletion, renaming, trash, maxImportBytes: config.maxDocumentBytes }),
    ...(cluster ? { documentRouting: ownerRouting(cluster) } : {}),
    readiness: () => {
      if (draining) return { ready: false, reason: 'shutting down' };
      if (!store.isOpen) return { ready: false, reason: 'storage closed' };
      if (store.failure) return { ready: false, reason: 'storage failed' };
      if (store.unavailable) return { ready: false, reason: 'storage unreachable; edits wait and are retried' };
      return cluster?.readiness() ?? { ready: true, reason: 'storage open' };
    },
    mounted: [
      createLinkRoutes(links),
      createCommentRoutes({ hub, store, whenDurable: durability.whenDurable, events: events.bus }),
      ...features.flatMap((feature) => feature.routes),
    ],
    guard: requestGuard(policy, moduleLogger(log, 'http')),
    apiMiddleware: [
      skipForEventStreams(cors({
        origin: (origin, c) => corsGrant(policy, { origin, host: c.req.header('host') }),
        allowHeaders: ['Authorization', 'Content-Type'],
        maxAge: 600,
      })),
      apiAuth({ verifier, adminToken: config.adminToken }),
    ],
  });
  const httpServer = createAdaptorServer({ fetch: routes.fetch, hostname: config.host }) as HttpServer;
  httpServer.on('upgrade', endpoint.handleUpgrade);

  let closing: Promise<void> | undefined;

  return {
    config,
    log,
    store,
    hub,
    hocuspocus: hub.hocuspocus,
    persistence,
    durability,
    versions,
    trash,
    events: events.bus,
    metrics: metrics.metrics,
    cluster,
    listen: () =>
      new Promise<AppUrls>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          httpServer.off('error', reject);
          const urls = urlsOf(httpServer.address() as AddressInfo);
          cluster?.listening(urls.websocket.replace(/\/$/, ''));
          trash.start();
          resolve(urls);
        });
      }),
    close: () => {
      closing ??= shutdown();
      return closing;
    },
  };

  async function shutdown(): Promise<void> {
    const started = performance.now();
    draining = true;
    const serverClosed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    httpServer.closeIdleConnections();
    endpoint.closeAll(new AppError('shutting-down', 'server shutting down; reconnect shortly', { bare: true }));
    // Documents unload (and compact) as their last client leaves; wait for that, bounded.
    await waitFor(() => hub.documentsCount === 0, Math.min(config.shutdownTimeoutMs / 2, 5_000));
    endpoint.terminateAll();
    links?.stop();
    await trash.stop();
    await autoVersions?.close();
    await persistence.closeAll();
    // After the documents unloaded: their leases go back now, so other instances take them at once.
    await cluster?.close();
    // Pending events go to the webhook outbox before the database closes.
    await events.close();
    await webhooks.close();
    await metrics.close();
    await store.close();
    httpServer.closeAllConnections();
    await serverClosed;
    log.info({ ms: Math.round(performance.now() - started) }, 'shut down cleanly');
  }
}

/** For the banner and start-up warnings; the Host check (server/auth/host-check.ts) owns the rule. */
export { isLoopback };

function urlsOf(address: AddressInfo): AppUrls {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const shownHost = host === '0.0.0.0' || host === '[::]' ? 'localhost' : host;
  const http = `http://${shownHost}:${address.port}`;
  return { http, editor: `${http}/`, websocket: `ws://${shownHost}:${address.port}/` };
}

async function buildClient(config: Config, log: Logger): Promise<string> {
  const { ensureClientBuilt } = await import('./http/client-build.ts');
  return ensureClientBuilt({ clientDir: config.clientDir, log });
}

async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const { Cluster } = await import('./cluster/cluster.ts');
  const cluster = new Cluster(options);
  await cluster.start();
  return cluster;
}

function isFencedOut(error: unknown): boolean {
  return error instanceof FencedOut;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}


// The change feed streams on the raw Node response; Hono's CORS middleware would make the adapter send
// headers a second time, so the stream writes its own CORS header from the same allowlist.
function skipForEventStreams(middleware: MiddlewareHandler): MiddlewareHandler {
  return (c, next) => (c.req.method === 'GET' && c.req.path.endsWith('/events') ? next() : middleware(c, next));
}
