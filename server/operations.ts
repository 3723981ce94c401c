// Assembles the operations features (events, webhooks, SSE feed, metrics) for createApp.
import type { Extension, Hocuspocus } from '@hocuspocus/server';
import type { Hono } from 'hono';
import type { Config } from './config.ts';
import { ChangeFeed } from './events/change-feed.ts';
import { DocumentEvents } from './events/document-events.ts';
import { EventBus, type EventEmitter } from './events/event-bus.ts';
import { eventStreamRoutes } from './http/event-stream.ts';
import { metricsRoutes } from './http/metrics-route.ts';
import { webhookAdminRoutes } from './http/webhook-admin.ts';
import { corsGrant, requestPolicy } from './auth/request-guard.ts';
import { metricsAuth } from './auth/rest-auth.ts';
import { moduleLogger, type Logger } from './log.ts';
import { MetricsExtension } from './metrics/metrics-extension.ts';
import { createMetrics, type GaugeSources, type Metrics } from './metrics/registry.ts';
import type { DocumentStore } from './storage/document-store.ts';
import type { OutboxStorage } from './webhooks/outbox.ts';
import { WebhookDispatcher } from './webhooks/dispatcher.ts';
import { WebhookOutbox } from './webhooks/outbox.ts';

export interface Operations {
  readonly metrics: Metrics;
  /** `emitEvent(type, document, data)` publishes to webhooks and the SSE change feed. */
  readonly events: EventEmitter;
  /** Hocuspocus extensions; their priorities place them around Persistence. */
  readonly extensions: Extension[];
  /** Route groups: /metrics, the change feed, the webhook admin API. */
  readonly routes: Array<Hono<any>>; // eslint-disable-line @typescript-eslint/no-explicit-any -- groups declare their own bindings
  /** Connects the scrape-time gauges and the feed to the running Hocuspocus, its documents' logs (and sockets by protocol). */
  attach(hocuspocus: Hocuspocus, documentLogs: GaugeSources['documentLogs'], connectionsByProtocol?: () => Record<string, number>): void;
  /** Emits pending events into the outbox and stops delivering; call before the store closes. */
  close(): Promise<void>;
}

export async function createOperations(
  config: Config,
  store: DocumentStore & OutboxStorage,
  log: Logger,
): Promise<Operations> {
  const metrics = createMetrics({ documentLabels: config.metricsDocumentLabels });
  const events = new EventBus();
  let hocuspocus: Hocuspocus | null = null;
  const feed = new ChangeFeed({
    retainedPerDocument: config.sseRetainedEvents,
    retainedTotal: 50 * config.sseRetainedEvents,
    startSeq: events.lastSeq,
    isLoaded: (documentName) => hocuspocus?.documents.has(documentName) ?? false,
  });
  events.subscribe(feed.onEvent);
  const { outbox, pending } = await WebhookOutbox.open(store);
  const webhooks = new WebhookDispatcher({
    outbox,
    pending,
    targets: config.webhookUrls,
    eventTypes: config.webhookEvents,
    secret: config.webhookSecret,
    allowedHosts: config.webhookAllowedHosts,
    maxAttempts: config.webhookMaxAttempts,
    backoff: { baseMs: config.webhookBackoffMs, maxMs: config.webhookBackoffMaxMs },
    timeoutMs: config.webhookTimeoutMs,
    log: moduleLogger(log, 'webhooks'),
    metrics,
  });
  events.subscribe(webhooks.onEvent);
  const documentEvents = new DocumentEvents({ events, store, changedDebounceMs: config.documentChangedDebounceMs });

  // The same Host and Origin rule as the rest of the API; the stream writes its own CORS header (app.ts).
  const policy = requestPolicy(config);
  return {
    metrics,
    events,
    extensions: [documentEvents, feed, new MetricsExtension(metrics)],
    routes: [
      metricsRoutes(metrics, metricsAuth({ auth: config.auth, adminToken: config.adminToken, metricsToken: config.metricsToken })),
      eventStreamRoutes({
        feed,
        metrics,
        maxQueuedEvents: config.sseMaxQueuedEvents,
        allowOrigin: (headers) => corsGrant(policy, headers),
      }),
      webhookAdminRoutes(webhooks),
    ],
    attach(running, documentLogs, connectionsByProtocol) {
      hocuspocus = running;
      metrics.bindSources({
        connections: connectionsByProtocol ?? (() => ({ hocuspocus: running.getConnectionsCount() })),
        documentsLoaded: () => running.getDocumentsCount(),
        documentLogs,
        webhookQueueDepth: () => webhooks.depth,
        sseSubscribers: () => feed.subscriberCount,
      });
    },
    async close() {
      documentEvents.flushAll();
      await webhooks.close();
    },
  };
}
