// Group commit, for every backend: writes queued while a batch is being written go out together in the next
// one, so one flush (fsync or COMMIT) covers many updates while every write is still acknowledged only once
// stored. A backend says how a batch is built and written; after a batch fails, nothing more is written,
// except when it was refused by fencing (FencedOut): that batch alone fails.
import { FencedOut } from './fenced-out.ts';

/** Contributes last-moment writes (a document's log record, its metadata) to the batch it joined. */
export interface BatchParticipant<Batch> {
  finalizeBatch(batch: Batch): void;
  /**
   * Told, before any later batch is sealed, that the batch it joined was refused: nothing of it was
   * stored, while writing goes on.
   */
  batchRefused?(refusal: FencedOut): void;
}

interface PendingBatch<Batch> {
  batch: Batch;
  participants: Set<BatchParticipant<Batch>>;
  done: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

export abstract class GroupCommit<Batch, Write> {
  #next: PendingBatch<Batch> | null = null;
  #flushing = false;
  #failure: Error | null = null;
  #idle: Promise<void> = Promise.resolve();

  /** An empty batch. */
  protected abstract newBatch(): Batch;
  /** Adds one queued write to the batch. */
  protected abstract add(batch: Batch, write: Write): void;
  /** Writes the sealed batch; resolves once it is stored, rejects if it never will be. */
  protected abstract store(batch: Batch): Promise<void>;

  /** Whether `store` may refuse a batch (FencedOut) and go on writing: only then must participants prepare for it. */
  readonly refusesBatches: boolean = false;

  /** The error that stopped all writing, if any: after a failed batch nothing more is written (a refused one aside). */
  get failure(): Error | null {
    return this.#failure;
  }

  /** Queues writes; the promise settles when the batch holding them is stored (or failed). */
  write(writes: readonly Write[], participant?: BatchParticipant<Batch>): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    const pending = this.#next ?? this.#startBatch();
    for (const write of writes) this.add(pending.batch, write);
    if (participant) pending.participants.add(participant);
    return pending.done;
  }

  /** Joins the next batch without writes of its own: the participant adds them as the batch is sealed. */
  join(participant: BatchParticipant<Batch>): Promise<void> {
    return this.write([], participant);
  }

  /** Settles once everything queued so far has been written (or has failed). */
  drain(): Promise<void> {
    return this.#next ? this.#next.done.catch(() => undefined) : this.#idle;
  }

  #startBatch(): PendingBatch<Batch> {
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Callers that only fire and forget still get the error through the failure flag.
    done.catch(() => undefined);
    const pending: PendingBatch<Batch> = { batch: this.newBatch(), participants: new Set(), done, resolve, reject };
    this.#next = pending;
    if (!this.#flushing) {
      this.#flushing = true;
      // setImmediate: gather every write of this event-loop turn (a burst of socket reads) into one batch.
      this.#idle = new Promise((settled) => setImmediate(() => void this.#flushLoop().finally(settled)));
    }
    return pending;
  }

  async #flushLoop(): Promise<void> {
    while (this.#next) {
      const pending = this.#next;
      this.#next = null;
      for (const participant of pending.participants) participant.finalizeBatch(pending.batch);
      try {
        if (this.#failure) throw this.#failure;
        await this.store(pending.batch);
        pending.resolve();
      } catch (error) {
        if (error instanceof FencedOut && !this.#failure) {
          // Refused as a whole, but the store is sound: the participants learn it before the next batch is
          // sealed (a log must not write records after ones that were lost), and writing goes on.
          for (const participant of pending.participants) participant.batchRefused?.(error);
          pending.reject(error);
          continue;
        }
        this.#failure ??= error instanceof Error ? error : new Error(String(error));
        pending.reject(this.#failure);
      }
    }
    this.#flushing = false;
  }
}
