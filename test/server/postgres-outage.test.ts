// PostgreSQL restarted, or killed outright, under a running Tandem process while providers type on several
// documents: nothing is acknowledged while it is down, /readyz says 503 then 200 without restarting Tandem,
// and every edit is stored. More runs in the soak (`npm run soak -- --only pg-restart,pg-kill`).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { postgresOutageScenario } from '../helpers/pg-outage.ts';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.ts';

const seed = Number(process.env.TANDEM_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
const replayHint = `seed ${seed} (replay with TANDEM_TEST_SEED=${seed})`;

describe('PostgreSQL outage under a running Tandem', { skip: postgresMissing() ?? undefined }, () => {
  let postgres: TestPostgres;
  before(async () => {
    postgres = await startPostgres();
  });
  after(async () => {
    await postgres.close();
  });

  test(`a PostgreSQL restart mid-typing: edits wait, none lost, Tandem recovers by itself (${replayHint})`, { timeout: 180_000 }, async (t) => {
    t.diagnostic(replayHint);
    await postgresOutageScenario({ seed, postgres, how: 'restart', log: (line) => t.diagnostic(line) });
  });

  test(`PostgreSQL SIGKILLed mid-typing, then crash recovery: edits wait, none lost, Tandem recovers by itself (${replayHint})`, { timeout: 180_000 }, async (t) => {
    t.diagnostic(replayHint);
    await postgresOutageScenario({ seed: seed + 1, postgres, how: 'kill', log: (line) => t.diagnostic(line) });
    // The kill was a crash for PostgreSQL, not a shutdown it was told about.
    assert.match(postgres.serverLog(), /automatic recovery in progress/, 'PostgreSQL ran crash recovery');
  });
});
