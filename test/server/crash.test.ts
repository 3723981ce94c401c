// Crash safety on LevelDB: an edit whose save was acknowledged survives a SIGKILL of the server at any moment.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCrashTrials } from '../helpers/crash-trials.ts';

const TRIALS = 30;
const CLIENTS = 5;

const seed = Number(process.env.TANDEM_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
const replayHint = `seed ${seed} (replay with TANDEM_TEST_SEED=${seed})`;

test(`acknowledged edits survive SIGKILL (${TRIALS} trials, ${replayHint})`, { timeout: 180_000 }, async (t) => {
  t.diagnostic(replayHint);
  // Small compaction thresholds among the picks make kills land during compactions too, not only appends.
  const result = await runCrashTrials({ seed, trials: TRIALS, clients: CLIENTS, log: (line) => t.diagnostic(line) });
  assert.equal(result.trials, TRIALS);
});
