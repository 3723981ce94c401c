// Comments over the editors' own connections, in jwt mode with each role: a comment token's content edits are
// refused and store nothing while its comments land, answered once stored and seen live by every editor; a
// read token may not comment; one's own comments only are edited; a message sent twice counts once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as Y from 'yjs';
import { ACCESS_NOTICE, COMMENT_MESSAGE, COMMENT_RESULT, COMMENTS_ROOT, type CommentAction, type CommentResult, type Thread } from '../../common/comments.ts';
import { mintToken } from '../../server/cli/token.ts';
import { connectClient, waitFor, waitForAllSaved, type TestClient } from '../helpers/providers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const SECRET = 'comment-messages-test-secret-long-enough';
const DOC = 'discussed';
let server: TestServer;
const tokens: Record<string, string> = {};

before(async () => {
  server = await startServer({ auth: 'jwt', jwtSecret: SECRET, autoVersions: false });
  for (const [user, permission] of [['wanda', 'write'], ['carl', 'comment'], ['rita', 'read'], ['ada', 'admin']] as const) {
    tokens[user] = await mintToken({ secret: SECRET, user, name: user.toUpperCase(), docs: [`${DOC}:${permission}`], expiresInSeconds: 600 });
  }
});
after(() => server.close());

let requests = 0;
/** Sends one comment action and resolves with the server's answer. */
function send(client: TestClient, action: CommentAction): Promise<CommentResult> {
  const requestId = `r${++requests}`;
  return new Promise((resolve) => {
    const listener = ({ payload }: { payload: string }) => {
      const result = JSON.parse(payload) as CommentResult;
      if (result.type !== COMMENT_RESULT || result.requestId !== requestId) return;
      client.provider.off('stateless', listener);
      resolve(result);
    };
    client.provider.on('stateless', listener);
    client.provider.sendStateless(JSON.stringify({ type: COMMENT_MESSAGE, requestId, ...action }));
  });
}

const threads = (doc: Y.Doc) => [...doc.getMap<Thread>(COMMENTS_ROOT).values()];
const storedBytes = async () => (await server.app.store.getMeta(DOC))?.bytes ?? 0;

test('a comment token comments but cannot change the content: its edits store 0 bytes, its comments land for everyone', async () => {
  const wanda = await connectClient(server.wsUrl, DOC, { token: tokens.wanda });
  const carl = await connectClient(server.wsUrl, DOC, { token: tokens.carl });
  try {
    const paragraph = new Y.XmlElement('paragraph');
    paragraph.insert(0, [new Y.XmlText('The plan as written.')]);
    wanda.doc.getXmlFragment('default').insert(0, [paragraph]);
    await waitForAllSaved(wanda);
    await waitFor(() => carl.doc.getXmlFragment('default').length === 1, 5_000, 'the text at the commenter');

    // The commenter's own change to the content, and to the threads directly: refused, nothing stored.
    const before = await storedBytes();
    carl.doc.getXmlFragment('default').insert(1, [new Y.XmlElement('paragraph')]);
    carl.doc.getMap(COMMENTS_ROOT).set('forged', { id: 'forged' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await storedBytes(), before, 'a comment token’s writes store 0 bytes');
    assert.equal(wanda.doc.getXmlFragment('default').length, 1, 'nobody else got them');
    assert.equal(wanda.doc.getMap(COMMENTS_ROOT).size, 0);

    const text = carl.doc.getXmlFragment('default').get(0) as Y.XmlElement;
    const words = text.get(0) as Y.XmlText;
    // As JSON travels: plain objects.
    const anchor = JSON.parse(
      JSON.stringify({
        start: Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(words, 4)),
        end: Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(words, 8)),
      }),
    ) as { start: Record<string, unknown>; end: Record<string, unknown> };
    const created = await send(carl, { action: 'create', threadId: 't1', commentId: 'c1', anchor, quote: 'plan', body: 'Which plan?' });
    assert.deepEqual(created, { type: COMMENT_RESULT, requestId: created.requestId, ok: true, error: null });
    assert.ok((await storedBytes()) > before, 'the comment is stored before it is answered');
    await waitFor(() => threads(wanda.doc).length === 1, 5_000, 'the thread at the writer');
    const [thread] = threads(wanda.doc);
    assert.deepEqual(thread!.comments.map((comment) => [comment.author, comment.body]), [[{ id: 'carl', name: 'CARL' }, 'Which plan?']], 'the author comes from the token');
    assert.deepEqual(thread!.anchor, anchor);

    // Sent again (a reconnect would): nothing twice.
    assert.equal((await send(carl, { action: 'create', threadId: 't1', commentId: 'c1', anchor, quote: 'plan', body: 'Which plan?' })).ok, true);
    assert.equal((await send(wanda, { action: 'reply', threadId: 't1', commentId: 'c2', body: 'The written one.' })).ok, true);
    assert.equal((await send(wanda, { action: 'reply', threadId: 't1', commentId: 'c2', body: 'The written one.' })).ok, true);
    // (Its own refused writes stay in its copy: the thread is read by id.)
    await waitFor(() => carl.doc.getMap<Thread>(COMMENTS_ROOT).get('t1')?.comments.length === 2, 5_000, 'the reply at the commenter');

    // Own comments only.
    const notMine = await send(carl, { action: 'edit', threadId: 't1', commentId: 'c2', body: 'rewritten' });
    assert.deepEqual([notMine.ok, notMine.error], [false, 'forbidden: only its author may edit this comment']);
    assert.equal((await send(carl, { action: 'edit', threadId: 't1', commentId: 'c1', body: 'Which plan, exactly?' })).ok, true);
    assert.equal((await send(carl, { action: 'resolve', threadId: 't1', resolved: true })).ok, true);
    await waitFor(() => threads(wanda.doc)[0]?.resolved === true, 5_000, 'the resolution at the writer');
    assert.deepEqual(threads(wanda.doc)[0]!.resolvedBy, { id: 'carl', name: 'CARL' });
    assert.equal(threads(wanda.doc)[0]!.comments[0]!.body, 'Which plan, exactly?');
    const badAnchor = await send(carl, { action: 'create', threadId: 't2', commentId: 'c3', anchor: { start: 'x', end: {} } as never, quote: '', body: 'hm' });
    assert.deepEqual([badAnchor.ok, badAnchor.error], [false, 'bad-request: "anchor.start" must be a relative position']);
  } finally {
    wanda.destroy();
    carl.destroy();
  }
});

test('a read token may not comment; an admin deletes anyone’s comment but edits none', async () => {
  const rita = await connectClient(server.wsUrl, DOC, { token: tokens.rita });
  const ada = await connectClient(server.wsUrl, DOC, { token: tokens.ada });
  try {
    const refused = await send(rita, { action: 'reply', threadId: 't1', commentId: 'c9', body: 'me too' });
    assert.deepEqual([refused.ok, refused.error], [false, 'forbidden: this access does not include commenting']);
    assert.equal((await send(ada, { action: 'edit', threadId: 't1', commentId: 'c1', body: 'admin words' })).ok, false);
    assert.equal((await send(ada, { action: 'delete', threadId: 't1', commentId: 'c1' })).ok, true);
    await waitFor(() => threads(rita.doc)[0]?.comments[0]?.deleted === true, 5_000, 'the deletion at the reader');
    assert.equal(threads(rita.doc)[0]!.comments[0]!.body, '', 'a deleted comment keeps its place, not its text');
  } finally {
    rita.destroy();
    ada.destroy();
  }
});

test('comments survive a restart: answered means stored', async () => {
  await server.restart();
  const reader = await connectClient(server.wsUrl, DOC, { token: tokens.rita });
  try {
    const [thread] = threads(reader.doc);
    assert.deepEqual(thread?.comments.map((comment) => comment.id), ['c1', 'c2']);
    assert.equal(thread?.resolved, true);
  } finally {
    reader.destroy();
  }
});

test('restoring a version leaves the threads as they are; a version holds the threads of its time', async () => {
  const admin = { authorization: `Bearer ${tokens.ada}`, 'content-type': 'application/json' };
  const version = (await (await fetch(`${server.url}/api/documents/${DOC}/versions`, { method: 'POST', headers: admin, body: '{"label":"with one thread"}' })).json()) as { version: { id: number } };
  const carl = await connectClient(server.wsUrl, DOC, { token: tokens.carl });
  try {
    assert.equal((await send(carl, { action: 'create', threadId: 't3', commentId: 'c5', anchor: null, quote: '', body: 'On the whole document' })).ok, true);
    const restored = await fetch(`${server.url}/api/documents/${DOC}/versions/${version.version.id}/restore`, { method: 'POST', headers: admin, body: '{}' });
    assert.equal(restored.status, 200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(threads(carl.doc).map((thread) => thread.id).filter((id) => id !== 'forged').sort(), ['t1', 't3'], 'the restore kept the later thread');
  } finally {
    carl.destroy();
  }
  const state = await server.app.store.versions.state(DOC, version.version.id);
  const old = new Y.Doc();
  Y.applyUpdate(old, state);
  assert.deepEqual(threads(old).map((thread) => thread.id), ['t1'], 'the version has the threads it had');
  const shown = (await (await fetch(`${server.url}/api/documents/${DOC}/versions/${version.version.id}`, { headers: admin })).json()) as { threads: Array<{ id: string; anchored: { state: string; text: string } | null }> };
  assert.deepEqual(shown.threads.map((thread) => [thread.id, thread.anchored]), [['t1', { state: 'attached', text: 'plan' }]], 'a version’s preview has its threads, anchored in its text');
});

test('each editor is told what its access allows and who it is', async () => {
  for (const [user, permission] of [['carl', 'comment'], ['rita', 'read'], ['wanda', 'write']] as const) {
    const notices: unknown[] = [];
    const client = await connectClient(server.wsUrl, DOC, { token: tokens[user], waitForSync: false });
    client.provider.on('stateless', ({ payload }: { payload: string }) => {
      const message = JSON.parse(payload) as { type: string };
      if (message.type === ACCESS_NOTICE) notices.push(message);
    });
    try {
      await waitFor(() => notices.length > 0, 5_000, `the access notice of ${user}`);
      assert.deepEqual(notices, [{ type: ACCESS_NOTICE, permission, user: { id: user, name: user.toUpperCase() } }]);
    } finally {
      client.destroy();
    }
  }
});
