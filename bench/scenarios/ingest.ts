// Durable ingest: one writer process streams the automerge-paper trace into one server, one reader process
// follows; updates/s from the first op until the reader's text equals the trace's.
import { join } from 'node:path';
import { mkdir, rm } from 'node:fs/promises';
import { loadTrace } from '../../test/helpers/traces.ts';
import { expectedAfter } from '../lib/expected.ts';
import { availableServers } from '../lib/native.ts';
import { pgIngestFigures, STATEMENT_GROUPS, type PgIngestFigures } from '../lib/pg-breakdown.ts';
import type { PgActivity, PgMeasurement } from '../lib/postgres.ts';
import { runReplay, type ReplayProbe, type ReplayRun } from '../lib/replay.ts';
import type { BenchContext, ResultTable, Scenario, Target } from '../lib/scenario.ts';
import { scrapeHistogram, type HistogramSummary } from '../lib/scrape.ts';
import type { RunningServer } from '../lib/servers.ts';
import { median } from '../lib/stats.ts';
import { formatNumber, ratio, type Cell } from '../lib/table.ts';

type IngestRun = ReplayRun & {
  stopMs: number;
  /** Tandem's append → stored times (its tandem_persist_seconds histogram, scraped after the run). */
  persist: HistogramSummary | null;
  /** Tandem on PostgreSQL: what PostgreSQL did over the measured span. */
  pg: { activity: PgActivity; figures: PgIngestFigures } | null;
};

const QUICK_OPS = 20_000;
const DOCUMENT = 'automerge-paper';
const SERVERS = ['hocuspocus-default', 'hocuspocus-no-batching', 'hocuspocus-sqlite', 'y-websocket', 'y-websocket-leveldb', 'tandem', 'tandem-fsync'];
// --quick keeps the servers the targets name; the persistent references only add minutes.
const QUICK_SERVERS = ['hocuspocus-default', 'hocuspocus-no-batching', 'y-websocket', 'tandem'];
// --store postgres: Tandem on PostgreSQL beside LevelDB with --fsync on (as durable) and off (the default).
const PG_SERVERS = [...SERVERS, 'tandem-postgres'];
const PG_QUICK_SERVERS = [...QUICK_SERVERS, 'tandem-fsync', 'tandem-postgres'];
// Issue 2's own measure, beside the suite's: the writer alone, done when every update is acknowledged.
const WRITER_ALONE = ['hocuspocus-no-batching', 'tandem', 'tandem-fsync', 'tandem-postgres'];
const ALONE = ':alone';

function serverKeys(context: BenchContext): string[] {
  if (context.store === 'postgres') return context.quick ? PG_QUICK_SERVERS : PG_SERVERS;
  return context.quick ? QUICK_SERVERS : SERVERS;
}

export const ingest: Scenario = {
  id: 'ingest',
  title: 'Durable ingest',
  comparesStores: true,
  async run(context) {
    const postgres = context.store === 'postgres';
    const trace = loadTrace('automerge-paper');
    const ops = context.quick ? QUICK_OPS : trace.ops.length;
    const expected = expectedAfter(trace, ops);
    const { setups, unavailable } = await availableServers(context, serverKeys(context));
    const measurements = [
      ...setups.map((setup) => ({ setup, key: setup.key, follow: true })),
      ...setups.filter((setup) => WRITER_ALONE.includes(setup.key)).map((setup) => ({ setup, key: setup.key + ALONE, follow: false })),
    ];
    const results = new Map<string, IngestRun[]>(measurements.map(({ key }) => [key, []]));
    const failures = new Map<string, string>(unavailable);

    // Runs interleave the servers so drift on the machine (other load, thermal) hits them all alike.
    for (let run = 1; run <= context.runs; run += 1) {
      for (const { setup, key, follow } of measurements) {
        if (failures.has(setup.key)) continue;
        const dataDir = join(context.workDir, `${setup.key}-${run}${follow ? '' : '-alone'}`);
        try {
          await mkdir(dataDir, { recursive: true });
          const server = await setup.start(dataDir, { profileDir: context.profileDir, tandemMain: context.tandemMain, postgres: context.postgres });
          const pg = postgresProbe(context, server);
          const { replayed, persist } = await (async () => {
            const replay = await runReplay(server, { trace: 'automerge-paper', documentName: DOCUMENT, expected, timeoutMs: 1_200_000, follow, probe: pg?.probe });
            return { replayed: replay, persist: setup.tandem ? await scrapeHistogram(server, 'tandem_persist_seconds') : null };
          })().catch(async (error: unknown) => {
            await server.stop();
            throw error;
          });
          // SIGTERM → exit: Tandem compacts here, y-leveldb drains the writes it queued while the text was already equal.
          const stopStarted = performance.now();
          const code = await server.stop();
          if (code !== 0) throw new Error(`${setup.key} exited with code ${code} on SIGTERM\n${server.child.stderr().slice(-2000)}`);
          const activity = pg ? await pg.result() : null;
          const spanMs = Math.max(replayed.textEqualMs, replayed.ackedMs ?? 0);
          const result: IngestRun = {
            ...replayed,
            stopMs: performance.now() - stopStarted,
            persist,
            pg: activity ? { activity, figures: pgIngestFigures(activity, replayed.ops, spanMs) } : null,
          };
          results.get(key)!.push(result);
          context.progress(
            `run ${run}/${context.runs} ${key.padEnd(22)} ${formatNumber(result.updatesPerSecond).padStart(7)} updates/s ` +
              `(text equal after ${formatNumber(result.textEqualMs)} ms, stop ${formatNumber(result.stopMs)} ms` +
              `${result.ackedMs === null ? '' : `, all acked after ${formatNumber(result.ackedMs)} ms`}; ` +
              `server ${result.serverCpuMicrosPerUpdate ?? '?'} µs/update, CPU server ${result.serverCpuPercent ?? '?'}% ` +
              `writer ${result.writerCpuPercent ?? '?'}% reader ${result.readerCpuPercent ?? '?'}%` +
              (result.pg
                ? `; PostgreSQL ${formatNumber(pgCpuMicrosPerUpdate(result))} µs/update, ${result.pg.figures.transactions} transactions of ` +
                  `${formatNumber(result.pg.figures.updatesPerTransaction)} updates, ${formatNumber(result.pg.figures.wallMsPerTransaction)} ms each`
                : '') +
              ')',
          );
        } catch (error) {
          // One reference failing (e.g. a native module) must not cost the rest of the suite its figures.
          const reason = (error as Error).message.split('\n')[0]!;
          context.progress(`${setup.key} failed, left out of this scenario: ${(error as Error).message}`);
          failures.set(setup.key, reason);
        } finally {
          await rm(dataDir, { recursive: true, force: true });
        }
      }
    }

    const figure = (key: string) => {
      const runs = results.get(key);
      return runs && runs.length > 0 && !failures.has(key) ? median(runs.map((r) => r.updatesPerSecond)) : Number.NaN;
    };
    const reference = figure('y-websocket');
    const rows: Cell[][] = [];
    const aloneReference = figure(`hocuspocus-no-batching${ALONE}`);
    const shown = context.servers(serverKeys(context));
    const rowsToShow = [
      ...shown.map((setup) => ({ setup, key: setup.key, follow: true })),
      ...shown.filter((setup) => WRITER_ALONE.includes(setup.key)).map((setup) => ({ setup, key: setup.key + ALONE, follow: false })),
    ];
    for (const { setup, key, follow } of rowsToShow) {
      const name = follow ? setup.name : `${setup.name}: writer alone, until all acked (issue 2)`;
      const runs = results.get(key) ?? [];
      const failure = failures.get(setup.key);
      if (failure || runs.length === 0) {
        rows.push([name, '–', '–', ...(postgres ? ['–', '–'] : []), '–', '–', '–', '–', '–', '–', `not measured: ${failure ?? 'left out'}`]);
        continue;
      }
      const mid = (pick: (r: IngestRun) => number | null) => median(runs.map((r) => pick(r) ?? Number.NaN));
      const versus = follow
        ? key === 'y-websocket' ? '1.00× (reference)' : ratio(figure(key), reference)
        : key === `hocuspocus-no-batching${ALONE}` ? '(issue 2 reference)' : `${ratio(figure(key), aloneReference)} of no-batching alone`;
      // --store postgres: every figure beside Tandem on LevelDB --fsync on measured the same way (reader or not).
      const fsyncKey = follow ? 'tandem-fsync' : `tandem-fsync${ALONE}`;
      rows.push([
        name,
        figure(key),
        versus,
        ...(postgres ? [key === fsyncKey ? '1.00× (reference)' : ratio(figure(key), figure(fsyncKey))] : []),
        follow ? mid((r) => r.textEqualMs / 1000) : '(no reader)',
        setup.protocol === 'hocuspocus' ? mid((r) => (r.ackedMs ?? Number.NaN) / 1000) : '(no acks)',
        mid((r) => r.stopMs),
        mid((r) => r.serverCpuMicrosPerUpdate),
        ...(postgres ? [runs.some((r) => r.pg) ? mid((r) => (r.pg ? pgCpuMicrosPerUpdate(r) : null)) : '–'] : []),
        `${formatNumber(mid((r) => r.serverCpuPercent))}%`,
        `${formatNumber(mid((r) => r.writerCpuPercent))}% / ${follow ? `${formatNumber(mid((r) => r.readerCpuPercent))}%` : '–'}`,
        runs.map((r) => formatNumber(r.updatesPerSecond)).join(' / '),
      ]);
    }

    const tandem = figure('tandem');
    const target = (text: string, value: number, reference: number, atLeast: number): Target => {
      const measured = Number.isFinite(value) && Number.isFinite(reference);
      return {
        text: `${text} → ${measured ? ratio(value, reference) : 'not measured'}`,
        met: measured ? value / reference >= atLeast : null,
      };
    };
    const pgAlone = figure(`tandem-postgres${ALONE}`);
    const targets = postgres
      ? [
          target(
            '(issue 14) Tandem on PostgreSQL, acknowledged ingest (writer alone) ≥ 0.5× Tandem on LevelDB --fsync on',
            pgAlone,
            figure(`tandem-fsync${ALONE}`),
            0.5,
          ),
          target(
            '(issue 14) Tandem on PostgreSQL, acknowledged ingest (writer alone) ≥ 1.0× stock Hocuspocus flushDelay: false (acks from memory)',
            pgAlone,
            aloneReference,
            1,
          ),
        ]
      : [
          target('Tandem ingest ≥ 1.0× y-websocket server (no persistence)', tandem, reference, 1),
          target('Tandem ingest ≥ 5× stock Hocuspocus defaults', tandem, figure('hocuspocus-default'), 5),
          target(
            '(issue 2) Tandem acknowledged ingest, writer alone, ≥ 1.0× stock Hocuspocus flushDelay: false',
            figure(`tandem${ALONE}`),
            aloneReference,
            1,
          ),
        ];

    return {
      method:
        `automerge-paper, ${ops.toLocaleString('en-US')} of ${trace.ops.length.toLocaleString('en-US')} single-op updates; ` +
        `one writer and one reader process per server, and issue 2's writer-alone runs; median of ${context.runs} run(s), servers interleaved`,
      header: [
        'server',
        'updates/s',
        'vs y-websocket',
        ...(postgres ? ['vs LevelDB --fsync on'] : []),
        'text equal (s)',
        'all acked (s)',
        'stop (ms)',
        'server µs/update',
        ...(postgres ? ['PostgreSQL µs/update'] : []),
        'server CPU',
        'writer / reader CPU',
        'runs (updates/s)',
      ],
      rows,
      targets,
      charts: [],
      tables: postgres ? [breakdown(results, figure)] : [],
      notes: [
        ...(postgres
          ? [
              'Tandem on PostgreSQL: a local PostgreSQL 15 the bench starts (test/helpers/postgres.ts; fsync and synchronous_commit ' +
                'on, shared_buffers 64 MB), a fresh database per run, on the same two cores; an ack means the COMMIT holding the ' +
                'update returned. "vs LevelDB --fsync on" compares like with like: each row against Tandem on LevelDB with ' +
                '--fsync on measured the same way (with a reader, or writer alone). PostgreSQL µs/update: CPU of every ' +
                'PostgreSQL process (backends, WAL writer, checkpointer, autovacuum; /proc) over the same span.',
            ]
          : []),
        "updates/s: ops ÷ (writer's first op → the reader process's text has the trace's SHA-256); each op is one Yjs " +
          'transaction and one update message. Over Hocuspocus\' protocol the writer also waits until every update is ' +
          'acknowledged ("all acked"; for Tandem an ack means the update is in LevelDB); y-websocket has no acks.',
        'server µs/update: CPU time of the server process (all threads, /proc) from the first op until the text was equal ' +
          'and every update acknowledged, per update. It is the steadiest figure on a shared machine; updates/s swings ±30%. ' +
          'CPU shares are of one core over the same span; a writer near 100% means the client, not the server, is the limit.',
        'The writer is a real @hocuspocus/provider, or y-websocket\'s WebsocketProvider for the y-websocket servers; ops go out ' +
          "1,000 per event-loop turn. Tandem's per-socket abuse limits are raised for the replay (bench/lib/servers.ts).",
      'writer alone (issue 2): no reader follows; updates/s until every update is acknowledged, and a fresh reader then ' +
          "checks the stored text. Issue 2 asks for this figure against stock Hocuspocus with flushDelay: false; the suite's " +
          'figure above also pays for broadcasting every update to a reader.',
      'stop: SIGTERM → exit after the run. Tandem compacts the document there; y-leveldb (no acks, writes queued) is still ' +
        'storing updates after the reader has the text, and its stop waits for that queue: its durable ingest ends only then.',
      ],
    };
  },
};

/** Measures PostgreSQL over a replay's span when the server stores in it; `result()` once the server has stopped. */
function postgresProbe(context: BenchContext, server: RunningServer): { probe: ReplayProbe; result(): Promise<PgActivity> } | null {
  const { postgres } = context;
  const { databaseUrl } = server;
  if (!postgres || !databaseUrl) return null;
  let measurement: PgMeasurement | undefined;
  return {
    probe: {
      start: async () => {
        measurement = await postgres.measure(databaseUrl);
      },
      stop: () => measurement!.stop(),
    },
    result: () => {
      if (!measurement) throw new Error('the replay ended before PostgreSQL was measured');
      return measurement.result();
    },
  };
}

function pgCpuMicrosPerUpdate(run: IngestRun): number {
  return run.pg?.activity.cpuMs == null ? Number.NaN : (run.pg.activity.cpuMs * 1000) / run.ops;
}

/** "Where the time goes" on PostgreSQL, with and without a reader, beside LevelDB --fsync on where it applies. */
function breakdown(results: Map<string, IngestRun[]>, figure: (key: string) => number): ResultTable {
  const columns = [
    { key: 'tandem-postgres', title: 'PostgreSQL, with a reader' },
    { key: `tandem-postgres${ALONE}`, title: 'PostgreSQL, writer alone' },
    { key: 'tandem-fsync', title: 'LevelDB --fsync on, with a reader' },
    { key: `tandem-fsync${ALONE}`, title: 'LevelDB --fsync on, writer alone' },
  ];
  const runsOf = (key: string) => results.get(key) ?? [];
  const row = (what: string, pick: (run: IngestRun) => number | null | undefined, note = ''): Cell[] => [
    what,
    ...columns.map(({ key }) => {
      const values = runsOf(key).map(pick).filter((v): v is number => v != null && Number.isFinite(v));
      return values.length > 0 ? median(values) : '–';
    }),
    note,
  ];
  // Past the histogram's last bucket (5 s) only a bound is known.
  const p99Row = (): Cell[] => [
    'ack latency, p99 at most (ms)',
    ...columns.map(({ key }) => {
      const values = runsOf(key).flatMap((run) => (run.persist ? [run.persist.quantileAtMost(0.99) * 1000] : []));
      if (values.length === 0) return '–';
      const mid = median(values);
      return Number.isFinite(mid) ? mid : `> ${formatNumber(Math.max(...values.filter(Number.isFinite), 5_000))}`;
    }),
    'upper bound of its histogram bucket',
  ];
  const pgRow = (what: string, pick: (figures: PgIngestFigures) => number, note = '') => row(what, (run) => (run.pg ? pick(run.pg.figures) : null), note);
  const ms = (seconds: number | undefined) => (seconds === undefined ? null : seconds * 1000);
  const cpu = (run: IngestRun) => (run.serverCpuMicrosPerUpdate ?? Number.NaN) + (run.pg ? pgCpuMicrosPerUpdate(run) : 0);
  const rows: Cell[][] = [
    [
      'updates/s',
      ...columns.map(({ key }) => figure(key)),
      'acknowledged (and, with a reader, the reader has the text)',
    ],
    row('ack latency, mean (ms)', (run) => ms(run.persist?.mean), "append → stored, Tandem's tandem_persist_seconds"),
    p99Row(),
    pgRow('transactions (group commits)', (f) => f.transactions, 'batches that stored updates, one transaction each'),
    pgRow('updates per transaction', (f) => f.updatesPerTransaction, 'mean batch size; one log row per document per batch'),
    pgRow('statements per transaction', (f) => f.statementsPerTransaction, 'BEGIN and COMMIT included; written together on one pipelined connection, one round trip'),
    pgRow('wall time per transaction (ms)', (f) => f.wallMsPerTransaction, 'span ÷ transactions: one transaction in flight at a time'),
    ...STATEMENT_GROUPS.map((group) =>
      pgRow(`  executing: ${group} (ms)`, (f) => f.execMsPerTransaction.get(group) ?? 0, 'per transaction, inside PostgreSQL (pg_stat_statements)'),
    ),
    pgRow('  WAL write() (ms)', (f) => f.walWriteMsPerTransaction, 'per transaction (pg_stat_wal; the WAL writer\'s too)'),
    pgRow('  WAL fsync (ms)', (f) => f.walSyncMsPerTransaction, 'per transaction: the COMMIT\'s flush, the ack waits for it'),
    pgRow('  the rest (ms)', (f) => f.restMsPerTransaction, 'the answer waiting for Tandem\'s next event-loop turn (and for a core)'),
    pgRow('WAL fsyncs per transaction', (f) => f.walSyncsPerTransaction),
    pgRow('WAL bytes per update', (f) => f.walBytesPerUpdate, 'what the statements logged'),
    row('CPU µs/update: Tandem', (run) => run.serverCpuMicrosPerUpdate),
    row('CPU µs/update: PostgreSQL', (run) => (run.pg ? pgCpuMicrosPerUpdate(run) : null), 'every PostgreSQL process'),
    row('CPU µs/update: Tandem + its store', cpu, 'LevelDB runs inside Tandem'),
    row('CPU share: Tandem (% of a core)', (run) => run.serverCpuPercent),
    row('CPU share: PostgreSQL (% of a core)', (run) =>
      run.pg?.activity.cpuMs == null ? null : (run.pg.activity.cpuMs / Math.max(run.textEqualMs, run.ackedMs ?? 0)) * 100,
    ),
    row('CPU share: writer (% of a core)', (run) => run.writerCpuPercent),
  ];
  return {
    title: 'Where the time goes: Tandem on PostgreSQL',
    header: ['measure', ...columns.map((c) => c.title), 'note'],
    rows,
    notes: [
      'Per transaction, from what PostgreSQL counted over the measured span (pg_stat_statements, pg_stat_wal with ' +
        'track_wal_io_timing) and /proc; medians over the runs. A COMMIT statement\'s own time excludes its WAL flush, which ' +
        'is the "WAL fsync" row. WAL counters are read after the server stopped (backends report them on exit), so they ' +
        'also hold the final compaction; the rest is wall time per transaction minus the rows above it.',
    ],
  };
}
