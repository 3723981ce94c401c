// Many append + compaction cycles on one document in PostgreSQL, with the tables' sizes and dead tuples sampled:
// whether the space of deleted log rows and replaced snapshots is given back, or the tables grow with the history.
import assert from 'node:assert/strict';
import * as prng from 'lib0/prng';
import pg from 'pg';
import * as Y from 'yjs';
import { PgDocumentStore } from '../../server/storage/postgres/pg-store.ts';

export type TableName = 'tandem_log' | 'tandem_snapshots' | 'tandem_documents';
const TABLES: readonly TableName[] = ['tandem_log', 'tandem_snapshots', 'tandem_documents'];

export interface TableSample {
  /** pg_total_relation_size: heap, indexes and TOAST. */
  bytes: number;
  /** n_dead_tup of the table and of its TOAST table. */
  dead: number;
  /** Rows deleted so far (n_tup_del). */
  deletes: number;
  updates: number;
  hotUpdates: number;
  /** Autovacuum runs on the table or its TOAST table so far. */
  autovacuums: number;
}

export interface CycleSample {
  cycle: number;
  /** Bytes of log records deleted by compactions so far (what tandem_log would keep without reuse). */
  logBytesDeleted: number;
  /** Bytes of snapshots replaced so far (what tandem_snapshots' TOAST would keep without reuse). */
  snapshotBytesReplaced: number;
  tables: Record<TableName, TableSample>;
}

export interface CompactionCyclesOptions {
  url: string;
  seed: number;
  cycles: number;
  /** Updates per cycle, stored a few per batch as typing is. */
  updatesPerCycle?: number;
  sampleEvery?: number;
  /** The document's text is kept about this long, so every snapshot is about the same size. */
  documentChars?: number;
}

/**
 * Takes the next sample once autovacuum has visited both tables since the previous one (waiting at most 10 s):
 * the claim is that its visits keep the tables bounded, so the run is paced by them, not by how fast this
 * machine happens to write (an idle machine wrote 1,200 cycles between two visits and failed the bound).
 */
async function sampleAfterAutovacuum(admin: pg.Client, previous: CycleSample, cycle: number, logBytesDeleted: number, snapshotBytesReplaced: number): Promise<CycleSample> {
  const visited = (next: CycleSample) =>
    (['tandem_log', 'tandem_snapshots'] as const).every((name) => next.tables[name].autovacuums > previous.tables[name].autovacuums);
  for (const deadline = Date.now() + 10_000; ; ) {
    const next = await sample(admin, cycle, logBytesDeleted, snapshotBytesReplaced);
    if (visited(next) || Date.now() > deadline) return next;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs the cycles through a real PgDocumentStore and returns the samples, the first one taken before any cycle. */
export async function compactionCycles(options: CompactionCyclesOptions): Promise<CycleSample[]> {
  const { url, seed, cycles, updatesPerCycle = 20, sampleEvery = 100, documentChars = 16_000 } = options;
  const random = prng.create(seed);
  const store = await PgDocumentStore.connect({ url, poolSize: 2 });
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const samples: CycleSample[] = [];
  let logBytesDeleted = 0;
  let snapshotBytesReplaced = 0;
  let snapshotBytes = 0;
  try {
    const { log } = await store.open('space');
    const doc = new Y.Doc();
    doc.on('update', (update: Uint8Array) => void log.append(update));
    const text = doc.getText('t');
    samples.push(await sample(admin, 0, 0, 0));
    for (let cycle = 1; cycle <= cycles; cycle += 1) {
      for (let i = 0; i < updatesPerCycle; i += 1) {
        // Random letters: PostgreSQL's compression finds little to shrink, so sizes are what was written.
        const insert = Array.from({ length: prng.int32(random, 20, 60) }, () => prng.letter(random)).join('');
        // Appended at the end, trimmed at the start: Yjs merges the items, so the state stays about the text.
        text.insert(text.length, insert);
        if (text.length > documentChars) text.delete(0, text.length - documentChars);
        if (i % 4 === 3) await log.whenDurable();
      }
      await log.whenDurable();
      logBytesDeleted += log.logBytes;
      snapshotBytesReplaced += snapshotBytes;
      const state = Y.encodeStateAsUpdate(doc);
      await log.compact(state);
      snapshotBytes = state.length;
      if (cycle % sampleEvery === 0) {
        samples.push(await sampleAfterAutovacuum(admin, samples.at(-1)!, cycle, logBytesDeleted, snapshotBytesReplaced));
      }
    }
    await log.close();
    return samples;
  } finally {
    await admin.end();
    await store.close();
  }
}

async function sample(admin: pg.Client, cycle: number, logBytesDeleted: number, snapshotBytesReplaced: number): Promise<CycleSample> {
  const { rows } = await admin.query<{ name: TableName; bytes: string; dead: string; deletes: string; updates: string; hot: string; autovacuums: string }>(
    `SELECT s.relname AS name, pg_total_relation_size(s.relid) AS bytes,
            s.n_dead_tup + coalesce(t.n_dead_tup, 0) AS dead, s.n_tup_del AS deletes,
            s.n_tup_upd AS updates, s.n_tup_hot_upd AS hot,
            s.autovacuum_count + coalesce(t.autovacuum_count, 0) AS autovacuums
       FROM pg_stat_user_tables s
       JOIN pg_class c ON c.oid = s.relid
       LEFT JOIN pg_stat_sys_tables t ON t.relid = c.reltoastrelid
      WHERE s.relname = ANY($1)`,
    [TABLES],
  );
  const tables = Object.fromEntries(
    rows.map((row) => [
      row.name,
      { bytes: Number(row.bytes), dead: Number(row.dead), deletes: Number(row.deletes), updates: Number(row.updates), hotUpdates: Number(row.hot), autovacuums: Number(row.autovacuums) },
    ]),
  ) as Record<TableName, TableSample>;
  return { cycle, logBytesDeleted, snapshotBytesReplaced, tables };
}

/** One line per sample, for a test's diagnostics or the soak's log. */
export function describeSample(sample: CycleSample): string {
  const table = (name: TableName) => {
    const t = sample.tables[name];
    return `${name.replace('tandem_', '')} ${kib(t.bytes)} (${t.dead} dead, ${t.autovacuums} autovacuums)`;
  };
  return `cycle ${sample.cycle}: ${TABLES.map(table).join(', ')}; ${kib(sample.logBytesDeleted)} of log rows deleted, ${kib(sample.snapshotBytesReplaced)} of snapshots replaced`;
}

/**
 * The tables must not grow with what was written through them. Between the second quarter of the run and the
 * last (averaged over their samples, as autovacuum comes and goes): tandem_log grows by less than a tenth of
 * the log bytes deleted meanwhile, tandem_snapshots by less than a tenth of the snapshot bytes replaced. At the
 * end, tandem_log holds fewer dead rows than a third of all it deleted; autovacuum visited it in the last half;
 * and the updates of tandem_documents are HOT (an index on a column it updates would end that).
 */
export function assertSpaceReused(samples: readonly CycleSample[]): void {
  const taken = samples.filter((sample) => sample.cycle > 0);
  assert.ok(taken.length >= 8, 'at least eight samples after the first');
  const quarter = Math.floor(taken.length / 4);
  const second = taken.slice(quarter, 2 * quarter);
  const last = taken.slice(-quarter);
  const mean = (group: readonly CycleSample[], value: (sample: CycleSample) => number) =>
    group.reduce((sum, sample) => sum + value(sample), 0) / group.length;
  const growth = (value: (sample: CycleSample) => number) => mean(last, value) - mean(second, value);

  const logGrown = growth((sample) => sample.tables.tandem_log.bytes);
  const logDeleted = growth((sample) => sample.logBytesDeleted);
  assert.ok(logGrown < logDeleted / 10, `tandem_log grew by ${kib(logGrown)} while ${kib(logDeleted)} of its rows were deleted: their space is not reused`);
  const snapshotsGrown = growth((sample) => sample.tables.tandem_snapshots.bytes);
  const replaced = growth((sample) => sample.snapshotBytesReplaced);
  assert.ok(
    snapshotsGrown < replaced / 10,
    `tandem_snapshots grew by ${kib(snapshotsGrown)} while ${kib(replaced)} of snapshots were replaced: their space is not reused`,
  );

  const end = taken.at(-1)!;
  const log = end.tables.tandem_log;
  assert.ok(log.dead < log.deletes / 3, `tandem_log holds ${log.dead} dead rows of the ${log.deletes} it deleted: vacuum does not keep up`);
  assert.ok(log.autovacuums > taken[2 * quarter - 1]!.tables.tandem_log.autovacuums, 'autovacuum visited tandem_log in the last half');
  // HOT can miss when a page is momentarily full; an indexed column being updated would make it miss always.
  const documents = end.tables.tandem_documents;
  assert.ok(documents.hotUpdates >= documents.updates * 0.95, `${documents.hotUpdates} of ${documents.updates} updates of tandem_documents are HOT`);
}

function kib(bytes: number): string {
  return `${Math.round(bytes / 1024)} KiB`;
}
