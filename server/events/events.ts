// createEvents: the event bus, the document events it publishes, and the SSE change feed over the stored events.
import type { Extension, Hocuspocus, onConfigurePayload } from '@hocuspocus/server';
import type { Hono } from 'hono';
import { corsGrant, requestPolicy } from '../auth/request-guard.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics/registry.ts';
import type { DocumentStore } from '../storage/document-store.ts';
import type { EventLogStore } from '../storage/event-log-store.ts';
import type { OwnershipStore } from '../storage/ownership-store.ts';
import { ChangeFeed } from './change-feed.ts';
import { DocumentEvents } from './document-events.ts';
import { EventBus } from './event-bus.ts';
import { EventSequencer } from './event-sequencer.ts';
import { eventStreamRoutes } from './event-stream.ts';

/** What the events need from storage: "was this document ever stored?", the retained events, and claims (a cluster). */
export interface EventsStore extends Pick<DocumentStore, 'getMeta'> {
  readonly events: EventLogStore;
  readonly ownership?: Pick<OwnershipStore, 'onClaimed'> | null;
}

export interface Events {
  /** `bus.emitEvent(type, document, data)` publishes to every subscriber: webhooks and the change feed. */
  readonly bus: EventBus;
  /** DocumentEvents and the change feed; their priorities place them around Persistence. */
  readonly extensions: Extension[];
  /** GET /api/documents/:name/events. */
  readonly routes: Array<Hono<any>>; // eslint-disable-line @typescript-eslint/no-explicit-any -- groups declare their own bindings
  /** Emits the events still waiting on their debounce and waits until they are stored; call before the store closes. */
  close(): Promise<void>;
}

export function createEvents(config: Config, store: EventsStore, metrics: Metrics, log: Logger): Events {
  const bus = new EventBus();
  // The Hocuspocus these extensions run in, learnt when it configures them.
  let hocuspocus: Hocuspocus | null = null;
  const sequencer = new EventSequencer({ store: store.events, retainedPerDocument: config.sseRetainedEvents, log });
  const feed = new ChangeFeed({
    retainedPerDocument: config.sseRetainedEvents,
    retainedTotal: 50 * config.sseRetainedEvents,
    isLoaded: (documentName) => hocuspocus?.documents.has(documentName) ?? false,
    sequencer,
    store: store.events,
    log,
  });
  bus.subscribe(sequencer.onEvent);
  sequencer.subscribe(feed);
  // After this instance claims a document, another may have numbered and stored events of it meanwhile.
  store.ownership?.onClaimed((document) => {
    sequencer.forget(document);
    feed.forget(document);
  });
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
      await sequencer.close();
    },
  };
}
