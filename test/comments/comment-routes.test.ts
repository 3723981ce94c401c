// The comments REST API against a running server with an editor connected: a thread opened on a passage is
// anchored there and reaches the editor at once; it stays on its passage while the text around it changes and
// is reported detached (with its quote) once the passage is deleted; replies, resolve, reopen and delete; bad
// input is refused with the reason; every change goes out as a webhook and on the change feed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as Y from 'yjs';
import { COMMENTS_ROOT, type Thread } from '../../common/comments.ts';
import type { ListedThread } from '../../server/comments/comment-routes.ts';
import { connectClient, waitFor, waitForAllSaved, type TestClient } from '../helpers/providers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { openEventStream, type SseReader } from '../helpers/sse.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.ts';

let server: TestServer;
let hook: WebhookReceiver;
let editor: TestClient;
let feed: SseReader;
const DOC = 'launch';
const base = () => `${server.url}/api/documents/${DOC}/comments`;

before(async () => {
  hook = await startWebhookReceiver();
  server = await startServer({ autoVersions: false, webhookUrls: [hook.url], webhookSecret: 'comment-hooks-secret-16', webhookAllowedHosts: ['127.0.0.1'], documentChangedDebounceMs: 20 });
  editor = await connectClient(server.wsUrl, DOC);
  const paragraph = new Y.XmlElement('paragraph');
  paragraph.insert(0, [new Y.XmlText('The launch is on Monday at nine.')]);
  editor.doc.getXmlFragment('default').insert(0, [paragraph]);
  await waitForAllSaved(editor);
  feed = await openEventStream(`${server.url}/api/documents/${DOC}/events`);
});
after(async () => {
  feed?.close();
  editor?.destroy();
  await server?.close();
  await hook?.close();
});

const post = async (path: string, body: unknown) => {
  const response = await fetch(`${base()}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as { thread: ListedThread; error?: { code: string; message: string } } };
};
const list = async () => ((await (await fetch(base())).json()) as { threads: ListedThread[] }).threads;
const words = () => (editor.doc.getXmlFragment('default').get(0) as Y.XmlElement).get(0) as Y.XmlText;

test('a thread on a passage: anchored there, live in the editor, kept on it as text changes, detached when it goes', async () => {
  const created = await post('', { quote: 'on Monday', body: 'Are we sure about Monday?', author: 'Ada' });
  assert.equal(created.status, 201);
  const thread = created.body.thread;
  assert.deepEqual(thread.anchored, { state: 'attached', text: 'on Monday' });
  assert.deepEqual(thread.comments.map((comment) => [comment.author, comment.body]), [[{ id: 'anonymous', name: 'Ada' }, 'Are we sure about Monday?']]);
  await waitFor(() => editor.doc.getMap<Thread>(COMMENTS_ROOT).has(thread.id), 5_000, 'the thread in the open editor');

  words().insert(0, 'Update: ');
  words().insert(words().length, ' Bring coffee.');
  await waitForAllSaved(editor);
  assert.deepEqual((await list())[0]?.anchored, { state: 'attached', text: 'on Monday' }, 'edits around it leave it on its passage');

  const replied = await post(`/${thread.id}/replies`, { body: 'Yes, confirmed.', author: 'Grace' });
  assert.equal(replied.status, 201);
  assert.equal(replied.body.thread.comments.length, 2);
  assert.equal((await post(`/${thread.id}/replies`, { body: '@Ada see above, and @Nobody', author: 'Grace' })).status, 201);
  assert.equal((await post(`/${thread.id}/resolve`, { resolved: true })).body.thread.resolved, true);
  assert.equal((await post(`/${thread.id}/resolve`, { resolved: false })).body.thread.resolved, false);
  const reply = replied.body.thread.comments[1]!;
  assert.equal((await fetch(`${base()}/${thread.id}/comments/${reply.id}`, { method: 'DELETE' })).status, 204);
  assert.equal((await list())[0]?.comments[1]?.deleted, true);

  const text = words().toString();
  const at = text.indexOf('on Monday');
  words().delete(at - 1, 'on Monday'.length + 2);
  await waitForAllSaved(editor);
  const detached = (await list())[0]!;
  assert.deepEqual(detached.anchored, { state: 'detached', text: '' }, 'its passage deleted: detached');
  assert.equal(detached.quote, 'on Monday', 'the quote stays to show what it was about');

  const exported = (await (await fetch(`${server.url}/api/documents/${DOC}/export?format=json&threads=true`)).json()) as { document: { type: string }; threads: ListedThread[] };
  assert.equal(exported.document.type, 'doc');
  assert.deepEqual(exported.threads.map((listedThread) => [listedThread.id, listedThread.quote, listedThread.anchored?.state]), [[thread.id, 'on Monday', 'detached']]);
  assert.equal((await fetch(`${server.url}/api/documents/${DOC}/export?format=md&threads=true`)).status, 400);

  const types = ['comment.created', 'comment.replied', 'comment.resolved', 'comment.reopened', 'comment.deleted'];
  await waitFor(() => types.every((type) => feed.messages.some((message) => message.event === type)), 5_000, 'the comment events on the change feed');
  await waitFor(() => types.every((type) => hook.requests.some((request) => (JSON.parse(request.body) as { type: string }).type === type)), 10_000, 'the comment webhooks');
  const createdHook = hook.requests.map((request) => JSON.parse(request.body) as { type: string; document: string; data: Record<string, unknown> }).find((event) => event.type === 'comment.created');
  assert.deepEqual(createdHook?.data, { threadId: thread.id, commentId: thread.comments[0]!.id, author: { id: 'anonymous', name: 'Ada' }, quote: 'on Monday', mentions: [] });
  const replies = hook.requests.map((request) => JSON.parse(request.body) as { type: string; data: { mentions?: string[] } }).filter((event) => event.type === 'comment.replied');
  assert.deepEqual(replies.map((event) => event.data.mentions), [[], ['Ada']], 'an @mention of someone who commented here is named for webhooks');
  assert.equal(createdHook?.document, DOC);
});

test('bad requests are refused with the reason and change nothing', async () => {
  const before = (await list()).length;
  const cases: Array<[string, unknown, number, RegExp]> = [
    ['', { quote: 'no such words', body: 'x' }, 400, /is not in one block of the document/],
    ['', { body: '   ' }, 400, /a comment needs some text/],
    ['', { body: 'x'.repeat(10_001) }, 413, /longer than 10000 characters/],
    ['/nope/replies', { body: 'hello' }, 404, /no thread "nope"/],
    ['/bad id!/replies', { body: 'hello' }, 400, /"threadId" must be 1 to 64 letters/],
  ];
  for (const [path, body, status, message] of cases) {
    const answer = await post(path, body);
    assert.equal(answer.status, status, `${path} ${JSON.stringify(body).slice(0, 40)}`);
    assert.match(answer.body.error?.message ?? '', message);
  }
  assert.equal((await fetch(`${server.url}/api/documents/no-such-doc/comments`)).status, 404);
  assert.equal((await list()).length, before);
});
