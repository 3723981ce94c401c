// Crash safety on PostgreSQL: Tandem is SIGKILLed while providers type (PostgreSQL keeps running), and no
// acknowledged edit is lost, also when the kill lands inside a compaction transaction. More trials run in the
// soak (`npm run soak -- --only crash-pg,compaction-kill-pg`).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCrashTrials } from '../helpers/crash-trials.ts';
import { CompactionWatch, growDocument } from '../helpers/pg-compactions.ts';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.ts';

const seed = Number(process.env.TANDEM_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
const replayHint = `seed ${seed} (replay with TANDEM_TEST_SEED=${seed})`;

describe('SIGKILL of Tandem on PostgreSQL', { skip: postgresMissing() ?? undefined }, () => {
  let postgres: TestPostgres;
  before(async () => {
    postgres = await startPostgres();
  });
  after(async () => {
    await postgres.close();
  });

  test(`acknowledged edits survive a SIGKILL while providers type (1 trial, ${replayHint})`, { timeout: 120_000 }, async (t) => {
    t.diagnostic(replayHint);
    const databaseUrl = await postgres.createDatabase('crash');
    const watch = await CompactionWatch.connect(databaseUrl);
    try {
      const result = await runCrashTrials({
        seed,
        trials: 1,
        databaseUrl,
        checkStored: (documentName) => watch.assertNoGap(documentName),
        log: (line) => t.diagnostic(line),
      });
      assert.equal(result.trials, 1);
    } finally {
      await watch.close();
    }
  });

  test(`a SIGKILL inside a compaction transaction loses nothing and leaves no gap (${replayHint})`, { timeout: 180_000 }, async (t) => {
    t.diagnostic(replayHint);
    const databaseUrl = await postgres.createDatabase('compaction_kill');
    const watch = await CompactionWatch.connect(databaseUrl);
    try {
      const result = await runCrashTrials({
        seed,
        // Kills until one lands inside an open compaction transaction: the others land as one commits.
        trials: 5,
        stopAfterHits: 1,
        databaseUrl,
        documents: ['big', 'small'],
        // Every few updates a compaction of a 1 MB document: its transaction is open for a while.
        compactAfterUpdates: [20],
        prepare: (server) => growDocument(server, 'big', 1024 * 1024, seed),
        killMoment: () => watch.moment(),
        checkStored: (documentName) => watch.assertNoGap(documentName),
        log: (line) => t.diagnostic(line),
      });
      assert.equal(result.hits, 1, `none of ${result.trials} kills landed inside a compaction transaction`);
    } finally {
      await watch.close();
    }
  });
});
