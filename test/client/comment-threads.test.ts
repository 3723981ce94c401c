// The threads as the Comments panel shows them: unacknowledged actions laid over the stored threads, the
// Open/Resolved filter, one's own comments, and the pending-actions outbox in localStorage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newCommentId, type Thread } from '../../common/comments.ts';
import { loadOutbox, outboxKey, saveOutbox, type PendingComment } from '../../client/src/comment-outbox.ts';
import { isOwnComment, knownPeople, mayComment, threadsIn, threadsWithPending } from '../../client/src/comment-threads.ts';

const ADA = { id: 'ada', name: 'Ada Lovelace' };
const CARL = { id: 'carl', name: 'Carl Sagan' };
const ANCHOR = { start: { type: null, tname: 'default', item: { client: 1, clock: 0 }, assoc: 0 }, end: { type: null, tname: 'default', item: { client: 1, clock: 5 }, assoc: -1 } };

const stored: Thread = {
  id: 't1', anchor: ANCHOR, quote: 'Monday', createdAt: 1000, resolved: false, resolvedBy: null, resolvedAt: null,
  comments: [{ id: 'c1', author: CARL, body: 'Tuesday?', createdAt: 1000, editedAt: null, deleted: false }],
};
const pending = (action: PendingComment['action'], at = 2000): PendingComment => ({ requestId: `r-${at}`, action, at });

test('stored threads show as they are, nothing pending', () => {
  const [thread] = threadsWithPending([stored], [], ADA);
  assert.equal(thread?.pending, false);
  assert.deepEqual(thread?.comments.map((comment) => [comment.body, comment.pending]), [['Tuesday?', false]]);
});

test('a new thread, a reply, an edit, a delete and a resolve show as they will be, marked pending', () => {
  const views = threadsWithPending(
    [stored],
    [
      pending({ action: 'create', threadId: 't2', commentId: 'c9', anchor: null, quote: 'Friday', body: 'Which budget?' }, 3000),
      pending({ action: 'reply', threadId: 't1', commentId: 'c2', body: 'Works for me' }, 2000),
      pending({ action: 'resolve', threadId: 't1', resolved: true }, 2100),
    ],
    ADA,
  );
  assert.deepEqual(views.map((thread) => [thread.id, thread.pending, thread.resolved]), [['t1', true, true], ['t2', true, false]]);
  assert.deepEqual(views[0]?.comments.map((comment) => [comment.author.name, comment.body, comment.pending]), [['Carl Sagan', 'Tuesday?', false], ['Ada Lovelace', 'Works for me', true]]);
  assert.equal(views[0]?.resolvedBy?.name, 'Ada Lovelace');
  assert.deepEqual(views[1]?.comments.map((comment) => [comment.body, comment.createdAt, comment.pending]), [['Which budget?', 3000, true]]);

  const edited = threadsWithPending([stored], [pending({ action: 'edit', threadId: 't1', commentId: 'c1', body: 'Tuesday afternoon?' })], CARL)[0];
  assert.deepEqual([edited?.comments[0]?.body, edited?.comments[0]?.editedAt, edited?.comments[0]?.pending], ['Tuesday afternoon?', 2000, true]);
  const deleted = threadsWithPending([stored], [pending({ action: 'delete', threadId: 't1', commentId: 'c1' })], CARL)[0];
  assert.deepEqual([deleted?.comments[0]?.deleted, deleted?.comments[0]?.body, deleted?.comments[0]?.pending], [true, '', true]);
});

test('what the server already stored shows once: a repeat adds nothing', () => {
  const replied = { ...stored, comments: [...stored.comments, { id: 'c2', author: ADA, body: 'Works for me', createdAt: 2500, editedAt: null, deleted: false }] };
  const views = threadsWithPending(
    [replied],
    [pending({ action: 'create', threadId: 't1', commentId: 'c1', anchor: null, quote: '', body: 'Tuesday?' }), pending({ action: 'reply', threadId: 't1', commentId: 'c2', body: 'Works for me' })],
    ADA,
  );
  assert.equal(views.length, 1);
  assert.deepEqual(views[0]?.comments.map((comment) => comment.pending), [false, false]);
  assert.equal(threadsWithPending([], [pending({ action: 'reply', threadId: 'gone', commentId: 'c3', body: 'x' })], ADA).length, 0, 'a reply to an unknown thread shows nothing');
});

test('Open and Resolved, own comments, and who may comment', () => {
  const views = threadsWithPending([stored, { ...stored, id: 't0', createdAt: 500, resolved: true }], [], ADA);
  assert.deepEqual(views.map((thread) => thread.id), ['t0', 't1'], 'oldest first');
  assert.deepEqual(threadsIn(views, 'open').map((thread) => thread.id), ['t1']);
  assert.deepEqual(threadsIn(views, 'resolved').map((thread) => thread.id), ['t0']);
  assert.equal(isOwnComment(stored.comments[0]!, CARL), true);
  assert.equal(isOwnComment(stored.comments[0]!, { id: 'other', name: 'Carl Sagan' }), false, 'by id, not name');
  assert.deepEqual(['read', 'comment', 'write', 'admin', null].map((permission) => mayComment(permission as never)), [false, true, true, true, false]);
});

test('people to mention: those present, then comment authors, each once', () => {
  assert.deepEqual(knownPeople(['Ada Lovelace', ' carl sagan '], [stored]), ['Ada Lovelace', 'carl sagan']);
  assert.deepEqual(knownPeople([], [stored]), ['Carl Sagan']);
});

test('the outbox keeps pending actions per document, drops damaged entries, and empties to nothing', () => {
  const data = new Map<string, string>();
  const storage = { getItem: (key: string) => data.get(key) ?? null, setItem: (key: string, value: string) => void data.set(key, value), removeItem: (key: string) => void data.delete(key) } as Storage;
  const one = pending({ action: 'resolve', threadId: 't1', resolved: true });
  saveOutbox(storage, 'plan', [one]);
  assert.deepEqual(loadOutbox(storage, 'plan'), [one]);
  assert.deepEqual(loadOutbox(storage, 'other'), []);
  data.set(outboxKey('plan'), JSON.stringify([one, { requestId: 3 }, null, { requestId: 'x', at: 1, action: 'nope' }]));
  assert.deepEqual(loadOutbox(storage, 'plan'), [one]);
  data.set(outboxKey('plan'), '{broken');
  assert.deepEqual(loadOutbox(storage, 'plan'), []);
  saveOutbox(storage, 'plan', []);
  assert.equal(data.has(outboxKey('plan')), false);
  assert.match(newCommentId(), /^[0-9a-f]{20}$/);
});
