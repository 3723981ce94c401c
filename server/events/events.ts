// createEvents: the event bus, the document events it publishes and the SSE change feed over it.
import type { Extension, Hocuspocus, onConfigurePayload } from '@hocuspocus/server';
import type { Hono } from 'hono';
import { corsGrant, requestPolicy } from '../auth/request-guard.ts';
import type { Config } from '../config.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { DocumentStore } from '../storage/document-store.ts';
import { ChangeFeed } from './change-feed.ts';
import { DocumentEvents } from './document-events.ts';
import { EventBus } from './event-bus.ts';
import { eventStreamRoutes } from './event-stream.ts';

export interface Events {
  /** `bus.emitEvent(type, document, data)` publishes to every subscriber: webhooks and the change feed. */
  readonly bus: EventBus;
  /** DocumentEvents and the change feed; their priorities place them around Persistence. */
  readonly extensions: Extension[];
  /** GET /api/documents/:name/events. */
  readonly routes: Array<Hono<any>>; // eslint-disable-line @typescript-eslint/no-explicit-any -- groups declare their own bindings
  /** Emits the events still waiting on their debounce; call before the subscribers close. */
  close(): Promise<void>;
}

export function createEvents(config: Config, store: Pick<DocumentStore, 'getMeta'>, metrics: Metrics): Events {
  const bus = new EventBus();
  // The Hocuspocus these extensions run in, learnt when it configures them.
  let hocuspocus: Hocuspocus | null = null;
  const feed = new ChangeFeed({
    retainedPerDocument: config.sseRetainedEvents,
    retainedTotal: 50 * config.sseRetainedEvents,
    startSeq: bus.lastSeq,
    isLoaded: (documentName) => hocuspocus?.documents.has(documentName) ?? false,
  });
  bus.subscribe(feed.onEvent);
  metrics.bindSources({ sseSubscribers: () => feed.subscriberCount });
  const documentEvents = new DocumentEvents({ events: bus, store, changedDebounceMs: config.documentChangedDebounceMs });
  const instance: Extension = {
    extensionName: 'tandem-events-instance',
    async onConfigure({ instance: running }: onConfigurePayload) {
      hocuspocus = running;
    },
  };

  // The same Host and Origin rule as the rest of the API; the stream writes its own CORS header (app.ts).
  const policy = requestPolicy(config);
  return {
    bus,
    extensions: [instance, documentEvents, feed],
    routes: [
      eventStreamRoutes({
        feed,
        metrics,
        maxQueuedEvents: config.sseMaxQueuedEvents,
        allowOrigin: (headers) => corsGrant(policy, headers),
      }),
    ],
    async close() {
      documentEvents.flushAll();
    },
  };
}
