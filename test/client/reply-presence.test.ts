// Who is replying to which thread, from awareness states: others only, named, per thread; and the line shown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REPLYING_FIELD, repliersByThread, replyingText } from '../../client/src/reply-presence.ts';

test('repliers are grouped by thread, named once, sorted; oneself and unnamed states are left out', () => {
  const states = new Map<number, Record<string, unknown>>([
    [1, { user: { name: 'Self' }, [REPLYING_FIELD]: 't1' }],
    [2, { user: { name: 'Grace' }, [REPLYING_FIELD]: 't1' }],
    [3, { user: { name: 'Ada' }, [REPLYING_FIELD]: 't1' }],
    // The same person in a second tab counts once.
    [4, { user: { name: 'Ada' }, [REPLYING_FIELD]: 't1' }],
    [5, { user: { name: 'Carl' }, [REPLYING_FIELD]: 't2' }],
    [6, { user: { name: 'Idle' }, [REPLYING_FIELD]: null }],
    [7, { user: { name: '  ' }, [REPLYING_FIELD]: 't2' }],
    [8, { [REPLYING_FIELD]: 't2' }],
    [9, { user: { name: 'Odd' }, [REPLYING_FIELD]: 42 }],
  ]);
  assert.deepEqual([...repliersByThread(states, 1)], [
    ['t1', ['Ada', 'Grace']],
    ['t2', ['Carl']],
  ]);
});

test('the line under a thread names up to three people, then counts the rest', () => {
  assert.equal(replyingText([]), '');
  assert.equal(replyingText(['Ada']), 'Ada is replying…');
  assert.equal(replyingText(['Ada', 'Grace']), 'Ada and Grace are replying…');
  assert.equal(replyingText(['Ada', 'Carl', 'Grace']), 'Ada, Carl and Grace are replying…');
  assert.equal(replyingText(['Ada', 'Carl', 'Grace', 'Linus']), 'Ada, Carl and 2 others are replying…');
});
