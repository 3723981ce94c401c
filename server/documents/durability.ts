// Durability: when an applied update is stored (the gate acks wait on), one reaction per write batch,
// storage failure reported once as a typed error.
//
// The store's group commit (storage/group-commit.ts) hands every write of one batch the same promise, and
// batches settle in write order. So "is everything applied to this document stored?" is the newest pending
// write of its log, and whatever waits on writes (acks, failure reports, latency timers) can be grouped by
// that promise: one reaction per batch, not one per update.
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { DocumentLog } from '../storage/document-store.ts';

/** Resolves when the document's applied updates are stored; null when nothing is pending. */
export type DurabilityGate = (documentName: string) => Promise<void> | null;

/** A write that storage refused: the document's updates since the last stored batch are not saved. */
export class StorageFailure extends AppError {
  readonly documentName: string;

  constructor(documentName: string, cause: unknown) {
    super('storage-failed', `updates to document "${documentName}" could not be stored`, { cause });
    this.name = 'StorageFailure';
    this.documentName = documentName;
  }
}

/**
 * Groups items by the batch promise they wait on: consecutive items that share a promise share one
 * reaction when it settles. Items keep their order, within a group and (batches settling in order) across.
 */
export class PerBatch<T> {
  #current: { batch: Promise<void>; items: T[] } | null = null;
  #stored: (items: T[]) => void;
  #failed: (error: unknown, items: T[]) => void;

  constructor(stored: (items: T[]) => void, failed: (error: unknown, items: T[]) => void) {
    this.#stored = stored;
    this.#failed = failed;
  }

  /** The batch the newest item waits on, while it is pending. */
  get pending(): Promise<void> | null {
    return this.#current?.batch ?? null;
  }

  add(batch: Promise<void>, item: T): void {
    const current = this.#current;
    if (current && current.batch === batch) {
      current.items.push(item);
      return;
    }
    const group = { batch, items: [item] };
    this.#current = group;
    batch.then(
      () => {
        if (this.#current === group) this.#current = null;
        this.#stored(group.items);
      },
      (error: unknown) => {
        if (this.#current === group) this.#current = null;
        this.#failed(error, group.items);
      },
    );
  }
}

export type StorageFailureListener = (failure: StorageFailure) => void;

interface Watched {
  log: DocumentLog;
  /** The appends' writes, by batch: a failed batch is reported once. */
  writes: PerBatch<null>;
}

/** The one place that knows what of a loaded document is stored: Persistence reports its writes here. */
export class Durability {
  #log: Logger;
  #watched = new Map<string, Watched>();
  #listeners: StorageFailureListener[] = [];

  constructor(options: { log: Logger }) {
    this.#log = options.log;
  }

  /** Resolves when every update applied so far to `documentName` is stored; null when none is pending. */
  whenDurable: DurabilityGate = (documentName) => this.#watched.get(documentName)?.log.whenDurable() ?? null;

  /** Told of every storage failure, e.g. to disconnect clients so they resend what was not saved. */
  onFailure(listener: StorageFailureListener): void {
    this.#listeners.push(listener);
  }

  /** Starts answering for a loaded document's log. */
  watch(log: DocumentLog): void {
    const documentName = log.documentName;
    // Bytes and latency of stored writes reach metrics as the store's durability events (storage/store-events.ts).
    const writes = new PerBatch<null>(
      () => undefined,
      (error) => this.failed(documentName, error),
    );
    this.#watched.set(documentName, { log, writes });
  }

  /** Stops answering for the log (the document unloaded); a newer log of the same name is left alone. */
  release(log: DocumentLog): void {
    if (this.#watched.get(log.documentName)?.log === log) this.#watched.delete(log.documentName);
  }

  /** Watches the write an append returned: its batch's failure is reported once. */
  appended(documentName: string, written: Promise<void>): void {
    this.#watched.get(documentName)?.writes.add(written, null);
  }

  /** Reports a write of `documentName` that failed (also one that threw before it was queued). */
  failed(documentName: string, error: unknown): void {
    const failure = error instanceof StorageFailure ? error : new StorageFailure(documentName, error);
    this.#log.error({ doc: documentName, err: error }, 'storing an update failed');
    for (const listener of this.#listeners) listener(failure);
  }
}
