// Entry of `npm run bench`: every scenario of the suite, Tandem against the reference servers, one report.
//
//   npm run bench                                   full suite, each figure a median of 3 runs
//   npm run bench -- --quick                        a slice of every scenario, under 2 minutes
//   npm run bench -- --only ingest,fan-out          some scenarios
//   npm run bench -- --servers tandem,y-websocket   some servers (references left out show as not measured)
//   npm run bench -- --write-docs                   also put each scenario's results in docs/benchmarks.md (between
//                                                   its <!-- bench:ID --> markers) and its charts in docs/charts/
//   npm run bench -- --tandem-main ../patched/server/main.ts   A/B: Tandem from another checkout
//   npm run bench -- --profile /tmp/prof            V8 CPU profile of every server process
//   npm run bench -- --store postgres               ingest, fan-out and cold load with Tandem on PostgreSQL beside
//                                                   Tandem on LevelDB (--fsync on and off) and the references
//   npm run bench -- --only cluster                 Tandem on three instances against stock Hocuspocus + Redis on
//                                                   three (needs PostgreSQL and redis-server installed)
//
// Every server runs in its own child process and every load generator in others, all on loopback.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { renderMarkdownSection, renderTextSection, replaceSection, type RunInfo, type SectionTiming } from './lib/report.ts';
import { BenchPostgres } from './lib/postgres.ts';
import type { BenchContext, Scenario, ScenarioResult, StoreKind } from './lib/scenario.ts';
import { REPO_ROOT, SERVER_SETUPS } from './lib/servers.ts';
import { cluster } from './scenarios/cluster.ts';
import { coldLoad } from './scenarios/cold-load.ts';
import { connections } from './scenarios/connections.ts';
import { fanOut } from './scenarios/fan-out.ts';
import { ingest } from './scenarios/ingest.ts';
import { scale } from './scenarios/scale.ts';
import { traceReplay } from './scenarios/traces.ts';

const SCENARIOS: readonly Scenario[] = [ingest, fanOut, coldLoad, connections, scale, traceReplay, cluster];

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    runs: { type: 'string' },
    servers: { type: 'string' },
    profile: { type: 'string' },
    'tandem-main': { type: 'string' },
    store: { type: 'string', default: 'leveldb' },
    'write-docs': { type: 'boolean', default: false },
    json: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(
    'npm run bench: Tandem against stock Hocuspocus and the y-websocket server, on loopback\n' +
      `  --quick             a slice of every scenario (under 2 minutes)\n` +
      `  --only IDS          scenarios: ${SCENARIOS.map((s) => s.id).join(', ')}\n` +
      `  --runs N            runs per figure (median; default 3, 1 with --quick)\n` +
      `  --servers KEYS      servers: ${SERVER_SETUPS.map((s) => s.key).join(', ')}\n` +
      `  --write-docs        put each scenario's results in docs/benchmarks.md and its charts in docs/charts/\n` +
      `  --tandem-main FILE  Tandem's server/main.ts from another checkout (A/B)\n` +
      `  --profile DIR       V8 CPU profiles of the server processes\n` +
      `  --store postgres    ${SCENARIOS.filter((s) => s.comparesStores).map((s) => s.id).join(', ')} with Tandem on PostgreSQL (a local\n` +
      `                      server the bench starts) beside Tandem on LevelDB, --fsync on and off; default leveldb\n` +
      `  --json FILE         every result as JSON\n` +
      `Environment: BENCH_SCALE_SECONDS (default 600) sets how long the full scale scenario loads each server.\n`,
  );
  process.exit(0);
}

const quick = values.quick;
const runs = Number(values.runs ?? (quick ? 1 : 3));
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
if (values.store !== 'leveldb' && values.store !== 'postgres') throw new Error('--store must be leveldb or postgres');
const store: StoreKind = values.store;
// With PostgreSQL, the scenarios that compare stores; the others measure Tandem on LevelDB only.
const storeScenarios = store === 'postgres' ? SCENARIOS.filter((s) => s.comparesStores) : SCENARIOS;
const onlyIds = values.only?.split(',').map((id) => id.trim()).filter(Boolean);
const unknownScenario = onlyIds?.find((id) => !storeScenarios.some((s) => s.id === id));
if (unknownScenario) {
  throw new Error(`--only: unknown scenario "${unknownScenario}"${store === 'postgres' ? ' with --store postgres' : ''}; known: ${storeScenarios.map((s) => s.id).join(', ')}`);
}
const selectedScenarios = onlyIds ? storeScenarios.filter((s) => onlyIds.includes(s.id)) : storeScenarios;
const serverKeys = values.servers?.split(',').map((key) => key.trim()).filter(Boolean);
const unknownServer = serverKeys?.find((key) => !SERVER_SETUPS.some((s) => s.key === key));
if (unknownServer) throw new Error(`--servers: unknown server "${unknownServer}"; known: ${SERVER_SETUPS.map((s) => s.key).join(', ')}`);

const benchStarted = performance.now();
const machine = {
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  freeMemoryGiB: Math.round(freemem() / 2 ** 30),
};
const loadAtStart = loadavg()[0]!;
progress(
  `Tandem benchmark suite${quick ? ' (--quick)' : ''}${store === 'postgres' ? ', --store postgres' : ''}: ${selectedScenarios.map((s) => s.id).join(', ')}; median of ${runs} run(s); ` +
    `node ${machine.node}, ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB`,
);
if (loadAtStart > 0.5) progress(`warning: 1-minute load average is ${loadAtStart.toFixed(2)}; other processes will skew the figures`);

const workRoot = await mkdtemp(join(tmpdir(), 'tandem-bench-'));
const chartsDir = values['write-docs'] ? join(REPO_ROOT, 'docs/charts') : join(workRoot, 'charts');
await mkdir(chartsDir, { recursive: true });
const results: { scenario: Scenario; result: ScenarioResult; timing: SectionTiming }[] = [];
const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
const run: RunInfo = { command, machine, runs, quick };
let postgres: BenchPostgres | undefined;
try {
  if (store === 'postgres') {
    postgres = await BenchPostgres.start();
    progress(`PostgreSQL started for the run (${postgres.url}; fsync and synchronous_commit on; pg_stat_statements)`);
  }
  for (const scenario of selectedScenarios) {
    const workDir = join(workRoot, scenario.id);
    await mkdir(workDir, { recursive: true });
    const context: BenchContext = {
      quick,
      runs,
      servers: (keys) => SERVER_SETUPS.filter((s) => keys.includes(s.key) && (!serverKeys || serverKeys.includes(s.key))),
      workDir,
      chartsDir,
      profileDir: values.profile,
      tandemMain: values['tandem-main'] ? resolve(values['tandem-main']) : undefined,
      store,
      postgres,
      progress: (message) => progress(`${scenario.id}: ${message}`),
    };
    const started = performance.now();
    const startedAt = new Date().toISOString();
    const loadBefore = loadavg()[0]!;
    progress(`── ${scenario.title}`);
    const result = await scenario.run(context);
    const timing: SectionTiming = { startedAt, seconds: (performance.now() - started) / 1000, loadAverage: [loadBefore, loadavg()[0]!] };
    results.push({ scenario, result, timing });
    process.stdout.write(`\n${renderTextSection(shownAs(scenario), result)}\n`);
    // Written as each scenario ends, so a later failure in an hour-long run keeps what was measured.
    if (values['write-docs']) await writeDocsSection(scenario, result, timing);
    await rm(workDir, { recursive: true, force: true });
  }

  const totalSeconds = (performance.now() - benchStarted) / 1000;
  const targets = results.flatMap(({ scenario, result }) => result.targets.map((t) => ({ scenario: scenario.id, ...t })));
  process.stdout.write(
    `\nTargets: ${targets.filter((t) => t.met === true).length} met, ${targets.filter((t) => t.met === false).length} missed, ` +
      `${targets.filter((t) => t.met === null).length} not measured\n` +
      targets.map((t) => `  ${t.met === null ? 'n/a   ' : t.met ? 'met   ' : 'MISSED'}  [${t.scenario}] ${t.text}`).join('\n') +
      `\n\nTotal ${totalSeconds.toFixed(0)} s; 1-minute load average ${loadAtStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end\n`,
  );

  if (values.json) {
    const json = { ...run, totalSeconds, results: results.map(({ scenario, result, timing }) => ({ id: scenario.id, ...timing, ...result })) };
    await writeFile(values.json, `${JSON.stringify(json, null, 2)}\n`);
  }
} finally {
  await postgres?.close();
  await rm(workRoot, { recursive: true, force: true });
}

/** With --store postgres a scenario's section is its own (docs marker bench:ID-postgres), beside the LevelDB one. */
function shownAs(scenario: Scenario): Scenario {
  return store === 'postgres' ? { ...scenario, id: `${scenario.id}-postgres`, title: `${scenario.title}: PostgreSQL beside LevelDB` } : scenario;
}

async function writeDocsSection(scenario: Scenario, result: ScenarioResult, timing: SectionTiming): Promise<void> {
  const file = join(REPO_ROOT, 'docs/benchmarks.md');
  const document = await readFile(file, 'utf8');
  const section = shownAs(scenario);
  await writeFile(file, replaceSection(document, section.id, renderMarkdownSection(run, section, result, timing)));
  progress(`${scenario.id}: results written into ${file}${result.charts.length > 0 ? `, charts into ${chartsDir}` : ''}`);
}

function progress(message: string): void {
  process.stderr.write(`[${((performance.now() - benchStarted) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);
}
