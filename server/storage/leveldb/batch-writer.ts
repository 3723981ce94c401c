// Group commit: writes queued while a batch is in flight go out together in the next one, so an
// fsync per batch (not per update) keeps throughput while every write is still acknowledged.
import type { BatchOp, LevelDatabase } from './leveldb.ts';

/** Contributes last-moment operations (e.g. metadata) to the batch it joined. */
export interface BatchParticipant {
  finalizeBatch(ops: BatchOp[]): void;
}

interface PendingBatch {
  ops: BatchOp[];
  participants: Set<BatchParticipant>;
  done: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class BatchWriter {
  #db: LevelDatabase;
  #sync: boolean;
  #next: PendingBatch | null = null;
  #flushing = false;
  #failure: Error | null = null;
  #idle: Promise<void> = Promise.resolve();

  constructor(db: LevelDatabase, options: { sync: boolean }) {
    this.#db = db;
    this.#sync = options.sync;
  }

  /** The error that stopped all writing, if any: after a failed batch nothing more is written. */
  get failure(): Error | null {
    return this.#failure;
  }

  /** Queues operations; the promise settles when the batch holding them is in LevelDB. */
  write(ops: readonly BatchOp[], participant?: BatchParticipant): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    const batch = this.#next ?? this.#startBatch();
    for (const op of ops) batch.ops.push(op);
    if (participant) batch.participants.add(participant);
    return batch.done;
  }

  /** Joins the next batch without operations of its own: the participant adds them as the batch is sealed. */
  join(participant: BatchParticipant): Promise<void> {
    return this.write([], participant);
  }

  /** Settles once everything queued so far has been written (or has failed). */
  drain(): Promise<void> {
    return this.#next ? this.#next.done.catch(() => undefined) : this.#idle;
  }

  #startBatch(): PendingBatch {
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Callers that only fire and forget still get the error through the failure flag.
    done.catch(() => undefined);
    const batch: PendingBatch = { ops: [], participants: new Set(), done, resolve, reject };
    this.#next = batch;
    if (!this.#flushing) {
      this.#flushing = true;
      // setImmediate: gather every write of this event-loop turn (a burst of socket reads) into one batch.
      this.#idle = new Promise((settled) => setImmediate(() => void this.#flushLoop().finally(settled)));
    }
    return batch;
  }

  async #flushLoop(): Promise<void> {
    while (this.#next) {
      const batch = this.#next;
      this.#next = null;
      for (const participant of batch.participants) participant.finalizeBatch(batch.ops);
      try {
        if (this.#failure) throw this.#failure;
        await this.#db.batch(batch.ops, this.#sync);
        batch.resolve();
      } catch (error) {
        this.#failure ??= error instanceof Error ? error : new Error(String(error));
        batch.reject(this.#failure);
      }
    }
    this.#flushing = false;
  }
}
