// The one module that holds the `pg` pools: bounded, with statement timeouts, and which errors are worth a retry.
import pg from 'pg';

export interface PgDatabaseOptions {
  url: string;
  /** Connections at most: one for the group commit, the rest (at least one) for loads, listings and versions. */
  poolSize: number;
  /** A statement running longer is cancelled by PostgreSQL (and its batch retried). */
  statementTimeoutMs: number;
  /**
   * A transaction left open this long by Tandem is ended by PostgreSQL (the session with it). In a cluster: an
   * owner paused (SIGSTOP, a VM frozen) between two writes of a batch would otherwise keep the epoch row locked
   * FOR SHARE and block the next owner's claim for as long as the pause lasts.
   */
  idleInTransactionTimeoutMs?: number;
  /** Waiting longer for a connection (PostgreSQL down, pool exhausted) fails the query. */
  connectTimeoutMs?: number;
  /** Told of connection errors that happen between queries (PostgreSQL restarted, say). */
  onIdleError?: (error: Error) => void;
}

/** A statement with its parameters; a `name` makes `pg` prepare it once per connection (the hot path). */
export interface Statement {
  name?: string;
  text: string;
  values: unknown[];
}

export type Row = Record<string, unknown>;

export class PgDatabase {
  /** Loads, listings, versions and migrations. */
  readonly pool: pg.Pool;
  /**
   * The group commit's one connection, pipelined: a transaction's statements are written at once and answered
   * together, so a batch waits for one turn of Tandem's event loop, not one per statement (it is connected on
   * first use: `tandem migrate` never opens it).
   */
  readonly #writePool: pg.Pool;
  #closed = false;

  constructor(options: PgDatabaseOptions) {
    const common: pg.PoolConfig = {
      connectionString: options.url,
      statement_timeout: options.statementTimeoutMs,
      ...(options.idleInTransactionTimeoutMs ? { idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs } : {}),
      // Also bounds a query stuck on a connection whose server vanished without closing it.
      query_timeout: options.statementTimeoutMs + 5_000,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      idleTimeoutMillis: 30_000,
      application_name: 'tandem',
      keepAlive: true,
    };
    this.pool = new pg.Pool({ ...common, max: Math.max(1, options.poolSize - 1) });
    this.#writePool = new pg.Pool({ ...common, max: 1, pipeline: true });
    // Without a listener an idle client's error (PostgreSQL restarting) would crash the process.
    for (const pool of [this.pool, this.#writePool]) pool.on('error', (error) => options.onIdleError?.(error));
  }

  get isOpen(): boolean {
    return !this.#closed;
  }

  async query<R extends Row = Row>(statement: Statement): Promise<R[]> {
    const result = await this.pool.query<R>({ name: statement.name, text: statement.text, values: statement.values });
    return result.rows;
  }

  /** Runs `work` in one transaction on one connection; rolls back if it throws. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>, mode = 'BEGIN'): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    // A checked-out client has no pool listener, and `pg` emits a lost connection (PostgreSQL restarting, the
    // backend terminated) as an 'error' event besides failing the statement in flight: unheard, that event
    // would crash the process. The failed statement is what reports it; here it only marks the connection.
    const markBroken = () => {
      broken = true;
    };
    client.on('error', markBroken);
    try {
      await client.query(mode);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if (isConnectionError(error)) broken = true;
      if (!broken) await client.query('ROLLBACK').catch(markBroken);
      throw error;
    } finally {
      // A connection that failed mid-transaction is discarded, not handed to the next query.
      client.release(broken ? true : undefined);
      // After release: the pool's own listener is back on the client (or the client is gone).
      client.off('error', markBroken);
    }
  }

  /**
   * Commits `statements` as one transaction on the group commit's connection, in one round trip: BEGIN, the
   * statements and COMMIT are written together; a single statement goes alone, a transaction by itself. The
   * promise settles once PostgreSQL answered the COMMIT (the WAL flushed, with synchronous_commit on). A
   * statement that fails aborts the transaction and the COMMIT behind it only rolls back: the first error,
   * in statement order, is the batch's.
   */
  async commit(statements: readonly Statement[]): Promise<void> {
    const client = await this.#writePool.connect();
    let broken = false;
    // As in transaction(): a lost connection is also emitted as an 'error' event, which must be heard here.
    const markBroken = () => {
      broken = true;
    };
    client.on('error', markBroken);
    try {
      const sent = statements.length === 1 ? [statements[0]!] : [{ text: 'BEGIN', values: [] }, ...statements, { text: 'COMMIT', values: [] }];
      const replies = await Promise.allSettled(sent.map((s) => client.query({ name: s.name, text: s.text, values: s.values })));
      const failed = replies.find((reply) => reply.status === 'rejected');
      if (failed) {
        if (isConnectionError(failed.reason)) broken = true;
        throw failed.reason;
      }
    } finally {
      // A connection that failed mid-transaction is discarded, not handed to the next batch.
      client.release(broken ? true : undefined);
      client.off('error', markBroken);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.pool.end(), this.#writePool.end()]);
  }
}

/** SQLSTATE classes and codes that say "try again later" rather than "this statement is wrong". */
const RETRYABLE_CODES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '53000', // insufficient_resources
  '53100', // disk_full: writes wait until an operator frees space
  '53200', // out_of_memory
  '53300', // too_many_connections
  '55P03', // lock_not_available
  '57014', // query_canceled (statement_timeout)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, shutting down)
  '58000', // system_error
  '58030', // io_error
]);

/** The connection itself failed (refused, reset, terminated): no SQLSTATE, or class 08. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('08')) return true;
  // idle_in_transaction_session_timeout: PostgreSQL ended the session (see idleInTransactionTimeoutMs).
  if (code === '25P03') return true;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, …
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout/i.test(
    error.message,
  );
}

/** Whether a failed write may succeed if tried again unchanged (PostgreSQL restarting, a timeout, disk full). */
export function isRetryable(error: unknown): boolean {
  if (isConnectionError(error)) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_CODES.has(code);
}

/** The wait before retry `attempt` (counting from 1): 50 ms doubling to 2 s, quick after a blip, gentle on a restarting database. */
export function retryDelayMs(attempt: number): number {
  return Math.min(2_000, 50 * 2 ** Math.min(attempt - 1, 6));
}

/**
 * Runs `read` again while its error says PostgreSQL is unreachable or restarting (isRetryable), for at most
 * `waitMs` in all: a document opened during a short outage loads once PostgreSQL is back, as waiting writes
 * are stored then. Any other error, or the last one once `waitMs` is spent, is thrown.
 */
export async function retryWhileUnreachable<T>(read: () => Promise<T>, waitMs: number): Promise<T> {
  const giveUpAt = performance.now() + waitMs;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await read();
    } catch (error) {
      const left = giveUpAt - performance.now();
      if (!isRetryable(error) || left <= 0) throw error;
      // The last attempt comes when the time is up, not a whole backoff step early.
      await new Promise((resolve) => setTimeout(resolve, Math.min(retryDelayMs(attempt), left)));
    }
  }
}

/** The URL without its password, for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}
