// Which problem the banner shows when several are known: the most serious one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keepLasting, pickShown } from '../../client/src/banner.ts';
import { problemFromClose, READ_ONLY, SERVER_UNAVAILABLE, type Problem } from '../../client/src/problems.ts';

const tooLarge = problemFromClose(1009, '') as Problem;
const denied = problemFromClose(4403, 'Forbidden') as Problem;

test('a lasting problem is replaced by one at least as serious, never by a milder one', () => {
  assert.equal(keepLasting(null, READ_ONLY), READ_ONLY);
  assert.equal(keepLasting(READ_ONLY, tooLarge), tooLarge);
  assert.equal(keepLasting(tooLarge, READ_ONLY), tooLarge);
  assert.equal(keepLasting(tooLarge, denied), denied, 'the latest of equal seriousness');
});

test('a passing warning shows over read-only information, but not over a lasting error', () => {
  assert.equal(pickShown(READ_ONLY, SERVER_UNAVAILABLE), SERVER_UNAVAILABLE);
  assert.equal(pickShown(tooLarge, SERVER_UNAVAILABLE), tooLarge);
  assert.equal(pickShown(null, SERVER_UNAVAILABLE), SERVER_UNAVAILABLE);
  assert.equal(pickShown(READ_ONLY, null), READ_ONLY, 'read-only comes back once the server does');
  assert.equal(pickShown(null, null), null);
});
