// Group commit on PostgreSQL: every write queued while a transaction is in flight goes out in the next one,
// so a COMMIT (and its WAL flush) per batch, not per update, keeps throughput while every write is acknowledged
// only once committed.
//
// A batch that fails because PostgreSQL is unreachable (restarting, failing over, a timeout) is retried as a
// whole until it commits: the writes wait, their acknowledgements with them, and nothing is dropped. Every
// statement is therefore idempotent (upserts, deletes by key), so a batch whose COMMIT landed but whose reply
// was lost can run twice. A batch that writes fenced documents opens with the fence check (pg-fence.ts); its
// refusal fails that batch alone (FencedOut, never retried). Any other error stops writing for good, as on
// LevelDB.
import type { DocumentMeta } from '../document-store.ts';
import { GroupCommit, type BatchParticipant } from '../group-commit.ts';
import { isRetryable, retryDelayMs, type PgDatabase, type Statement } from './database.ts';
import { fenceStatement, fencedOutOf } from './pg-fence.ts';

/** What one transaction writes: statements in order, then the rows gathered for the shared bulk statements. */
export class PgBatch {
  readonly statements: Statement[] = [];
  /** Bulk rows added by participants as the batch is sealed: one INSERT for all documents' log records. */
  readonly logRows: Array<{ document: string; firstSeq: number; count: number; record: Buffer }> = [];
  readonly metaRows: DocumentMeta[] = [];
  /** The epoch each fenced document of the batch was opened with; empty on a single node. */
  readonly epochs = new Map<string, number>();
}

/** The epoch a document's writes are fenced with (its log's, while it is open with one), or undefined. */
export type EpochOf = (documentName: string) => number | undefined;

/** Joins a batch only to fence it: the batch is refused unless `documentName` still has `epoch`. */
export function fenceParticipant(documentName: string, epoch: number): BatchParticipant<PgBatch> {
  return {
    finalizeBatch(batch) {
      batch.epochs.set(documentName, epoch);
    },
  };
}

export interface PgWriterEvents {
  /** A batch could not be written and will be retried; `attempt` counts from 1. */
  retrying?(error: unknown, attempt: number, delayMs: number): void;
  /** A batch went through after failing at least once. */
  recovered?(attempts: number): void;
}

/** Turns the gathered bulk rows into statements; the store owns the SQL. */
export type BulkStatements = (batch: PgBatch) => Statement[];

export class PgWriter extends GroupCommit<PgBatch, Statement> {
  override readonly refusesBatches = true;
  #db: PgDatabase;
  #bulk: BulkStatements;
  #events: PgWriterEvents;
  #unavailable: Error | null = null;
  #closing = false;
  #wake: (() => void) | null = null;

  constructor(db: PgDatabase, bulk: BulkStatements, events: PgWriterEvents = {}) {
    super();
    this.#db = db;
    this.#bulk = bulk;
    this.#events = events;
  }

  /** While PostgreSQL cannot be reached: the error of the last attempt (writes are waiting, not lost). */
  get unavailable(): Error | null {
    return this.#unavailable;
  }

  /**
   * Stops retrying: a batch still waiting for PostgreSQL fails, so shutdown does not hang on a database that
   * is gone. Writes already committed are unaffected; unacknowledged ones are resent by their clients.
   */
  abandonRetries(): void {
    this.#closing = true;
    this.#wake?.();
  }

  protected newBatch(): PgBatch {
    return new PgBatch();
  }

  protected add(batch: PgBatch, statement: Statement): void {
    batch.statements.push(statement);
  }

  protected async store(batch: PgBatch): Promise<void> {
    const statements = [...batch.statements, ...this.#bulk(batch)];
    // Unfenced (a single node) a batch is exactly what it was before fencing existed. Refusals come also
    // from unfenced batches: an event or version number another instance stored (migration 5).
    if (batch.epochs.size > 0) statements.unshift(fenceStatement(batch.epochs));
    try {
      await this.#commitWithRetries(statements);
    } catch (error) {
      throw fencedOutOf(error) ?? error;
    }
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
