// Entry of `npm run bench`: durable ingest and cold load, Tandem against stock Hocuspocus, as one table.
//
//   npm run bench                      full: the whole automerge-paper trace, median of 3 runs (several minutes)
//   npm run bench -- --quick           1 run of the first 50,000 ops (under 2 minutes)
//   npm run bench -- --runs 5 --ops 100000 --servers tandem,hocuspocus-no-batching --profile /tmp/prof
//   npm run bench -- --tandem-main ../patched/server/main.ts   (A/B: Tandem from another checkout)
//
// Every server runs in its own child process and the writer in another, all on loopback.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadTrace } from '../test/helpers/traces.ts';
import { runToResult } from './lib/child.ts';
import { directoryBytes } from './lib/disk.ts';
import { expectedAfter } from './lib/expected.ts';
import { REPO_ROOT, startHocuspocus, startTandem, type RunningServer } from './lib/servers.ts';
import { median } from './lib/stats.ts';
import { formatMarkdownTable, formatNumber, formatTable, ratio, type Cell } from './lib/table.ts';
import { runColdLoad, type ColdLoadRun } from './scenarios/cold-load.ts';
import { runIngest, type IngestRun } from './scenarios/ingest.ts';

const DOCUMENT = 'automerge-paper';
const QUICK_OPS = 50_000;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    ops: { type: 'string' },
    servers: { type: 'string' },
    profile: { type: 'string' },
    'tandem-main': { type: 'string' },
    json: { type: 'string' },
    markdown: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

const tandemMain = values['tandem-main'] ? resolve(values['tandem-main']) : undefined;

interface ServerSetup {
  key: string;
  name: string;
  start(dataDir: string, profileDir: string | undefined): Promise<RunningServer>;
  tandem: boolean;
}

const SETUPS: ServerSetup[] = [
  {
    key: 'hocuspocus-default',
    name: 'stock Hocuspocus, defaults (flushDelay 0), no persistence',
    tandem: false,
    start: (_dir, profileDir) => startHocuspocus({ label: 'hocuspocus-default', flushDelay: 0, profileDir }),
  },
  {
    key: 'hocuspocus-no-batching',
    name: 'stock Hocuspocus, flushDelay: false, no persistence',
    tandem: false,
    start: (_dir, profileDir) => startHocuspocus({ label: 'hocuspocus-no-batching', flushDelay: false, profileDir }),
  },
  {
    key: 'tandem',
    name: 'Tandem, fsync off (default)',
    tandem: true,
    start: (dataDir, profileDir) => startTandem({ label: 'tandem', entry: tandemMain, dataDir, fsync: false, logLevel: 'warn', profileDir }),
  },
  {
    key: 'tandem-fsync',
    name: 'Tandem, --fsync on',
    tandem: true,
    start: (dataDir, profileDir) => startTandem({ label: 'tandem-fsync', entry: tandemMain, dataDir, fsync: true, logLevel: 'warn', profileDir }),
  },
];
const INGEST_REFERENCE = 'hocuspocus-no-batching';

if (values.help) {
  process.stdout.write(
    'npm run bench: durable ingest and cold load of the automerge-paper trace, Tandem vs stock Hocuspocus\n' +
      `Flags: --quick, --runs N, --ops N, --servers ${SETUPS.map((s) => s.key).join(',')}, ` +
      '--profile DIR (CPU profiles of the server processes), --tandem-main FILE, --json FILE, --markdown (table as Markdown too)\n',
  );
  process.exit(0);
}

const trace = loadTrace('automerge-paper');
const runs = Number(values.runs ?? (values.quick ? 1 : 3));
const ops = Math.min(Number(values.ops ?? (values.quick ? QUICK_OPS : trace.ops.length)), trace.ops.length);
// Cold starts are cheap (under a second each) and swing more with machine load: take more of them.
const coldRuns = values.quick ? runs : Math.max(runs, 5);
const selected = values.servers ? SETUPS.filter((s) => values.servers!.split(',').includes(s.key)) : SETUPS;
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
if (!Number.isInteger(ops) || ops < 1) throw new Error('--ops must be a positive integer');
if (selected.length === 0) throw new Error(`--servers must name some of ${SETUPS.map((s) => s.key).join(', ')}`);

const benchStarted = performance.now();
const machine = {
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  freeMemoryGiB: Math.round(freemem() / 2 ** 30),
};
progress(
  `Tandem benchmark: ${ops.toLocaleString('en-US')} of ${trace.ops.length.toLocaleString('en-US')} automerge-paper ops, ` +
    `median of ${runs} run(s); node ${machine.node}, ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB`,
);
const loadAtStart = loadavg()[0]!;
if (loadAtStart > 0.5) {
  progress(`warning: 1-minute load average is ${loadAtStart.toFixed(2)}; other processes will skew the figures`);
}
const expected = expectedAfter(trace, ops);
progress(`expected: ${expected.textLength.toLocaleString('en-US')} chars, state ${expected.state.length.toLocaleString('en-US')} bytes`);

const workDir = await mkdtemp(join(tmpdir(), 'tandem-bench-'));
try {
  const ingest = new Map<string, IngestRun[]>(selected.map((s) => [s.key, []]));
  const shutdownMs: number[] = [];
  let coldDir: string | null = null;

  // Runs interleave the servers so drift on the machine (thermal, other load) hits them all alike.
  for (let run = 1; run <= runs; run += 1) {
    for (const setup of selected) {
      const dataDir = join(workDir, `${setup.key}-${run}`);
      const server = await setup.start(dataDir, values.profile);
      let result: IngestRun;
      try {
        result = await runIngest(server, expected, DOCUMENT);
      } catch (error) {
        await server.stop();
        throw error;
      }
      const stopStarted = performance.now();
      const code = await server.stop();
      if (code !== 0) throw new Error(`${setup.key} exited with code ${code}\n${server.child.stderr().slice(-2000)}`);
      if (setup.tandem) shutdownMs.push(performance.now() - stopStarted);
      ingest.get(setup.key)!.push(result);
      progress(
        `run ${run}/${runs} ${setup.key.padEnd(22)} ${formatNumber(result.updatesPerSecond).padStart(7)} updates/s ` +
          `(all acked after ${formatNumber(result.ackedMs)} ms, sent after ${formatNumber(result.sentMs)} ms; ` +
          `CPU server ${result.serverCpuPercent ?? '?'}% = ${result.serverCpuMicrosPerUpdate ?? '?'} µs/update, writer ${result.writerCpuPercent}%)`,
      );
      if (setup.key === 'tandem') {
        if (coldDir) await rm(coldDir, { recursive: true, force: true });
        coldDir = dataDir;
      } else if (setup.tandem) {
        await rm(dataDir, { recursive: true, force: true });
      }
    }
  }

  const cold: ColdLoadRun[] = [];
  let diskAfterIngest: number | null = null;
  let diskAfterColdLoads: number | null = null;
  if (coldDir) {
    diskAfterIngest = await directoryBytes(coldDir);
    for (let run = 1; run <= coldRuns; run += 1) {
      const result = await runColdLoad(coldDir, expected, DOCUMENT, { profileDir: values.profile, entry: tandemMain });
      cold.push(result);
      progress(`cold load ${run}/${coldRuns}: server ${result.serverLoadMs} ms, connect → synced ${result.syncMs} ms`);
    }
    diskAfterColdLoads = await directoryBytes(coldDir);
  }

  const stateFile = join(workDir, 'state.bin');
  await writeFile(stateFile, expected.state);
  const decodes = [];
  for (let run = 1; run <= coldRuns; run += 1) {
    decodes.push(await runToResult(join(REPO_ROOT, 'bench/yjs-decode.ts'), ['--state', stateFile], 120_000));
  }
  const yjsFirstMs = median(decodes.map((d) => Number(d.firstMs)));
  const yjsWarmMs = median(decodes.flatMap((d) => d.warmMs as number[]));

  // ---- report
  const header = ['scenario', 'server', 'figure', 'unit', 'vs reference', 'runs', 'notes'];
  const rows: Cell[][] = [];
  const reference = median((ingest.get(INGEST_REFERENCE) ?? []).map((r) => r.updatesPerSecond));
  for (const setup of selected) {
    const results = ingest.get(setup.key)!;
    const figure = median(results.map((r) => r.updatesPerSecond));
    rows.push([
      'durable ingest',
      setup.name,
      figure,
      'updates/s',
      setup.key === INGEST_REFERENCE ? '1.00× (reference)' : ratio(figure, reference),
      results.map((r) => formatNumber(r.updatesPerSecond)).join(' / '),
      `CPU: server ${formatNumber(median(results.map((r) => r.serverCpuPercent ?? Number.NaN)))}% ` +
        `(${formatNumber(median(results.map((r) => r.serverCpuMicrosPerUpdate ?? Number.NaN)))} µs/update), ` +
        `writer ${formatNumber(median(results.map((r) => r.writerCpuPercent)))}%; ` +
        `peak unacked ${formatNumber(median(results.map((r) => r.peakUnacknowledged)))}`,
    ]);
  }
  rows.push(['cold load', 'Yjs alone: applyUpdate(new Doc, state), JIT-warm', yjsWarmMs, 'ms', '1.00× (reference)', decodes.map((d) => median(d.warmMs as number[])).join(' / '), `median of ${coldRuns}×7 decodes`]);
  rows.push(['cold load', 'Yjs alone: first decode in a fresh process', yjsFirstMs, 'ms', ratio(yjsFirstMs, yjsWarmMs), decodes.map((d) => String(d.firstMs)).join(' / '), 'what a server that just started pays']);
  if (cold.length > 0) {
    const serverLoad = median(cold.map((c) => c.serverLoadMs));
    const sync = median(cold.map((c) => c.syncMs));
    rows.push(['cold load', "Tandem: server-side load ('document loaded')", serverLoad, 'ms', ratio(serverLoad, yjsWarmMs), cold.map((c) => String(c.serverLoadMs)).join(' / '), `LevelDB read + apply; snapshot ${formatNumber(cold[0]!.snapshotBytes)} B, ${cold[0]!.logEntries} log entries`]);
    rows.push(['cold load', 'Tandem: provider connect → synced', sync, 'ms', ratio(sync, yjsWarmMs), cold.map((c) => String(c.syncMs)).join(' / '), 'adds socket, state encode, transfer, client decode']);
  }
  rows.push(['size', 'Y.encodeStateAsUpdate (V1)', expected.state.length, 'bytes', '1.00× (reference)', '', '']);
  if (diskAfterIngest !== null) {
    rows.push(['size', 'Tandem data dir after ingest + graceful stop', diskAfterIngest, 'bytes', ratio(diskAfterIngest, expected.state.length), '', 'sum of file sizes (du -b)']);
    rows.push(['size', `Tandem data dir after ${coldRuns} cold start(s)`, diskAfterColdLoads!, 'bytes', ratio(diskAfterColdLoads!, expected.state.length), '', 'LevelDB replays its log on open and may compact']);
  }

  const tandemIngest = median((ingest.get('tandem') ?? []).map((r) => r.updatesPerSecond));
  const tandemLoad = median(cold.map((c) => c.serverLoadMs));
  const targets = [
    `Tandem durable ingest ≥ 1.0× stock Hocuspocus flushDelay: false → ${ratio(tandemIngest, reference)} ${verdict(tandemIngest / reference >= 1)}`,
    `Tandem cold load (server side) ≤ 1.5× Yjs decode → ${ratio(tandemLoad, yjsWarmMs)} of JIT-warm, ` +
      `${ratio(tandemLoad, yjsFirstMs)} of fresh-process decode ${verdict(tandemLoad / yjsWarmMs <= 1.5)}`,
  ];

  const title =
    `automerge-paper, ${ops.toLocaleString('en-US')} ops; ingest: median of ${runs} run(s), cold load: of ${coldRuns}; ` +
    `node ${machine.node}, ${machine.cpus} CPUs`;
  process.stdout.write(`\n${title}\n\n${formatTable(header, rows)}\n\nTargets:\n  ${targets.join('\n  ')}\n`);
  if (shutdownMs.length > 0) {
    process.stdout.write(`\nTandem graceful stop after ingest (SIGTERM → exit, includes compaction): median ${formatNumber(median(shutdownMs))} ms\n`);
  }
  if (values.markdown) process.stdout.write(`\n${formatMarkdownTable(header, rows)}\n`);
  process.stdout.write(
    `\nTotal bench time: ${formatNumber((performance.now() - benchStarted) / 1000)} s; ` +
      `1-minute load average ${loadAtStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end (other processes skew figures)\n`,
  );
  if (values.profile) process.stdout.write(`CPU profiles of the server processes: ${values.profile}\n`);

  if (values.json) {
    await writeFile(
      values.json,
      `${JSON.stringify({ machine, loadAverage: [loadAtStart, loadavg()[0]], ops, runs, ingest: Object.fromEntries(ingest), cold, decodes, diskAfterIngest, diskAfterColdLoads, stateBytes: expected.state.length, shutdownMs }, null, 2)}\n`,
    );
  }
} finally {
  await rm(workDir, { recursive: true, force: true });
}

function verdict(met: boolean): string {
  return met ? '(met)' : '(MISSED)';
}

function progress(message: string): void {
  process.stderr.write(`[${((performance.now() - benchStarted) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);
}
