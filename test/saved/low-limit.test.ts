// Saved never lies under a burst when the operator set a low per-socket limit (--max-messages-per-second 500).
import { test } from 'node:test';
import { burstScenario, pickSeed, replayHint } from '../helpers/saved-scenarios.ts';

const seed = pickSeed();
const LIMIT = 500;

test(`with ${LIMIT} messages/s per socket, "saved" after a burst is still the whole truth (${replayHint(seed)})`, { timeout: 200_000 }, async (t) => {
  t.diagnostic(replayHint(seed));
  // 4 × 5,000: at 500/s the server needs about 40 s to admit them all without dropping any.
  await burstScenario({
    seed,
    log: (line) => t.diagnostic(line),
    bursts: 4,
    burstSize: 5_000,
    serverArgs: ['--max-messages-per-second', String(LIMIT)],
    maxMessagesPerSecond: LIMIT,
  });
});
