// createWebhooks: the durable outbox, the dispatcher subscribed to the event bus, and the admin routes.
import type { Extension } from '@hocuspocus/server';
import type { Hono } from 'hono';
import type { Config } from '../config.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { OutboxStore } from '../storage/outbox-store.ts';
import { WebhookDispatcher } from './dispatcher.ts';
import { WebhookOutbox } from './outbox.ts';
import { webhookAdminRoutes } from './webhook-admin.ts';

export interface Webhooks {
  /** None today: webhooks hear of changes through the event bus. */
  readonly extensions: Extension[];
  /** The webhook admin API: dead letters, retry. */
  readonly routes: Hono[];
  /** Stops delivering; what is not delivered stays in the outbox for the next run. */
  close(): Promise<void>;
}

/** Opens the outbox (deliveries nobody holds, left by the last run or a dead instance, resume) and subscribes the dispatcher to `events`. */
export async function createWebhooks(
  config: Config,
  outboxStore: OutboxStore,
  events: Pick<EventBus, 'subscribe'>,
  log: Logger,
  metrics: Metrics,
): Promise<Webhooks> {
  // Held past its due time by a send (at most the timeout) and the write of its outcome; an instance silent
  // for longer is taken for dead, and another sends the delivery again (at least once).
  const outbox = new WebhookOutbox(outboxStore, { holdMs: 2 * config.webhookTimeoutMs + 10_000 });
  const dispatcher = new WebhookDispatcher({
    outbox,
    targets: config.webhookUrls,
    eventTypes: config.webhookEvents,
    secret: config.webhookSecret,
    allowedHosts: config.webhookAllowedHosts,
    maxAttempts: config.webhookMaxAttempts,
    backoff: { baseMs: config.webhookBackoffMs, maxMs: config.webhookBackoffMaxMs },
    timeoutMs: config.webhookTimeoutMs,
    log,
    metrics,
  });
  events.subscribe(dispatcher.onEvent);
  metrics.bindSources({ webhookQueueDepth: () => dispatcher.depth });
  return {
    extensions: [],
    routes: [webhookAdminRoutes(dispatcher)],
    close: () => dispatcher.close(),
  };
}
