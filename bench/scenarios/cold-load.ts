// Cold load: how long a fresh server takes to serve a document stored on disk, against Yjs alone decoding the
// same state; and the bytes on disk against Y.encodeStateAsUpdate. For the automerge-paper document (Tandem,
// y-leveldb, hocuspocus-sqlite) and for a log of about a million updates (Tandem).
import { cp, mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadTrace } from '../../test/helpers/traces.ts';
import { runToResult, type LogLine } from '../lib/child.ts';
import { directoryBytes } from '../lib/disk.ts';
import { expectedAfter } from '../lib/expected.ts';
import { availableServers } from '../lib/native.ts';
import { runReplay } from '../lib/replay.ts';
import type { BenchContext, Scenario, Target } from '../lib/scenario.ts';
import { REPO_ROOT, startTandem, type ServerSetup } from '../lib/servers.ts';
import { median } from '../lib/stats.ts';
import { formatNumber, ratio, type Cell } from '../lib/table.ts';

const DOCUMENT = 'automerge-paper';
const LONG_DOCUMENT = 'long-log';
const QUICK_LONG_UPDATES = 100_000;
const LONG_REPEATS = 4;
const SERVERS = ['tandem', 'y-websocket-leveldb', 'hocuspocus-sqlite'];

interface Expected {
  textLength: number;
  sha256: string;
}

interface LoadRun {
  /** Tandem's own 'document loaded' debug line: storage read + applying the state; null for other servers. */
  serverLoadMs: number | null;
  /** A fresh client process's connect → its text equals the stored one (for Tandem and Hocuspocus: → synced). */
  syncMs: number;
  /** What Tandem's 'document loaded' line says it read: snapshot bytes and log entries. */
  stored?: string;
}

interface Decode {
  firstMs: number;
  warmMs: number;
}

export const coldLoad: Scenario = {
  id: 'cold-load',
  title: 'Cold load',
  comparesStores: true,
  async run(context) {
    const postgres = context.store === 'postgres' ? context.postgres : undefined;
    const trace = loadTrace('automerge-paper');
    const expected = expectedAfter(trace, trace.ops.length);
    const stateFile = join(context.workDir, 'automerge-paper.state');
    await writeFile(stateFile, expected.state);
    const { setups, unavailable } = await availableServers(context, SERVERS);
    const has = (key: string) => setups.find((setup) => setup.key === key);
    const shown = context.servers(SERVERS).map((setup) => setup.key);
    const notes: string[] = [];
    const rows: Cell[][] = [];
    const targets: Target[] = [];
    for (const [key, reason] of unavailable) notes.push(`${key}: not measured (${reason}).`);
    // Cold starts of the small document are cheap and swing with machine load: take more of them.
    const runs = context.quick ? context.runs : Math.max(context.runs, 5);

    // ---- the automerge-paper document: fill each server's storage once
    const dirs = new Map<string, string>();
    const diskAfterWrite = new Map<string, number>();
    const tandem = has('tandem');
    if (tandem) {
      const dir = join(context.workDir, 'tandem');
      context.progress('writing automerge-paper through Tandem\'s storage (one append per update, compaction as the server does it)');
      await generate(context, ['--data-dir', dir, '--doc', DOCUMENT]);
      dirs.set('tandem', dir);
      diskAfterWrite.set('tandem', await directoryBytes(dir));
    }
    // --store postgres: the same document written the same way through PgDocumentStore into a fresh database.
    let pgDatabase: string | undefined;
    if (postgres && tandem) {
      pgDatabase = await postgres.createDatabase('cold_load');
      context.progress("writing automerge-paper through Tandem's PostgreSQL store (one append per update, compaction as the server does it)");
      await generate(context, ['--database-url', pgDatabase, '--doc', DOCUMENT]);
      // What autovacuum would do soon after: dead log rows and replaced snapshots become free space.
      await postgres.query(pgDatabase, 'VACUUM (ANALYZE) tandem_log, tandem_snapshots');
      dirs.set('tandem-postgres', pgDatabase);
    }
    // A reference that fails is reported as not measured; the rest of the scenario goes on.
    const referenceFailed = (key: string, error: unknown) => {
      context.progress(`${key} failed, left out of this scenario: ${(error as Error).message}`);
      notes.push(`${key}: not measured (${(error as Error).message.split('\n')[0]}).`);
    };
    // Stores the document in a reference server; a failure leaves that reference out, not the scenario.
    const fillReference = async (setup: ServerSetup | undefined, oneUpdate: boolean, what: string) => {
      if (!setup) return undefined;
      const dir = join(context.workDir, setup.key);
      context.progress(what);
      try {
        await fill(context, setup, dir, oneUpdate);
        dirs.set(setup.key, dir);
        diskAfterWrite.set(setup.key, await directoryBytes(dir));
        return setup;
      } catch (error) {
        referenceFailed(setup.key, error);
        return undefined;
      }
    };
    let sqlite = await fillReference(has('hocuspocus-sqlite'), true, 'storing automerge-paper in hocuspocus-sqlite (its state sent as one update)');
    let leveldb = await fillReference(
      context.quick ? undefined : has('y-websocket-leveldb'),
      false,
      'streaming automerge-paper into y-websocket-leveldb op by op (y-leveldb stores every update)',
    );
    if (context.quick && shown.includes('y-websocket-leveldb')) {
      notes.push('y-websocket-leveldb: full run only (filling y-leveldb through its server op by op takes about a minute).');
    }

    // ---- cold starts, interleaved
    const decodes: Decode[] = [];
    const loads = new Map<string, LoadRun[]>([...dirs.keys(), 'y-websocket-leveldb-compacted'].map((key) => [key, []]));
    let leveldbDiskAfterLoad: number | null = null;
    for (let run = 1; run <= runs; run += 1) {
      decodes.push(await decode(stateFile));
      if (tandem) loads.get('tandem')!.push(await tandemColdStart(context, dirs.get('tandem')!, DOCUMENT, expected, false));
      if (pgDatabase) {
        const scratch = join(context.workDir, `tandem-postgres-${run}`);
        loads.get('tandem-postgres')!.push(await tandemColdStart(context, scratch, DOCUMENT, expected, false, pgDatabase));
        await rm(scratch, { recursive: true, force: true });
      }
      if (sqlite) {
        try {
          loads.get('hocuspocus-sqlite')!.push(await referenceColdStart(context, sqlite, dirs.get('hocuspocus-sqlite')!, expected));
        } catch (error) {
          referenceFailed(sqlite.key, error);
          sqlite = undefined;
        }
      }
      if (leveldb) {
        // y-leveldb merges and rewrites a long log on its first load, so every run loads a copy of the original.
        const copy = join(context.workDir, `y-websocket-leveldb-${run}`);
        try {
          await cp(dirs.get('y-websocket-leveldb')!, copy, { recursive: true });
          loads.get('y-websocket-leveldb')!.push(await referenceColdStart(context, leveldb, copy, expected));
          leveldbDiskAfterLoad ??= await directoryBytes(copy);
          loads.get('y-websocket-leveldb-compacted')!.push(await referenceColdStart(context, leveldb, copy, expected));
        } catch (error) {
          referenceFailed(leveldb.key, error);
          leveldb = undefined;
        } finally {
          await rm(copy, { recursive: true, force: true });
        }
      }
      const last = (key: string) => loads.get(key)?.at(-1);
      context.progress(
        `run ${run}/${runs}: Yjs decode ${decodes.at(-1)!.firstMs} ms fresh / ${decodes.at(-1)!.warmMs} ms warm` +
          (last('tandem') ? `; Tandem loaded in ${last('tandem')!.serverLoadMs} ms, synced ${last('tandem')!.syncMs} ms` : '') +
          (last('tandem-postgres') ? `; on PostgreSQL loaded in ${last('tandem-postgres')!.serverLoadMs} ms, synced ${last('tandem-postgres')!.syncMs} ms` : '') +
          (last('hocuspocus-sqlite') ? `; hocuspocus-sqlite synced ${last('hocuspocus-sqlite')!.syncMs} ms` : '') +
          (last('y-websocket-leveldb') ? `; y-leveldb first load synced ${last('y-websocket-leveldb')!.syncMs} ms, then ${last('y-websocket-leveldb-compacted')!.syncMs} ms` : ''),
      );
    }
    const yjsWarm = median(decodes.map((d) => d.warmMs));
    const yjsFirst = median(decodes.map((d) => d.firstMs));
    const loadRow = (what: string, key: string, pick: (run: LoadRun) => number | null, note: string) => {
      const values = (loads.get(key) ?? []).map((run) => pick(run) ?? Number.NaN);
      const figure = median(values);
      rows.push([DOCUMENT, what, figure, 'ms', ratio(figure, yjsFirst), ratio(figure, yjsWarm), values.map(formatNumber).join(' / '), note]);
      return figure;
    };
    const stateBytes = expected.state.length;
    rows.push([DOCUMENT, 'Yjs alone: first decode in a fresh process', yjsFirst, 'ms', '1.00×', ratio(yjsFirst, yjsWarm), decodes.map((d) => formatNumber(d.firstMs)).join(' / '), 'applyUpdate(new Doc, state): what a server that just started pays']);
    rows.push([DOCUMENT, 'Yjs alone: JIT-warm decode', yjsWarm, 'ms', ratio(yjsWarm, yjsFirst), '1.00×', decodes.map((d) => formatNumber(d.warmMs)).join(' / '), 'median of 7 decodes after the first, per process']);
    let tandemLoad = Number.NaN;
    let tandemSync = Number.NaN;
    if (tandem) {
      tandemLoad = loadRow("Tandem: server-side load ('document loaded')", 'tandem', (r) => r.serverLoadMs, `LevelDB read + applying it (${loads.get('tandem')?.[0]?.stored ?? '?'})`);
      tandemSync = loadRow('Tandem: client connect → synced', 'tandem', (r) => r.syncMs, 'fresh client process; adds socket, state encode, transfer, client decode');
    }
    if (pgDatabase) {
      const pgLoad = loadRow(
        "Tandem on PostgreSQL: server-side load ('document loaded')",
        'tandem-postgres',
        (r) => r.serverLoadMs,
        `PostgreSQL read (one REPEATABLE READ transaction: metadata, snapshot, log rows) + applying it (${loads.get('tandem-postgres')?.[0]?.stored ?? '?'}); ${ratio(median((loads.get('tandem-postgres') ?? []).map((r) => r.serverLoadMs ?? Number.NaN)), tandemLoad)} of LevelDB's`,
      );
      const pgSync = loadRow('Tandem on PostgreSQL: client connect → synced', 'tandem-postgres', (r) => r.syncMs, `${ratio(median((loads.get('tandem-postgres') ?? []).map((r) => r.syncMs)), tandemSync)} of LevelDB's`);
      const measured = Number.isFinite(pgLoad) && Number.isFinite(tandemLoad);
      targets.push({
        text: `(issue 14) Tandem on PostgreSQL cold load (automerge-paper, server-side load) ≤ 2× Tandem on LevelDB's → ${measured ? `${formatNumber(pgLoad)} ms vs ${formatNumber(tandemLoad)} ms = ${ratio(pgLoad, tandemLoad)}` : 'not measured'}`,
        met: measured ? pgLoad <= 2 * tandemLoad : null,
      });
      notes.push(`Client connect → synced on PostgreSQL: ${ratio(pgSync, tandemSync)} of LevelDB's.`);
    }
    if (sqlite) loadRow('hocuspocus-sqlite: client connect → synced', 'hocuspocus-sqlite', (r) => r.syncMs, 'SQLite read of the stored state + apply');
    if (leveldb) {
      loadRow('y-leveldb: first load, client connect → text equal', 'y-websocket-leveldb', (r) => r.syncMs, `reads and merges ${formatNumber(trace.ops.length)} stored updates (then rewrites them as one); the server syncs first, the text follows`);
      loadRow('y-leveldb: second load, client connect → text equal', 'y-websocket-leveldb-compacted', (r) => r.syncMs, 'after its first load merged the log');
    }
    rows.push([DOCUMENT, 'size: Y.encodeStateAsUpdate (V1)', stateBytes, 'bytes', '', '', '', 'the reference for bytes on disk']);
    const sizeRow = (what: string, bytes: number, note: string) =>
      rows.push([DOCUMENT, what, bytes, 'bytes', `${ratio(bytes, stateBytes)} of state`, '', '', note]);
    if (tandem) {
      sizeRow('size: Tandem data dir after compaction', diskAfterWrite.get('tandem')!, 'every update appended, compacted every 10,000 and at the end; sum of file sizes');
      sizeRow('size: Tandem data dir after the cold starts', await directoryBytes(dirs.get('tandem')!), 'LevelDB replays its log on open and may compact');
    }
    if (sqlite) sizeRow('size: hocuspocus-sqlite file', diskAfterWrite.get('hocuspocus-sqlite')!, 'one row holding the merged state');
    if (leveldb) {
      sizeRow('size: y-leveldb after ingest + stop', diskAfterWrite.get('y-websocket-leveldb')!, 'every update stored; y-leveldb merges only on load');
      sizeRow('size: y-leveldb after its first load', leveldbDiskAfterLoad ?? Number.NaN, 'its compaction: the log merged into one update');
    }
    if (postgres && pgDatabase) {
      const [snapshot] = await postgres.query<{ stored: number; raw: number }>(
        pgDatabase,
        'SELECT pg_column_size(state) AS stored, octet_length(state) AS raw FROM tandem_snapshots WHERE document = $1',
        [DOCUMENT],
      );
      const [tables] = await postgres.query<{ bytes: string }>(
        pgDatabase,
        "SELECT sum(pg_total_relation_size(oid))::bigint AS bytes FROM pg_class WHERE relkind = 'r' AND relname IN ('tandem_documents', 'tandem_snapshots', 'tandem_log')",
      );
      if (snapshot) sizeRow('size: PostgreSQL snapshot value (pg_column_size)', snapshot.stored, `the state as stored: TOAST ${snapshot.stored < snapshot.raw ? 'compressed' : 'uncompressed'}, ${formatNumber(snapshot.raw)} B raw`);
      sizeRow(
        'size: PostgreSQL tables (documents, snapshots, log)',
        Number(tables?.bytes ?? Number.NaN),
        "pg_total_relation_size (heap, TOAST, indexes; 8 kB pages) after a VACUUM: the files keep the space the log and the replaced snapshots took, for reuse",
      );
    }
    const tandemDisk = diskAfterWrite.get('tandem') ?? Number.NaN;
    // --store postgres measures issue 14's target; the LevelDB run (the default) holds the others.
    if (!postgres) targets.push(...coldLoadTargets('automerge-paper', tandemLoad, yjsFirst, yjsWarm), diskTarget('automerge-paper', tandemDisk, stateBytes));
    if (postgres) {
      notes.push(
        "Tandem on PostgreSQL: the document was written by bench/tandem-log-generator.ts through PgDocumentStore (one append per update, group-commit batches, compaction every 10,000 updates and at the end), into a fresh database of the run's PostgreSQL, which keeps running across the cold starts, as a database server would across Tandem restarts (its buffer cache is warm; LevelDB's files are in the OS page cache the same way). Each cold start is a new Tandem process; its connection pool opens at start-up (migrations), so the load does not pay for a connection. The long-log part of this scenario runs without --store postgres.",
      );
    }

    // ---- a long log (about a million updates), Tandem on LevelDB only (not with --store postgres)
    if (tandem && !postgres) {
      const updates = context.quick ? QUICK_LONG_UPDATES : LONG_REPEATS * trace.ops.length;
      const uncompacted = join(context.workDir, 'long-uncompacted');
      const compacted = join(context.workDir, 'long-compacted');
      const longState = join(context.workDir, 'long.state');
      context.progress(`writing a ${formatNumber(updates)}-update log through Tandem's storage, never compacted`);
      const written = await generate(context, ['--data-dir', uncompacted, '--doc', LONG_DOCUMENT, '--updates', String(updates), '--compact-every', '0', '--final', 'none', '--state-file', longState]);
      const longExpected: Expected = { textLength: Number(written.textLength), sha256: String(written.sha256) };
      await cp(uncompacted, compacted, { recursive: true });
      context.progress('compacting a copy of it through the storage API');
      const compaction = await generate(context, ['--data-dir', compacted, '--doc', LONG_DOCUMENT, '--compact-existing']);
      const uncompactedBytes = await directoryBytes(uncompacted);
      const compactedBytes = await directoryBytes(compacted);
      const longDecodes: Decode[] = [];
      const logLoads: LoadRun[] = [];
      const snapshotLoads: LoadRun[] = [];
      for (let run = 1; run <= context.runs; run += 1) {
        longDecodes.push(await decode(longState));
        // Killed, not stopped: a graceful stop would compact the log this run means to load again.
        logLoads.push(await tandemColdStart(context, uncompacted, LONG_DOCUMENT, longExpected, true));
        snapshotLoads.push(await tandemColdStart(context, compacted, LONG_DOCUMENT, longExpected, false));
        context.progress(
          `long log run ${run}/${context.runs}: Yjs decode ${longDecodes.at(-1)!.firstMs} ms fresh; Tandem loaded the log in ` +
            `${logLoads.at(-1)!.serverLoadMs} ms, the compacted document in ${snapshotLoads.at(-1)!.serverLoadMs} ms`,
        );
      }
      const label = `${formatNumber(updates)} updates`;
      const longFirst = median(longDecodes.map((d) => d.firstMs));
      const longWarm = median(longDecodes.map((d) => d.warmMs));
      const longStateBytes = Number(written.stateBytes);
      const longRow = (what: string, values: number[], note: string) => {
        const figure = median(values);
        rows.push([label, what, figure, 'ms', ratio(figure, longFirst), ratio(figure, longWarm), values.map(formatNumber).join(' / '), note]);
        return figure;
      };
      longRow('Yjs alone: first decode in a fresh process', longDecodes.map((d) => d.firstMs), `the final state: ${formatNumber(longExpected.textLength)} characters`);
      longRow('Yjs alone: JIT-warm decode', longDecodes.map((d) => d.warmMs), '');
      longRow("Tandem: uncompacted log, server-side load ('document loaded')", logLoads.map((r) => r.serverLoadMs ?? Number.NaN), `LevelDB read + applying each entry (${logLoads[0]?.stored ?? '?'})`);
      longRow('Tandem: uncompacted log, client connect → synced', logLoads.map((r) => r.syncMs), '');
      const longLoad = longRow("Tandem: compacted, server-side load ('document loaded')", snapshotLoads.map((r) => r.serverLoadMs ?? Number.NaN), `${snapshotLoads[0]?.stored ?? '?'}`);
      longRow('Tandem: compacted, client connect → synced', snapshotLoads.map((r) => r.syncMs), '');
      rows.push([label, 'size: Y.encodeStateAsUpdate (V1)', longStateBytes, 'bytes', '', '', '', '']);
      rows.push([label, 'size: Tandem data dir, uncompacted log', uncompactedBytes, 'bytes', `${ratio(uncompactedBytes, longStateBytes)} of state`, '', '', `written in ${written.seconds} s`]);
      rows.push([label, 'size: Tandem data dir after compaction', compactedBytes, 'bytes', `${ratio(compactedBytes, longStateBytes)} of state`, '', '', `compacted in ${compaction.seconds} s`]);
      targets.push(...coldLoadTargets(`${label}, compacted`, longLoad, longFirst, longWarm), diskTarget(label, compactedBytes, longStateBytes));
      notes.push(
        `The ${label} log was written by bench/tandem-log-generator.ts straight through Tandem's storage module ` +
          `(LevelDocumentStore: one log append per single-op Yjs update, in group-commit batches, no server or socket): ` +
          `the automerge-paper trace replayed ${context.quick ? 'in part' : `${LONG_REPEATS} times in sequence, each replay appended after the text before`}. ` +
          'The uncompacted log is what a crash before any compaction would leave; the server itself compacts every 10,000 updates ' +
          '(--compact-after-updates), so it only builds such a log with that threshold raised. Its copy was compacted through the same API.',
      );
    }
    if (tandem) {
      notes.push(
        "Tandem's automerge-paper data dir was written the same way (bench/tandem-log-generator.ts), with the server's " +
          'compaction: every 10,000 updates and at the end (as a graceful stop does). Each cold start is a new server process ' +
          "at --log-level debug; the figure is its own 'document loaded' line. The reader checks the text's SHA-256.",
      );
    }
    notes.push(
      'Yjs alone: bench/yjs-decode.ts applies the same state to a new Y.Doc in a fresh process; the first decode is what ' +
        "a server that just started pays (V8 not yet warm), the warm one the floor. The issue's \"about 110 ms\" matched the " +
        'fresh-process decode on a loaded machine.',
    );
    return {
      method: `fresh server processes loading a stored document on a client's first sync; median of ${runs} cold start(s) (${context.runs} for the long log)`,
      header: ['document', 'measure', 'figure', 'unit', 'vs Yjs fresh', 'vs Yjs warm', 'runs', 'notes'],
      rows,
      targets,
      charts: [],
      notes,
    };
  },
};

async function generate(context: BenchContext, args: string[]): Promise<LogLine> {
  // With --tandem-main, the data is written by that checkout's storage module, in the format its server reads.
  const serverDir = context.tandemMain ? dirname(context.tandemMain) : join(REPO_ROOT, 'server');
  return runToResult(join(REPO_ROOT, 'bench/tandem-log-generator.ts'), [...args, '--server-dir', serverDir], 1_800_000);
}

async function decode(stateFile: string): Promise<Decode> {
  const result = await runToResult(join(REPO_ROOT, 'bench/yjs-decode.ts'), ['--state', stateFile], 300_000);
  return { firstMs: Number(result.firstMs), warmMs: median(result.warmMs as number[]) };
}

/** Stores the automerge-paper document in a reference server and stops it gracefully. */
async function fill(context: BenchContext, setup: ServerSetup, dir: string, oneUpdate: boolean): Promise<void> {
  await mkdir(dir, { recursive: true });
  const server = await setup.start(dir, { profileDir: context.profileDir });
  const trace = loadTrace('automerge-paper');
  const expected = expectedAfter(trace, trace.ops.length);
  await runReplay(server, { trace: 'automerge-paper', documentName: DOCUMENT, expected, timeoutMs: 1_200_000, oneUpdate }).finally(() => server.stop());
  const code = await server.stop();
  if (code !== 0) throw new Error(`${setup.key} exited with code ${code} after storing the document`);
}

/** A fresh client process's connect → its text equals the stored one; rejects if it never does. */
async function readBack(url: string, protocol: string, documentName: string, expected: Expected): Promise<number> {
  // The y-websocket server answers the first sync before y-leveldb has loaded the document (bindState is not
  // awaited), so the reader follows until the text is the expected one rather than stopping at 'synced'.
  const seen = await runToResult(
    join(REPO_ROOT, 'bench/reader.ts'),
    ['--protocol', protocol, '--url', url, '--doc', documentName, '--length', String(expected.textLength), '--sha256', expected.sha256],
    300_000,
  );
  if (seen.sha256 !== expected.sha256) {
    throw new Error(`"${documentName}" came back from disk with different text (${String(seen.textLength)} characters, expected ${expected.textLength})`);
  }
  return Number(seen.textMs);
}

async function tandemColdStart(
  context: BenchContext,
  dataDir: string,
  documentName: string,
  expected: Expected,
  kill: boolean,
  databaseUrl?: string,
): Promise<LoadRun> {
  const server = await startTandem({
    label: databaseUrl ? 'tandem-postgres-cold-load' : 'tandem-cold-load',
    entry: context.tandemMain,
    dataDir,
    fsync: false,
    databaseUrl,
    logLevel: 'debug',
    profileDir: context.profileDir,
  });
  // Killed, or stopped gracefully (and then it must exit cleanly).
  const stop = () => (kill ? server.child.stop('SIGKILL') : server.stop());
  const loaded = await (async () => {
    const syncMs = await readBack(server.wsUrl, 'hocuspocus', documentName, expected);
    const line = await server.child.waitForLine((l) => l.msg === 'document loaded' && l.doc === documentName, 10_000, "the 'document loaded' log line");
    return { serverLoadMs: Number(line.ms), syncMs, stored: `snapshot ${formatNumber(Number(line.snapshotBytes))} B, ${formatNumber(Number(line.logEntries))} log entries` };
  })().finally(stop);
  const code = await stop();
  if (!kill && code !== 0) throw new Error(`Tandem exited with code ${code} after a cold load\n${server.child.stderr().slice(-2000)}`);
  return loaded;
}

async function referenceColdStart(context: BenchContext, setup: ServerSetup, dir: string, expected: Expected): Promise<LoadRun> {
  const server = await setup.start(dir, { profileDir: context.profileDir });
  try {
    return { serverLoadMs: null, syncMs: await readBack(server.wsUrl, server.protocol, DOCUMENT, expected) };
  } finally {
    await server.stop();
  }
}

function coldLoadTargets(what: string, load: number, first: number, warm: number): Target[] {
  const measured = Number.isFinite(load) && Number.isFinite(first) && Number.isFinite(warm);
  const text = (reference: string, value: number) =>
    `Tandem cold load (${what}) ≤ 1.5× Yjs's ${reference} decode → ${measured ? ratio(load, value) : 'not measured'}`;
  return [
    { text: text('fresh-process', first), met: measured ? load / first <= 1.5 : null },
    { text: text('JIT-warm', warm), met: measured ? load / warm <= 1.5 : null },
  ];
}

function diskTarget(what: string, bytes: number, stateBytes: number): Target {
  const measured = Number.isFinite(bytes);
  return {
    text: `Tandem disk after compaction (${what}) ≤ 1.2× the encoded state → ${measured ? ratio(bytes, stateBytes) : 'not measured'}`,
    met: measured ? bytes / stateBytes <= 1.2 : null,
  };
}
