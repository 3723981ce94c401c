// Numbers each document's events 1, 2, 3, … above what the store holds, stores them, and passes each on once stored.
//
// Why only once stored: an id a subscriber has seen must never name a different event later. Sent before its
// commit, an event lost in a crash would leave its number free, the next run would give it to another event,
// and a client resuming from that id would silently skip the new one. Sent after, every id a client sees names
// a stored event (until trimmed), so a resume, here after a restart or on another instance, finds exactly what
// followed. The price is the latency of one group commit, shared with the documents' own writes; emitting never
// waits (webhooks get the event at once). A crash loses only events not yet committed, which nobody has seen;
// their numbers are given out again.
//
// In a cluster the numbers of a document move with its ownership: after this instance claims a document it
// reads them again (forget), and an event another instance already stored under a number is refused by the
// store (FencedOut), never overwritten; the numbers are then read again too.
import type { Logger } from '../log.ts';
import { FencedOut } from '../storage/fenced-out.ts';
import type { EventLogStore, LoggedEvent } from '../storage/event-log-store.ts';
import type { SequencedEvent, TandemEvent } from './event-bus.ts';

export interface SequencerListener {
  /** An event is stored; called in sequence order per document. */
  stored(sequenced: SequencedEvent): void;
  /** Events of a document could not be numbered or stored and are not passed on: watchers missed them. */
  lost(document: string): void;
}

export interface EventSequencerOptions {
  store: EventLogStore;
  /** Events kept in storage per document (at least 1, so the highest number always survives a trim). */
  retainedPerDocument: number;
  log: Logger;
}

interface DocumentSequence {
  document: string;
  /** The number the next event gets; null until the stored highest has been read. */
  nextSeq: number | null;
  /** Counts forget() calls: a read of the stored numbers started before one is stale. */
  generation: number;
  /** Reading the stored highest and oldest numbers, when under way; settles with the error if it failed. */
  loading: Promise<Error | null> | null;
  /** The highest number stored and passed on. */
  storedSeq: number;
  /** The oldest number still stored, as far as this run knows: decides when to trim. */
  oldestSeq: number;
  /** Events that came while the stored highest was being read; numbered once it is known. */
  waiting: TandemEvent[];
  /** Events numbered in this turn; appended together at its end. */
  unsent: SequencedEvent[];
  /** Appends not yet settled. */
  inFlight: number;
  /** Holders (the change feed while it keeps a window): a held document's numbers stay in memory. */
  holds: number;
}

export class EventSequencer {
  #options: EventSequencerOptions;
  #documents = new Map<string, DocumentSequence>();
  #listeners = new Set<SequencerListener>();
  /** Appends, reads and trims under way, which close() waits for. */
  #pending = new Set<Promise<unknown>>();
  #closed = false;
  #reportedFailure = false;

  constructor(options: EventSequencerOptions) {
    this.#options = options;
  }

  /** The event-bus listener: numbers the event now if its document's numbers are known, else once they are. */
  onEvent = (event: TandemEvent): void => {
    // After close the store is closing and SSE streams are gone: an event now has nobody to reach.
    if (this.#closed) return;
    const sequence = this.#sequence(event.document);
    if (sequence.nextSeq === null) {
      sequence.waiting.push(event);
      // A failure is reported by #load itself (the waiting events are dropped and watchers told).
      void this.#load(sequence);
      return;
    }
    this.#number(sequence, event);
  };

  /** The highest number of a document stored and passed on (read from the store when not in memory). */
  async storedSeq(document: string): Promise<number> {
    const sequence = this.#sequence(document);
    try {
      const failed = sequence.nextSeq === null ? await this.#load(sequence) : null;
      if (failed) throw failed;
      return sequence.storedSeq;
    } finally {
      this.#releaseIfIdle(sequence);
    }
  }

  /** Registers a listener for stored and lost events; returns the function that removes it. */
  subscribe(listener: SequencerListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Keeps a document's numbers in memory until `release`: its events come often enough to be worth it. */
  hold(document: string): void {
    this.#sequence(document).holds += 1;
  }

  release(document: string): void {
    const sequence = this.#documents.get(document);
    if (!sequence) return;
    sequence.holds = Math.max(0, sequence.holds - 1);
    this.#releaseIfIdle(sequence);
  }

  /**
   * Reads a document's numbers from the store again before its next event: another instance may have
   * stored events of it meanwhile (it owned the document). Call after claiming a document.
   */
  forget(document: string): void {
    const sequence = this.#documents.get(document);
    if (!sequence) return;
    sequence.nextSeq = null;
    sequence.generation += 1;
  }

  /** Stops taking events and waits for the appends and trims under way (before the store closes). */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #sequence(document: string): DocumentSequence {
    let sequence = this.#documents.get(document);
    if (!sequence) {
      sequence = { document, nextSeq: null, generation: 0, loading: null, storedSeq: 0, oldestSeq: 0, waiting: [], unsent: [], inFlight: 0, holds: 0 };
      this.#documents.set(document, sequence);
    }
    return sequence;
  }

  /** Reads where a document's numbers stand; resolves with the error if that failed (the next event tries again). */
  #load(sequence: DocumentSequence): Promise<Error | null> {
    const { store } = this.#options;
    const generation = sequence.generation;
    sequence.loading ??= this.#track(
      Promise.all([store.highestSeq(sequence.document), store.read(sequence.document, 0, 1)]).then(
        ([highest, [oldest]]) => {
          sequence.loading = null;
          // Forgotten while reading: what was read may predate another instance's events.
          if (sequence.generation !== generation) return this.#load(sequence);
          sequence.nextSeq = highest + 1;
          sequence.storedSeq = highest;
          sequence.oldestSeq = oldest?.seq ?? highest + 1;
          for (const event of sequence.waiting.splice(0)) this.#number(sequence, event);
          this.#releaseIfIdle(sequence);
          return null;
        },
        (error: unknown) => {
          sequence.loading = null;
          const dropped = sequence.waiting.splice(0);
          if (dropped.length > 0) {
            this.#options.log.warn(
              { err: error, doc: sequence.document, dropped: dropped.length },
              'the change feed could not read where the document’s event numbers stand; these events are not sent to SSE subscribers',
            );
            for (const listener of this.#listeners) listener.lost(sequence.document);
          }
          this.#releaseIfIdle(sequence);
          return error instanceof Error ? error : new Error(String(error));
        },
      ),
    );
    return sequence.loading;
  }

  #number(sequence: DocumentSequence, event: TandemEvent): void {
    const seq = sequence.nextSeq as number;
    sequence.nextSeq = seq + 1;
    // One append per document per turn: a burst (many clients connecting) is one statement, not one each.
    if (sequence.unsent.push({ seq, event }) === 1) queueMicrotask(() => this.#append(sequence));
  }

  #append(sequence: DocumentSequence): void {
    const batch = sequence.unsent.splice(0);
    const logged: LoggedEvent[] = batch.map(({ seq, event }) => ({ seq, body: JSON.stringify(event) }));
    sequence.inFlight += 1;
    // Batches commit and settle in order, so `stored` is called in sequence order.
    this.#track(
      this.#options.store.append(sequence.document, logged).then(
        () => {
          sequence.inFlight -= 1;
          for (const sequenced of batch) {
            // Numbers read again meanwhile (forget) may already be past these.
            sequence.storedSeq = Math.max(sequence.storedSeq, sequenced.seq);
            for (const listener of this.#listeners) listener.stored(sequenced);
          }
          this.#trimIfDue(sequence);
          this.#releaseIfIdle(sequence);
        },
        (error: unknown) => {
          sequence.inFlight -= 1;
          if (error instanceof FencedOut) {
            // Refused, and the store goes on: another instance stored events of this document (or its batch
            // was refused for another document's sake). None of these was stored or sent, so their numbers
            // may be given out again; the next event reads where the stored numbers stand.
            this.#options.log.warn({ err: error, doc: sequence.document, lost: batch.length }, 'change-feed events were refused (fenced out); SSE subscribers are told they missed them');
            this.forget(sequence.document);
          } else if (!this.#reportedFailure) {
            // Any other failed write stops the store for good (both backends): later numbers are never stored
            // either, so none is given out twice. Tandem reports the failure elsewhere; one line here says what it costs.
            this.#reportedFailure = true;
            this.#options.log.error({ err: error, doc: sequence.document }, 'change-feed events could not be stored; SSE subscribers are told they missed them');
          }
          for (const listener of this.#listeners) listener.lost(sequence.document);
          this.#releaseIfIdle(sequence);
        },
      ),
    );
  }

  /** Trims once a quarter more than the retained count is stored, so trims stay rare and cheap. */
  #trimIfDue(sequence: DocumentSequence): void {
    const keep = this.#options.retainedPerDocument;
    if (sequence.storedSeq - sequence.oldestSeq + 1 <= keep + Math.ceil(keep / 4)) return;
    sequence.oldestSeq = sequence.storedSeq - keep + 1;
    this.#track(
      this.#options.store.trim(sequence.document, keep).catch((error: unknown) => {
        // Harmless for now (the next trim takes these too), but the store is probably failing.
        this.#options.log.warn({ err: error, doc: sequence.document }, 'old change-feed events could not be trimmed');
      }),
    );
  }

  /** Forgets a document's numbers once nothing holds or awaits them: the next event reads them again. */
  #releaseIfIdle(sequence: DocumentSequence): void {
    const idle = sequence.holds === 0 && sequence.inFlight === 0 && sequence.loading === null && sequence.waiting.length === 0 && sequence.unsent.length === 0;
    if (idle && this.#documents.get(sequence.document) === sequence) this.#documents.delete(sequence.document);
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#pending.add(promise);
    const forget = () => this.#pending.delete(promise);
    promise.then(forget, forget);
    return promise;
  }
}
