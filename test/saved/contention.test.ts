// Saved never lies under CPU contention: a trace replayed after idling, beside another replay and busy cores.
import { test } from 'node:test';
import { contentionScenario } from '../helpers/saved-scenarios.ts';

test('a trace replayed under CPU contention is whole after "saved", SIGKILL and restart', { timeout: 200_000 }, async (t) => {
  // Shorter traces than automerge-paper keep npm test quick; `npm run soak` replays automerge-paper.
  await contentionScenario({ log: (line) => t.diagnostic(line), trace: 'friendsforever_flat', backgroundTrace: 'clownschool_flat' });
});
