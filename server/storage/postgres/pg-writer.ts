// Group commit on PostgreSQL: every write queued while a transaction is in flight goes out in the next one,
// so a COMMIT (and its WAL flush) per batch, not per update, keeps throughput while every write is acknowledged
// only once committed.
//
// A batch that fails because PostgreSQL is unreachable (restarting, failing over, a timeout) is retried as a
// whole until it commits: the writes wait, their acknowledgements with them, and nothing is dropped. Every
// statement is therefore idempotent (upserts, deletes by key), so a batch whose COMMIT landed but whose reply
// was lost can run twice. Any other error stops writing for good, as on LevelDB.
import type { DocumentMeta } from '../document-store.ts';
import { isRetryable, retryDelayMs, type PgDatabase, type Statement } from './database.ts';

/** Contributes last-moment statements (a document's log record and metadata) to the batch it joined. */
export interface PgBatchParticipant {
  finalizeBatch(batch: PgBatch): void;
}

/** What one transaction writes: statements in order, then the rows gathered for the shared bulk statements. */
export class PgBatch {
  readonly statements: Statement[] = [];
  /** Bulk rows added by participants as the batch is sealed: one INSERT for all documents' log records. */
  readonly logRows: Array<{ document: string; firstSeq: number; count: number; record: Buffer }> = [];
  readonly metaRows: DocumentMeta[] = [];
}

export interface PgWriterEvents {
  /** A batch could not be written and will be retried; `attempt` counts from 1. */
  retrying?(error: unknown, attempt: number, delayMs: number): void;
  /** A batch went through after failing at least once. */
  recovered?(attempts: number): void;
}

interface PendingBatch {
  batch: PgBatch;
  participants: Set<PgBatchParticipant>;
  done: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Turns the gathered bulk rows into statements; the store owns the SQL. */
export type BulkStatements = (batch: PgBatch) => Statement[];

export class PgWriter {
  #db: PgDatabase;
  #bulk: BulkStatements;
  #events: PgWriterEvents;
  #next: PendingBatch | null = null;
  #flushing = false;
  #failure: Error | null = null;
  #unavailable: Error | null = null;
  #closing = false;
  #idle: Promise<void> = Promise.resolve();
  #wake: (() => void) | null = null;

  constructor(db: PgDatabase, bulk: BulkStatements, events: PgWriterEvents = {}) {
    this.#db = db;
    this.#bulk = bulk;
    this.#events = events;
  }

  /** The error that stopped all writing, if any: after a batch failed for good nothing more is written. */
  get failure(): Error | null {
    return this.#failure;
  }

  /** While PostgreSQL cannot be reached: the error of the last attempt (writes are waiting, not lost). */
  get unavailable(): Error | null {
    return this.#unavailable;
  }

  /** Queues statements; the promise settles when the transaction holding them has committed. */
  write(statements: readonly Statement[], participant?: PgBatchParticipant): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    const pending = this.#next ?? this.#startBatch();
    for (const statement of statements) pending.batch.statements.push(statement);
    if (participant) pending.participants.add(participant);
    return pending.done;
  }

  /** Joins the next batch without statements of its own: the participant adds them as the batch is sealed. */
  join(participant: PgBatchParticipant): Promise<void> {
    return this.write([], participant);
  }

  /** Settles once everything queued so far has been written (or has failed). */
  drain(): Promise<void> {
    return this.#next ? this.#next.done.catch(() => undefined) : this.#idle;
  }

  /**
   * Stops retrying: a batch still waiting for PostgreSQL fails, so shutdown does not hang on a database that
   * is gone. Writes already committed are unaffected; unacknowledged ones are resent by their clients.
   */
  abandonRetries(): void {
    this.#closing = true;
    this.#wake?.();
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
    const pending: PendingBatch = { batch: new PgBatch(), participants: new Set(), done, resolve, reject };
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
      const statements = [...pending.batch.statements, ...this.#bulk(pending.batch)];
      try {
        if (this.#failure) throw this.#failure;
        await this.#commitWithRetries(statements);
        pending.resolve();
      } catch (error) {
        this.#failure ??= error instanceof Error ? error : new Error(String(error));
        pending.reject(this.#failure);
      }
    }
    this.#flushing = false;
  }

  async #commitWithRetries(statements: Statement[]): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.#db.commit(statements);
        if (attempt > 1) this.#events.recovered?.(attempt);
        this.#unavailable = null;
        return;
      } catch (error) {
        if (!isRetryable(error) || this.#closing) throw error;
        this.#unavailable = error instanceof Error ? error : new Error(String(error));
        const delayMs = retryDelayMs(attempt);
        this.#events.retrying?.(error, attempt, delayMs);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delayMs);
          this.#wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wake = null;
      }
    }
  }
}
