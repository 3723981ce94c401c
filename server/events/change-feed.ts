// The change feed behind SSE: per-document ring buffers of recent events and live subscriptions.
//
// A document's window is kept while the document is loaded or watched; once it is neither, the window
// is dropped (a later resume is told it missed events), so idle documents cost no memory.
import type { Extension, afterUnloadDocumentPayload } from '@hocuspocus/server';
import type { SequencedEvent } from './event-bus.ts';

export interface ChangeFeedOptions {
  /** Events kept per document for resumes. */
  retainedPerDocument: number;
  /** Events kept over all documents; the least recently active documents lose theirs first. */
  retainedTotal: number;
  /** The sequence number this run started at: older ids may name events this run never had. */
  startSeq: number;
  /** Whether a document is loaded (being edited); only loaded or watched documents keep a window. */
  isLoaded: (document: string) => boolean;
}

export type FeedItem = { kind: 'event'; sequenced: SequencedEvent } | { kind: 'missed'; afterSeq: number };

interface DocumentFeed {
  events: SequencedEvent[];
  /** Events with a sequence number up to this one may have existed and are no longer kept. */
  lostThrough: number;
  subscribers: Set<(sequenced: SequencedEvent) => void>;
}

export class ChangeFeed implements Extension {
  readonly extensionName = 'tandem-change-feed';
  // After DocumentEvents (1100) has emitted the document's last events on unload.
  readonly priority = 0;

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
    this.#highestSeq = Math.max(this.#highestSeq, sequenced.seq);
    let feed = this.#documents.get(name);
    if (!feed) {
      if (!this.#options.isLoaded(name)) {
        // Neither loaded nor watched: nobody to tell now, and no window kept for it.
        this.#lostThrough = sequenced.seq;
        return;
      }
      feed = this.#newFeed();
    }
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
        if (!this.#options.isLoaded(document)) this.#release(document);
      },
    };
  }

  async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
    this.#release(documentName);
  }

  /** Drops the window of a document nobody watches; ids up to its last event count as lost. */
  #release(document: string): void {
    const feed = this.#documents.get(document);
    if (!feed || feed.subscribers.size > 0) return;
    this.#documents.delete(document);
    this.#total -= feed.events.length;
    this.#lostThrough = Math.max(this.#lostThrough, feed.events.at(-1)?.seq ?? feed.lostThrough);
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
