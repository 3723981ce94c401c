// Where an ingest's time goes on PostgreSQL: group commits, statements, WAL and CPU, per transaction and per
// update, from what PostgreSQL counted (bench/lib/postgres.ts) over the measured span.
import type { PgActivity, StatementStats } from './postgres.ts';

/** Statement groups, by what Tandem's SQL touches (the text pg_stat_statements keeps, parameters normalised). */
const GROUPS: readonly { name: string; match: RegExp }[] = [
  // Also the one statement that inserts the log rows and upserts the metadata (a data-modifying WITH).
  { name: 'log record INSERT (+ metadata upsert)', match: /INSERT INTO tandem_log\b/i },
  { name: 'metadata upsert', match: /INSERT INTO tandem_documents\b/i },
  { name: 'compaction (snapshot upsert, log DELETE)', match: /tandem_snapshots|DELETE FROM tandem_log\b/i },
  { name: 'versions', match: /version/i },
  { name: 'webhook outbox', match: /outbox/i },
  { name: 'BEGIN and COMMIT statements', match: /^\s*(BEGIN|COMMIT|START TRANSACTION)\b/i },
];
export const OTHER_GROUP = 'other statements';
export const STATEMENT_GROUPS = [...GROUPS.map((g) => g.name), OTHER_GROUP];

export interface PgIngestFigures {
  /** Group commits that carried updates: the statements inserting log rows (one per batch). */
  transactions: number;
  updatesPerTransaction: number;
  /** Every statement is a round trip (BEGIN, each statement, COMMIT). */
  statementsPerTransaction: number;
  wallMsPerTransaction: number;
  /** Statement execution inside PostgreSQL, ms per transaction, by group. */
  execMsPerTransaction: Map<string, number>;
  execMsTotalPerTransaction: number;
  walWriteMsPerTransaction: number;
  walSyncMsPerTransaction: number;
  walSyncsPerTransaction: number;
  /** Wall time per transaction not spent executing statements or writing WAL: round trips, waiting for a core, Tandem. */
  restMsPerTransaction: number;
  /** WAL the statements wrote (pg_stat_statements), per update. */
  walBytesPerUpdate: number;
  /** Rows the log INSERTs wrote: one per document per batch. */
  logRowsPerTransaction: number;
}

export function groupOf(statement: StatementStats): string {
  return GROUPS.find((group) => group.match.test(statement.query))?.name ?? OTHER_GROUP;
}

/** `updates` were acknowledged over `spanMs`; `activity` is what PostgreSQL counted over the same span. */
export function pgIngestFigures(activity: PgActivity, updates: number, spanMs: number): PgIngestFigures {
  // Every batch with updates inserts its log rows in one statement, in one transaction (with or without
  // BEGIN/COMMIT: a batch of one statement is sent alone); compactions and versions join those batches.
  const batches = activity.statements.filter((s) => GROUPS[0]!.match.test(s.query)).reduce((sum, s) => sum + s.calls, 0);
  const transactions = Math.max(batches, 1);
  const exec = new Map<string, number>(STATEMENT_GROUPS.map((name) => [name, 0]));
  let calls = 0;
  let logRows = 0;
  let walBytes = 0;
  for (const statement of activity.statements) {
    const group = groupOf(statement);
    exec.set(group, exec.get(group)! + statement.totalMs / transactions);
    calls += statement.calls;
    walBytes += statement.walBytes;
    if (group === GROUPS[0]!.name) logRows += statement.rows;
  }
  const execTotal = [...exec.values()].reduce((sum, ms) => sum + ms, 0);
  const wallMsPerTransaction = spanMs / transactions;
  const walWriteMsPerTransaction = activity.wal.writeMs / transactions;
  const walSyncMsPerTransaction = activity.wal.syncMs / transactions;
  return {
    transactions: batches,
    updatesPerTransaction: updates / transactions,
    statementsPerTransaction: calls / transactions,
    wallMsPerTransaction,
    execMsPerTransaction: exec,
    execMsTotalPerTransaction: execTotal,
    walWriteMsPerTransaction,
    walSyncMsPerTransaction,
    walSyncsPerTransaction: activity.wal.syncs / transactions,
    restMsPerTransaction: wallMsPerTransaction - execTotal - walWriteMsPerTransaction - walSyncMsPerTransaction,
    walBytesPerUpdate: walBytes / updates,
    logRowsPerTransaction: logRows / transactions,
  };
}
