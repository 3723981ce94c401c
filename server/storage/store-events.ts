// What a store reports about durability as it happens (appends stored, compactions), for whoever watches.
import type { DocumentLog } from './document-store.ts';

/** Called synchronously by the store; a listener must be cheap and must not throw. */
export interface DurabilityEvents {
  /** A document's log opened; its figures (logLength, logBytes) may be read until it is `closed`. */
  opened(log: DocumentLog): void;
  /** An update of `bytes` was appended to the document's log; it is not stored yet. */
  appended(documentName: string, bytes: number): void;
  /** An appended update of `bytes` is stored, `seconds` after it was appended. */
  persisted(documentName: string, seconds: number, bytes: number): void;
  /** A write holding `bytes` of appended updates failed: they will never be stored. */
  persistFailed(documentName: string, bytes: number): void;
  /** A compaction is stored, `seconds` after it was asked for. */
  compacted(documentName: string, seconds: number): void;
  /** The log closed, once its last write settled. */
  closed(log: DocumentLog): void;
}

/** A store whose durability can be watched. */
export interface DurabilitySource {
  /** Adds a listener; returns the function that removes it. */
  observeDurability(listener: DurabilityEvents): () => void;
}

/** The listeners of one store; a store with none skips the timing. */
export class DurabilityListeners implements DurabilityEvents {
  #listeners: DurabilityEvents[] = [];

  get active(): boolean {
    return this.#listeners.length > 0;
  }

  add(listener: DurabilityEvents): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((other) => other !== listener);
    };
  }

  opened(log: DocumentLog): void {
    for (const listener of this.#listeners) listener.opened(log);
  }

  appended(documentName: string, bytes: number): void {
    for (const listener of this.#listeners) listener.appended(documentName, bytes);
  }

  persisted(documentName: string, seconds: number, bytes: number): void {
    for (const listener of this.#listeners) listener.persisted(documentName, seconds, bytes);
  }

  persistFailed(documentName: string, bytes: number): void {
    for (const listener of this.#listeners) listener.persistFailed(documentName, bytes);
  }

  compacted(documentName: string, seconds: number): void {
    for (const listener of this.#listeners) listener.compacted(documentName, seconds);
  }

  closed(log: DocumentLog): void {
    for (const listener of this.#listeners) listener.closed(log);
  }
}

/** Appends that share one write (a group-commit batch): reported together when it settles. */
interface PendingWrite {
  written: Promise<void>;
  /** performance.now() and size of each append. */
  appendedAt: number[];
  sizes: number[];
}

/** Reports one log's appends as `appended`, then `persisted` or `persistFailed` when their write settles. */
export class AppendReporter {
  #documentName: string;
  #events: DurabilityListeners;
  #pending: PendingWrite | null = null;

  constructor(documentName: string, events: DurabilityListeners) {
    this.#documentName = documentName;
    this.#events = events;
  }

  /** `written` is the promise the append returned; `appendedAt` is performance.now() at the append. */
  appended(written: Promise<void>, bytes: number, appendedAt: number): void {
    if (!this.#events.active) return;
    this.#events.appended(this.#documentName, bytes);
    let pending = this.#pending;
    // The updates of one batch share a promise: one reaction for the batch, not one per update.
    if (pending === null || pending.written !== written) {
      pending = { written, appendedAt: [], sizes: [] };
      this.#pending = pending;
      this.#settleWith(pending);
    }
    pending.appendedAt.push(appendedAt);
    pending.sizes.push(bytes);
  }

  #settleWith(pending: PendingWrite): void {
    pending.written.then(
      () => {
        if (this.#pending === pending) this.#pending = null;
        const storedAt = performance.now();
        for (let i = 0; i < pending.sizes.length; i++) {
          this.#events.persisted(this.#documentName, (storedAt - (pending.appendedAt[i] as number)) / 1000, pending.sizes[i] as number);
        }
      },
      // The writer of the append reports the failure through the promise it got; here only the figures move.
      () => {
        if (this.#pending === pending) this.#pending = null;
        this.#events.persistFailed(this.#documentName, pending.sizes.reduce((sum, size) => sum + size, 0));
      },
    );
  }
}
