// The "saved never lies" soak: loops every scenario of test/saved (and a long one-socket replay), then a summary.
//
//   npm run soak -- [--runs 5] [--until-fail] [--only burst,restart] [--trace automerge-paper] [--seed N]
import { parseArgs } from 'node:util';
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
    name: 'long-replay',
    run: async (_seed, log) => {
      const result = await longReplayScenario({ log, trace });
      return `${Math.round(result.rate)} updates/s over ${result.seconds.toFixed(0)} s`;
    },
  },
];

const only = values.only?.split(',').map((name) => name.trim());
const unknown = only?.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name)) ?? [];
if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
const selected = SCENARIOS.filter((scenario) => !only || only.includes(scenario.name));

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
