// Saved never lies across a graceful restart (SIGTERM) of the server in the middle of a burst.
import { test } from 'node:test';
import { burstScenario, pickSeed, replayHint } from '../helpers/saved-scenarios.ts';

const seed = pickSeed();

test(`a burst that spans a SIGTERM and restart is whole once the provider says saved (${replayHint(seed)})`, { timeout: 200_000 }, async (t) => {
  t.diagnostic(replayHint(seed));
  await burstScenario({ seed, log: (line) => t.diagnostic(line), bursts: 2, burstSize: 20_000, restartMidBurst: true });
});
