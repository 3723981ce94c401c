// The cluster soak: runs the cluster's fault tests (failover, zombie owner, rolling restart, Redis and
// PostgreSQL restarts) several times in a row, each run with a new seed, and prints a summary with the
// failover times they report. `npm test` runs each once.
//
//   npm run soak:cluster -- [--runs 3] [--until-fail] [--only failover,zombie] [--seed N]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FILES: Record<string, string> = {
  failover: 'test/cluster/failover.test.ts',
  zombie: 'test/cluster/zombie.test.ts',
  'rolling-restart': 'test/cluster/rolling-restart.test.ts',
  outages: 'test/cluster/outages.test.ts',
  'long-replay': 'test/cluster/long-replay.test.ts',
};

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    'until-fail': { type: 'boolean', default: false },
    only: { type: 'string' },
    seed: { type: 'string' },
  },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, not ${values.runs}`);
const names = values.only ? values.only.split(',') : Object.keys(FILES);
for (const name of names) if (!FILES[name]) throw new Error(`unknown scenario "${name}"; pick from ${Object.keys(FILES).join(', ')}`);
let seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);

interface Result {
  name: string;
  run: number;
  seed: number;
  passed: boolean;
  seconds: number;
  notes: string[];
}
const results: Result[] = [];

function runFile(file: string, runSeed: number): Promise<{ passed: boolean; notes: string[]; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-reporter=tap', file], {
      cwd: REPO_ROOT,
      env: { ...process.env, TANDEM_TEST_SEED: String(runSeed), TANDEM_SOAK: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => {
      // The tests' own diagnostics: failover times, drain times, what /readyz said.
      const notes = output.split('\n').filter((line) => /^\s*# (failover|instance|while|zombie)/.test(line)).map((line) => line.trim().slice(2));
      resolve({ passed: code === 0, notes, output });
    });
  });
}

outer: for (let run = 1; run <= runs; run++) {
  for (const name of names) {
    const file = FILES[name]!;
    if (!existsSync(`${REPO_ROOT}${file}`)) continue;
    const started = performance.now();
    process.stdout.write(`[${name} ${run}/${runs}] seed ${seed} … `);
    const { passed, notes, output } = await runFile(file, seed);
    const seconds = Math.round((performance.now() - started) / 1000);
    results.push({ name, run, seed, passed, seconds, notes });
    process.stdout.write(`${passed ? 'passed' : 'FAILED'} in ${seconds} s\n`);
    for (const note of notes) process.stdout.write(`    ${note}\n`);
    if (!passed) {
      process.stdout.write(`${output}\n    replay: TANDEM_TEST_SEED=${seed} node --test ${file}\n`);
      if (values['until-fail']) break outer;
    }
    seed += 1;
  }
}

const failed = results.filter((result) => !result.passed);
process.stdout.write(`\n${results.length - failed.length}/${results.length} runs passed`);
process.stdout.write(failed.length > 0 ? `; failed: ${failed.map((r) => `${r.name} (seed ${r.seed})`).join(', ')}\n` : '\n');
process.exit(failed.length > 0 ? 1 : 0);
