// PostgreSQL gives back the space of compacted history: many append + compaction cycles on one document, and
// tandem_log and tandem_snapshots do not grow with them (autovacuum, with the table settings of migration 1),
// nor do dead rows pile up. A longer run is in the soak (`npm run soak -- --only pg-space`).
import { after, before, describe, test } from 'node:test';
import { assertSpaceReused, compactionCycles, describeSample } from '../helpers/pg-space.ts';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.ts';

const seed = Number(process.env.TANDEM_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
const replayHint = `seed ${seed} (replay with TANDEM_TEST_SEED=${seed})`;

describe('PostgreSQL disk space under compaction', { skip: postgresMissing() ?? undefined }, () => {
  let postgres: TestPostgres;
  before(async () => {
    // Time compressed: autovacuum looks every second instead of every minute. The claim under test is that
    // its visits keep the tables bounded, not how often an operator's server schedules them.
    postgres = await startPostgres({ settings: { autovacuum_naptime: '1s' } });
  });
  after(async () => {
    await postgres.close();
  });

  test(`1,200 append + compaction cycles leave tandem_log and tandem_snapshots bounded (${replayHint})`, { timeout: 180_000 }, async (t) => {
    t.diagnostic(replayHint);
    const samples = await compactionCycles({ url: await postgres.createDatabase('space'), seed, cycles: 1_200, sampleEvery: 100 });
    for (const sample of samples) t.diagnostic(describeSample(sample));
    assertSpaceReused(samples);
  });
});
