// Comments are durable like edits: SIGKILL trials of the real server on LevelDB and on PostgreSQL lose none
// of the comments it answered "stored". (More trials: npm run soak -- --only comments,comments-pg.)
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { runCommentCrashTrials } from '../helpers/comment-crash.ts';
import { testSeed } from '../helpers/edits.ts';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.ts';

let postgres: TestPostgres | undefined;
after(() => postgres?.close());

test('SIGKILL trials on LevelDB: no acknowledged comment is lost', { timeout: 120_000 }, async () => {
  const result = await runCommentCrashTrials({ seed: testSeed('comment crash leveldb'), trials: 3, log: (line) => console.log(`# ${line}`) });
  assert.ok(result.acknowledged > 0 && result.acknowledged <= result.sent);
});

test('SIGKILL trials on PostgreSQL: no acknowledged comment is lost', { timeout: 120_000, skip: postgresMissing() ?? undefined }, async () => {
  postgres = await startPostgres();
  const databaseUrl = await postgres.createDatabase('comment_crash');
  const result = await runCommentCrashTrials({ seed: testSeed('comment crash postgres'), trials: 2, databaseUrl, log: (line) => console.log(`# ${line}`) });
  assert.ok(result.acknowledged > 0);
});
