// Saved never lies across graceful restarts (SIGTERM) of the server in the middle of each of 3 bursts.
import { test } from 'node:test';
import { burstScenario, pickSeed, replayHint } from '../helpers/saved-scenarios.ts';

const seed = pickSeed();

test(`a burst that spans a SIGTERM and restart is whole once the provider says saved (${replayHint(seed)})`, { timeout: 200_000 }, async (t) => {
  t.diagnostic(replayHint(seed));
  await burstScenario({ seed, log: (line) => t.diagnostic(line), bursts: 3, burstSize: 15_000, restartMidBurst: true });
});
