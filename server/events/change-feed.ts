// The change feed behind SSE: per-document ring buffers of recent events and live subscriptions.
import type { SequencedEvent } from './event-bus.ts';

export interface ChangeFeedOptions {
  /** Events kept per document for resumes. */
  retainedPerDocument: number;
  /** Events kept over all documents; the least recently active documents lose theirs first. */
  retainedTotal: number;
  /** The sequence number this run started at: older ids may name events this run never had. */
  startSeq: number;
}

export type FeedItem = { kind: 'event'; sequenced: SequencedEvent } | { kind: 'missed'; afterSeq: number };

interface DocumentFeed {
  events: SequencedEvent[];
  /** Events with a sequence number up to this one may have existed and are no longer kept. */
  lostThrough: number;
  subscribers: Set<(sequenced: SequencedEvent) => void>;
}

export class ChangeFeed {
  #options: ChangeFeedOptions;
  // Map order is recency order: a document moves to the end when it gets an event.
  #documents = new Map<string, DocumentFeed>();
  #total = 0;
  #lostThrough: number;
  #highestSeq: number;
  #subscriberCount = 0;

  constructor(options: ChangeFeedOptions) {
    this.#options = options;
    this.#lostThrough = options.startSeq;
    this.#highestSeq = options.startSeq;
  }

  get subscriberCount(): number {
    return this.#subscriberCount;
  }

  /** Events retained over all documents. */
  get retained(): number {
    return this.#total;
  }

  /** The event-bus listener. */
  onEvent = (sequenced: SequencedEvent): void => {
    const name = sequenced.event.document;
    const feed = this.#documents.get(name) ?? this.#newFeed();
    this.#highestSeq = Math.max(this.#highestSeq, sequenced.seq);
    this.#documents.delete(name);
    this.#documents.set(name, feed);
    feed.events.push(sequenced);
    this.#total += 1;
    if (feed.events.length > this.#options.retainedPerDocument) this.#dropOldest(feed);
    while (this.#total > this.#options.retainedTotal) this.#evictLeastRecent();
    for (const subscriber of feed.subscribers) subscriber(sequenced);
  };

  /**
   * Subscribes to one document. `lastSeq` (from Last-Event-ID) replays what followed it; if some of
   * that is no longer kept (or the id is from another run), a `missed` item comes first.
   * Returns the replay and the function that ends the subscription.
   */
  subscribe(
    document: string,
    lastSeq: number | null,
    listener: (sequenced: SequencedEvent) => void,
  ): { replay: FeedItem[]; unsubscribe: () => void } {
    const feed = this.#documents.get(document) ?? this.#newFeed();
    if (!this.#documents.has(document)) this.#documents.set(document, feed);
    const replay: FeedItem[] = [];
    if (lastSeq !== null) {
      // Older than the window, or an id this run never issued (a previous run's, or garbage).
      if (lastSeq < feed.lostThrough || lastSeq > this.#highestSeq) {
        replay.push({ kind: 'missed', afterSeq: lastSeq });
        for (const sequenced of feed.events) replay.push({ kind: 'event', sequenced });
      } else {
        for (const sequenced of feed.events) if (sequenced.seq > lastSeq) replay.push({ kind: 'event', sequenced });
      }
    }
    feed.subscribers.add(listener);
    this.#subscriberCount += 1;
    let subscribed = true;
    return {
      replay,
      unsubscribe: () => {
        if (!subscribed) return;
        subscribed = false;
        feed.subscribers.delete(listener);
        this.#subscriberCount -= 1;
        if (feed.events.length === 0 && feed.subscribers.size === 0 && this.#documents.get(document) === feed) {
          this.#documents.delete(document);
        }
      },
    };
  }

  #newFeed(): DocumentFeed {
    return { events: [], lostThrough: this.#lostThrough, subscribers: new Set() };
  }

  #dropOldest(feed: DocumentFeed): void {
    const dropped = feed.events.shift();
    if (!dropped) return;
    feed.lostThrough = dropped.seq;
    this.#total -= 1;
  }

  #evictLeastRecent(): void {
    for (const [name, feed] of this.#documents) {
      if (feed.events.length === 0) continue;
      this.#dropOldest(feed);
      if (feed.events.length === 0 && feed.subscribers.size === 0) {
        // A document forgotten entirely: later feeds for it start out as "may have lost up to here".
        this.#lostThrough = Math.max(this.#lostThrough, feed.lostThrough);
        this.#documents.delete(name);
      }
      return;
    }
  }
}
