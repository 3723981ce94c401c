// The change feed behind SSE: live subscriptions, and resumes from an in-memory window or from the stored events.
//
// Events arrive once stored (EventSequencer). A loaded or watched document keeps its newest events in memory,
// so live subscribers and most resumes never touch storage; a resume the memory cannot answer (after a restart,
// for an idle document, from further back) reads the store. Older than the retained window: a `missed` item.
import type { Extension, afterUnloadDocumentPayload } from '@hocuspocus/server';
import type { Logger } from '../log.ts';
import type { EventLogStore } from '../storage/event-log-store.ts';
import type { SequencedEvent, TandemEvent } from './event-bus.ts';
import type { EventSequencer, SequencerListener } from './event-sequencer.ts';

export interface ChangeFeedOptions {
  /** Events a resume can get per document (what storage retains; the newest this many). */
  retainedPerDocument: number;
  /** Events kept in memory over all documents; the least recently active documents lose theirs first. */
  retainedTotal: number;
  /** Whether a document is loaded (being edited); only loaded or watched documents keep a window. */
  isLoaded: (document: string) => boolean;
  sequencer: Pick<EventSequencer, 'storedSeq' | 'hold' | 'release'>;
  store: Pick<EventLogStore, 'read'>;
  log: Logger;
}

export type FeedItem = { kind: 'event'; sequenced: SequencedEvent } | { kind: 'missed'; afterSeq: number };

/** Receives a subscription's items in order; `live` is false for the replay of a resume. */
export type FeedDelivery = (item: FeedItem, live: boolean) => void;

interface Subscriber {
  deliver: FeedDelivery;
  /** Live items held back while a resume reads the store; null once they flow directly. */
  held: FeedItem[] | null;
  /** The newest sequence number sent, for the `missed` item of events lost on the way. */
  lastSeq: number | null;
}

interface DocumentFeed {
  events: SequencedEvent[];
  /** Every stored event numbered above this is in `events`; null until the window saw its first event. */
  completeAfter: number | null;
  subscribers: Set<Subscriber>;
}

export class ChangeFeed implements Extension, SequencerListener {
  readonly extensionName = 'tandem-change-feed';
  // After DocumentEvents (1100) has emitted the document's last events on unload.
  readonly priority = 0;

  #options: ChangeFeedOptions;
  // Map order is recency order: a document moves to the end when it gets an event.
  #documents = new Map<string, DocumentFeed>();
  #total = 0;
  #subscriberCount = 0;

  constructor(options: ChangeFeedOptions) {
    this.#options = options;
  }

  get subscriberCount(): number {
    return this.#subscriberCount;
  }

  /** Events retained in memory over all documents. */
  get retained(): number {
    return this.#total;
  }

  /** The sequencer's listener: an event is stored. */
  stored(sequenced: SequencedEvent): void {
    const name = sequenced.event.document;
    let feed = this.#documents.get(name);
    if (!feed) {
      // Neither loaded nor watched: nobody to tell now, and a resume reads the store.
      if (!this.#options.isLoaded(name)) return;
      feed = this.#newFeed(name);
    }
    this.#documents.delete(name);
    this.#documents.set(name, feed);
    feed.completeAfter ??= sequenced.seq - 1;
    feed.events.push(sequenced);
    this.#total += 1;
    if (feed.events.length > this.#options.retainedPerDocument) this.#dropOldest(feed);
    while (this.#total > this.#options.retainedTotal) this.#evictLeastRecent();
    for (const subscriber of feed.subscribers) this.#send(subscriber, { kind: 'event', sequenced }, true);
  }

  /** The sequencer's listener: events of a document were not stored, so nobody gets them; watchers are told. */
  lost(document: string): void {
    const feed = this.#documents.get(document);
    if (!feed) return;
    for (const subscriber of feed.subscribers) this.#send(subscriber, { kind: 'missed', afterSeq: subscriber.lastSeq ?? 0 }, true);
  }

  /**
   * Subscribes to one document. With `lastSeq` (from Last-Event-ID), what followed it is replayed first; if some
   * of that is no longer retained (or the id was never issued), a `missed` item comes first. The replay may
   * come after this returns (it may read the store); live events wait behind it. `ready` settles once it is sent.
   */
  subscribe(document: string, lastSeq: number | null, deliver: FeedDelivery): { ready: Promise<void>; unsubscribe: () => void } {
    const feed = this.#documents.get(document) ?? this.#newFeed(document);
    const subscriber: Subscriber = { deliver, held: null, lastSeq };
    feed.subscribers.add(subscriber);
    this.#subscriberCount += 1;
    let subscribed = true;
    const unsubscribe = () => {
      if (!subscribed) return;
      subscribed = false;
      feed.subscribers.delete(subscriber);
      this.#subscriberCount -= 1;
      if (!this.#options.isLoaded(document)) this.#release(document);
    };

    let ready = Promise.resolve();
    if (lastSeq !== null) {
      const newest = feed.events.at(-1)?.seq ?? feed.completeAfter;
      if (feed.completeAfter !== null && newest !== null && lastSeq >= feed.completeAfter && lastSeq <= newest) {
        for (const sequenced of feed.events) if (sequenced.seq > lastSeq) this.#send(subscriber, { kind: 'event', sequenced }, false);
      } else {
        subscriber.held = [];
        ready = this.#replayFromStore(document, lastSeq).then((replay) => {
          if (!subscribed) return;
          const held = subscriber.held ?? [];
          subscriber.held = null;
          let replayedUpTo = -Infinity;
          for (const item of replay) {
            if (item.kind === 'event') replayedUpTo = item.sequenced.seq;
            this.#send(subscriber, item, false);
          }
          // Live events stored while the store was read may be in the replay too.
          for (const item of held) if (item.kind === 'missed' || item.sequenced.seq > replayedUpTo) this.#send(subscriber, item, true);
        });
      }
    }
    return { ready, unsubscribe };
  }

  /**
   * Another instance may have stored events of the document meanwhile (it owned it): the window is no longer
   * complete, so resumes read the store, and live subscribers are told they may have missed some.
   */
  forget(document: string): void {
    const feed = this.#documents.get(document);
    if (!feed) return;
    this.#total -= feed.events.length;
    feed.events = [];
    feed.completeAfter = null;
    for (const subscriber of feed.subscribers) this.#send(subscriber, { kind: 'missed', afterSeq: subscriber.lastSeq ?? 0 }, true);
  }

  async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
    this.#release(documentName);
  }

  /** The items a resume from `lastSeq` gets from storage: the retained events after it, `missed` first if it must. */
  async #replayFromStore(document: string, lastSeq: number): Promise<FeedItem[]> {
    const { sequencer, store, retainedPerDocument: retained } = this.#options;
    try {
      const highest = await sequencer.storedSeq(document);
      const windowStart = Math.max(0, highest - retained);
      // An id never issued (a future one, another document's, garbage): tell and replay the whole window.
      const unknown = lastSeq < 0 || lastSeq > highest;
      const from = unknown ? windowStart : Math.max(lastSeq, windowStart);
      const events = await store.read(document, from, retained);
      // Older than the window, or its successors are gone (trimmed meanwhile, or the document was deleted).
      const missed = unknown || lastSeq < windowStart || (events.length > 0 ? events[0]!.seq !== lastSeq + 1 : lastSeq < highest);
      const items: FeedItem[] = missed ? [{ kind: 'missed', afterSeq: lastSeq }] : [];
      for (const { seq, body } of events) items.push({ kind: 'event', sequenced: { seq, event: JSON.parse(body) as TandemEvent } });
      return items;
    } catch (error) {
      // Recover: the subscriber is told it may have missed events (it reloads the document) and goes on live.
      this.#options.log.warn({ err: error, doc: document, lastSeq }, 'stored change-feed events could not be read for a resume; it is told it missed events');
      return [{ kind: 'missed', afterSeq: lastSeq }];
    }
  }

  #send(subscriber: Subscriber, item: FeedItem, live: boolean): void {
    if (live && subscriber.held) {
      subscriber.held.push(item);
      return;
    }
    if (item.kind === 'event') subscriber.lastSeq = item.sequenced.seq;
    subscriber.deliver(item, live);
  }

  /** Drops the window of a document nobody watches. */
  #release(document: string): void {
    const feed = this.#documents.get(document);
    if (!feed || feed.subscribers.size > 0) return;
    this.#documents.delete(document);
    this.#total -= feed.events.length;
    this.#options.sequencer.release(document);
  }

  #newFeed(document: string): DocumentFeed {
    const feed: DocumentFeed = { events: [], completeAfter: null, subscribers: new Set() };
    this.#documents.set(document, feed);
    this.#options.sequencer.hold(document);
    return feed;
  }

  #dropOldest(feed: DocumentFeed): void {
    const dropped = feed.events.shift();
    if (!dropped) return;
    feed.completeAfter = dropped.seq;
    this.#total -= 1;
  }

  #evictLeastRecent(): void {
    for (const [name, feed] of this.#documents) {
      if (feed.events.length === 0) continue;
      this.#dropOldest(feed);
      if (feed.events.length === 0 && feed.subscribers.size === 0) this.#release(name);
      return;
    }
  }
}
