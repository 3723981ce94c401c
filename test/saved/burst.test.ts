// Saved never lies under a burst: 3 × 20,000 one-letter updates on one provider against default limits.
import { test } from 'node:test';
import { burstScenario, pickSeed, replayHint } from '../helpers/saved-scenarios.ts';

const seed = pickSeed();

test(`after each burst, "saved" means a fresh provider and a SIGKILLed server have it all (${replayHint(seed)})`, { timeout: 200_000 }, async (t) => {
  t.diagnostic(replayHint(seed));
  await burstScenario({ seed, log: (line) => t.diagnostic(line), bursts: 3, burstSize: 20_000 });
});
