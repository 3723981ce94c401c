// A comment is not an edit of the text: it goes out as comment events, not as document.changed, and takes no
// automatic version (a version per comment would bury the text's history); an edit after it still does both.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as Y from 'yjs';
import { connectClient, waitFor, waitForAllSaved, type TestClient } from '../helpers/providers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { openEventStream, type SseReader } from '../helpers/sse.ts';

const DOC = 'not-an-edit';
let server: TestServer;
let editor: TestClient;
let feed: SseReader;

before(async () => {
  // A version after every update and a short document.changed debounce: a comment counted as an edit shows at once.
  server = await startServer({ autoVersionAfterUpdates: 1, autoVersionIdleMs: 600_000, documentChangedDebounceMs: 20 });
  editor = await connectClient(server.wsUrl, DOC);
  feed = await openEventStream(`${server.url}/api/documents/${DOC}/events`);
});
after(async () => {
  feed?.close();
  editor?.destroy();
  await server?.close();
});

const versions = async () => ((await (await fetch(`${server.url}/api/documents/${DOC}/versions`)).json()) as { versions: unknown[] }).versions.length;
/** Polls until the document has `count` versions (taking one is asynchronous). */
async function waitForVersions(count: number, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while ((await versions()) < count) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
const changed = () => feed.messages.filter((message) => message.event === 'document.changed').map((message) => JSON.parse(message.data) as { data: { updates: number } });
const words = () => (editor.doc.getXmlFragment('default').get(0) as Y.XmlElement).get(0) as Y.XmlText;

test('comments raise comment events only; the next edit is one document.changed of one update, and one version', async () => {
  const paragraph = new Y.XmlElement('paragraph');
  paragraph.insert(0, [new Y.XmlText('Ship on Monday.')]);
  editor.doc.getXmlFragment('default').insert(0, [paragraph]);
  await waitForAllSaved(editor);
  await waitFor(() => changed().length === 1, 5_000, 'the edit’s document.changed');
  await waitForVersions(1, 'the edit’s automatic version');

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${server.url}/api/documents/${DOC}/comments${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.ok(response.ok, await response.clone().text());
    return ((await response.json()) as { thread: { id: string } }).thread;
  };
  const thread = await post('', { quote: 'on Monday', body: 'Sure?', author: 'Ada' });
  await post(`/${thread.id}/replies`, { body: 'Yes.', author: 'Grace' });
  await post(`/${thread.id}/resolve`, { resolved: true });
  await waitFor(() => feed.messages.some((message) => message.event === 'comment.resolved'), 5_000, 'the comment events');

  words().insert(0, 'Plan: ');
  await waitForAllSaved(editor);
  await waitFor(() => changed().length === 2, 5_000, 'the second edit’s document.changed');
  assert.deepEqual(
    changed().map((event) => event.data.updates),
    [1, 1],
    'no document.changed for the comments, and none of their updates counted in the edit’s',
  );
  await waitForVersions(2, 'the second edit’s version');
  assert.equal(await versions(), 2, 'no version for the comments');
});
