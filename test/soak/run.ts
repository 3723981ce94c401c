// The soak: loops the "saved never lies" scenarios of test/saved (and a long one-socket replay), SIGKILL trials
// for comments, and the PostgreSQL fault scenarios (Tandem SIGKILLed, kills inside compactions, PostgreSQL restarted or killed under
// Tandem, disk space under compaction), then a summary.
//
//   npm run soak -- [--runs 5] [--until-fail] [--only burst,restart,crash-pg] [--trace automerge-paper] [--seed N]
import { parseArgs } from 'node:util';
import { runCommentCrashTrials } from '../helpers/comment-crash.ts';
import { runCrashTrials } from '../helpers/crash-trials.ts';
import { CompactionWatch, growDocument } from '../helpers/pg-compactions.ts';
import { postgresOutageScenario } from '../helpers/pg-outage.ts';
import { assertSpaceReused, compactionCycles, describeSample } from '../helpers/pg-space.ts';
import { postgresMissing, startPostgres, type StartPostgresOptions, type TestPostgres } from '../helpers/postgres.ts';
import {
  burstScenario,
  contentionScenario,
  longReplayScenario,
  pickSeed,
  replayHint,
  type Log,
  type TraceName,
} from '../helpers/saved-scenarios.ts';
import { TRACE_NAMES } from '../helpers/traces.ts';

interface Scenario {
  name: string;
  /** One run; resolves with an extra note for the summary, rejects on a lie or a dropped socket. */
  run(seed: number, log: Log): Promise<string | void>;
  /** Why the scenario cannot run on this machine, or null. */
  missing?: () => string | null;
}

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'until-fail': { type: 'boolean', default: false },
    only: { type: 'string' },
    trace: { type: 'string', default: 'automerge-paper' },
    seed: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write(
    'npm run soak -- [--runs N (5)] [--until-fail: stop at the first failure] [--only name,name] ' +
      '[--trace automerge-paper] [--seed N]\n',
  );
  process.exit(0);
}

const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, not ${values.runs}`);
const trace = values.trace as TraceName;
if (!(TRACE_NAMES as readonly string[]).includes(trace)) throw new Error(`--trace must be one of ${TRACE_NAMES.join(', ')}`);
const baseSeed = values.seed === undefined ? pickSeed() : Number(values.seed);

const SCENARIOS: Scenario[] = [
  { name: 'burst', run: (seed, log) => burstScenario({ seed, log, bursts: 3, burstSize: 20_000 }) },
  {
    name: 'low-limit',
    run: (seed, log) =>
      burstScenario({ seed, log, bursts: 4, burstSize: 5_000, serverArgs: ['--max-messages-per-second', '500'], maxMessagesPerSecond: 500 }),
  },
  { name: 'restart', run: (seed, log) => burstScenario({ seed, log, bursts: 3, burstSize: 15_000, restartMidBurst: true }) },
  {
    name: 'contention',
    run: (_seed, log) => contentionScenario({ log, trace, backgroundTrace: trace === 'friendsforever_flat' ? 'clownschool_flat' : 'friendsforever_flat' }),
  },
  {
    name: 'comments',
    // Commenters write as fast as the server answers; the server is SIGKILLed; every answered comment stays.
    run: async (seed, log) => {
      const result = await runCommentCrashTrials({ seed, trials: 10, log });
      return `${result.acknowledged}/${result.sent} comments acknowledged, none lost`;
    },
  },
  {
    name: 'long-replay',
    run: async (_seed, log) => {
      const result = await longReplayScenario({ log, trace });
      return `${Math.round(result.rate)} updates/s over ${result.seconds.toFixed(0)} s`;
    },
  },
];

/** Runs `work` against a PostgreSQL of its own (one per run: a run's faults stay its own), then removes it. */
async function withPostgres<T>(work: (postgres: TestPostgres) => Promise<T>, options?: StartPostgresOptions): Promise<T> {
  const postgres = await startPostgres(options);
  try {
    return await work(postgres);
  } finally {
    await postgres.close();
  }
}

const PG_SCENARIOS: Scenario[] = [
  {
    name: 'crash-pg',
    // Tandem SIGKILLed at random moments while five providers type; PostgreSQL keeps running.
    run: (seed, log) =>
      withPostgres(async (postgres) => {
        const databaseUrl = await postgres.createDatabase('crash');
        const watch = await CompactionWatch.connect(databaseUrl);
        try {
          const result = await runCrashTrials({ seed, trials: 3, databaseUrl, log, checkStored: (name) => watch.assertNoGap(name) });
          return `${result.acknowledged}/${result.sent} acknowledged, none lost`;
        } finally {
          await watch.close();
        }
      }),
  },
  {
    name: 'compaction-kill-pg',
    // Kills aimed at an open compaction transaction of a 1 MB document; at least one must land inside.
    run: (seed, log) =>
      withPostgres(async (postgres) => {
        const databaseUrl = await postgres.createDatabase('compaction_kill');
        const watch = await CompactionWatch.connect(databaseUrl);
        try {
          const result = await runCrashTrials({
            seed,
            trials: 3,
            databaseUrl,
            documents: ['big', 'small'],
            compactAfterUpdates: [20],
            prepare: (server) => growDocument(server, 'big', 1024 * 1024, seed),
            killMoment: () => watch.moment(),
            checkStored: (name) => watch.assertNoGap(name),
            log,
          });
          if (result.hits === 0) throw new Error(`none of ${result.trials} kills landed inside a compaction transaction`);
          return `${result.hits}/${result.trials} kills inside, ${result.acknowledged} acknowledged, none lost`;
        } finally {
          await watch.close();
        }
      }),
  },
  {
    name: 'comments-pg',
    run: (seed, log) =>
      withPostgres(async (postgres) => {
        const result = await runCommentCrashTrials({ seed, trials: 10, log, databaseUrl: await postgres.createDatabase('comments') });
        return `${result.acknowledged}/${result.sent} comments acknowledged, none lost`;
      }),
  },
  { name: 'pg-restart', run: (seed, log) => withPostgres((postgres) => postgresOutageScenario({ seed, log, postgres, how: 'restart' })) },
  { name: 'pg-kill', run: (seed, log) => withPostgres((postgres) => postgresOutageScenario({ seed, log, postgres, how: 'kill' })) },
  {
    name: 'pg-space',
    run: (seed, log) =>
      withPostgres(
        async (postgres) => {
          const samples = await compactionCycles({ url: await postgres.createDatabase('space'), seed, cycles: 4_000, sampleEvery: 250 });
          for (const sample of samples) log(describeSample(sample));
          assertSpaceReused(samples);
          const end = samples.at(-1)!.tables;
          return `log ${Math.round(end.tandem_log.bytes / 1024)} KiB, snapshots ${Math.round(end.tandem_snapshots.bytes / 1024)} KiB`;
        },
        // Time compressed, as in test/storage/pg-space.test.ts: autovacuum every second, not every minute.
        { settings: { autovacuum_naptime: '1s' } },
      ),
  },
];

SCENARIOS.push(...PG_SCENARIOS.map((scenario) => ({ ...scenario, missing: postgresMissing })));

const only = values.only?.split(',').map((name) => name.trim());
const unknown = only?.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name)) ?? [];
if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
const unable = SCENARIOS.filter((scenario) => only?.includes(scenario.name) && scenario.missing?.());
if (unable.length) throw new Error(`cannot run ${unable.map((s) => s.name).join(', ')}: ${unable[0]!.missing!()}`);
const selected = SCENARIOS.filter((scenario) => {
  if (only && !only.includes(scenario.name)) return false;
  const missing = scenario.missing?.();
  if (missing) process.stdout.write(`soak: skipping ${scenario.name}: ${missing}\n`);
  return !missing;
});

interface Outcome {
  scenario: string;
  runs: number;
  passed: number;
  failures: string[];
  notes: string[];
  seconds: number;
}

const soakStarted = performance.now();
process.stdout.write(`soak: ${selected.map((s) => s.name).join(', ')} × ${runs}; trace ${trace}; base ${replayHint(baseSeed)}\n`);
const outcomes: Outcome[] = [];
let stop = false;
for (const scenario of selected) {
  const outcome: Outcome = { scenario: scenario.name, runs: 0, passed: 0, failures: [], notes: [], seconds: 0 };
  outcomes.push(outcome);
  for (let run = 1; run <= runs && !stop; run += 1) {
    // Each run gets its own seed, printed, so one failing run replays alone with --seed and --runs 1.
    const seed = baseSeed + outcomes.length * 1_000 + run - 1;
    const tag = `[${scenario.name} ${run}/${runs}]`;
    const log: Log = (line) => process.stdout.write(`${tag} ${line}\n`);
    log(`start, seed ${seed}`);
    const started = performance.now();
    outcome.runs += 1;
    try {
      const note = await scenario.run(seed, log);
      outcome.passed += 1;
      if (note) outcome.notes.push(note);
      log(`passed in ${seconds(performance.now() - started)}${note ? `: ${note}` : ''}`);
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
      outcome.failures.push(`run ${run} (seed ${seed}): ${message}`);
      log(`FAILED in ${seconds(performance.now() - started)}: ${message}`);
      if (values['until-fail']) stop = true;
    }
    outcome.seconds += (performance.now() - started) / 1000;
  }
}

const rows = outcomes.map((o) => [o.scenario, String(o.runs), String(o.passed), `${o.seconds.toFixed(0)} s`, o.notes.join('; ')]);
const header = ['scenario', 'runs', 'passed', 'time', 'notes'];
const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
process.stdout.write(`\n${line(header)}\n${line(widths.map((width) => '-'.repeat(width)))}\n`);
for (const row of rows) process.stdout.write(`${line(row)}\n`);
const failures = outcomes.flatMap((o) => o.failures.map((failure) => `${o.scenario} ${failure}`));
process.stdout.write(`\n${failures.length} failures in ${seconds(performance.now() - soakStarted)}\n`);
for (const failure of failures) process.stdout.write(`  ${failure}\n`);
process.exitCode = failures.length > 0 ? 1 : 0;

function seconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(1)} s`;
}
