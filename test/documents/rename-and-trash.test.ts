// Renaming and deleting documents over the API: the text, versions and share links move in one write; the
// editors connected get a notice saying where the document went before their connections close; an editor
// coming back to the old name is refused with the same (never handed an empty document it would fill); a
// deleted document stays restorable until the trash is swept.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as Y from 'yjs';
import { DOCUMENT_MOVED, type DocumentMovedNotice, type TrashedDocument } from '../../common/api-types.ts';
import { connectClient, waitFor, waitForAllSaved, type TestClient } from '../helpers/providers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { openEventStream } from '../helpers/sse.ts';

let server: TestServer;
before(async () => {
  server = await startServer({ autoVersions: false });
});
after(() => server.close());

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${server.url}/api${path}`, { ...init, headers: init.body ? { 'content-type': 'application/json' } : {} });
const post = (path: string, body: unknown) => api(path, { method: 'POST', body: JSON.stringify(body) });
const doc = (name: string) => `/documents/${encodeURIComponent(name)}`;

async function writeDocument(name: string, text: string): Promise<TestClient> {
  const client = await connectClient(server.wsUrl, name);
  client.doc.getXmlFragment('default').insert(0, [new Y.XmlText(text)]);
  await waitForAllSaved(client);
  return client;
}

/** The move notices a client receives, and whether its connection closed after them. */
function watchNotices(client: TestClient): { notices: DocumentMovedNotice[]; closedAfter: () => boolean } {
  const notices: DocumentMovedNotice[] = [];
  let closed = false;
  let noticesAtClose = -1;
  client.provider.on('stateless', ({ payload }: { payload: string }) => {
    const message = JSON.parse(payload) as DocumentMovedNotice;
    if (message.type === DOCUMENT_MOVED) notices.push(message);
  });
  client.provider.on('close', () => {
    if (!closed) noticesAtClose = notices.length;
    closed = true;
  });
  return { notices, closedAfter: () => closed && noticesAtClose > 0 };
}

/** Connects a fresh provider to `name` and returns the reason it was refused with. */
async function refusal(name: string): Promise<string> {
  let reason: string | null = null;
  const client = await connectClient(server.wsUrl, name, { waitForSync: false });
  client.provider.on('authenticationFailed', ({ reason: why }: { reason: string }) => (reason = why));
  try {
    await waitFor(() => reason !== null, 5_000, `a refusal of "${name}"`);
    return reason!;
  } finally {
    client.destroy();
  }
}

async function listed(): Promise<string[]> {
  return ((await (await api('/documents')).json()) as { documents: Array<{ name: string }> }).documents.map((entry) => entry.name);
}

test('renaming moves the text and versions, sends its editors to the new name, and the old name forwards there', async () => {
  const editor = await writeDocument('Plan draft', 'the plan');
  const watched = watchNotices(editor);
  const version = ((await (await post(`${doc('Plan draft')}/versions`, { label: 'first' })).json()) as { version: { id: number } }).version;
  await writeDocument('Taken name', 'someone else').then((client) => client.destroy());

  assert.equal((await post(`${doc('Plan draft')}/rename`, { to: 'Taken name' })).status, 409, 'a taken name is refused');
  assert.equal((await post(`${doc('No such doc')}/rename`, { to: 'Anything' })).status, 404);
  const badName = await post(`${doc('Plan draft')}/rename`, { to: 'a/b' });
  assert.equal(badName.status, 400);
  assert.match(((await badName.json()) as { error: { message: string } }).error.message, /"to": a document name must not contain "\/"/);
  assert.equal((await post(`${doc('Plan draft')}/rename`, {})).status, 400);
  assert.equal(server.app.hocuspocus.documents.get('Plan draft')?.getXmlFragment('default').toString(), 'the plan', 'refusals touched nothing');

  const feed = await openEventStream(`${server.url}/api${doc('Plan draft')}/events`);
  const renamed = await post(`${doc('Plan draft')}/rename`, { to: 'Plan final' });
  assert.equal(renamed.status, 200);
  assert.deepEqual(await renamed.json(), { name: 'Plan final' });
  await waitFor(watched.closedAfter, 5_000, 'the notice, then the close');
  assert.deepEqual(watched.notices, [{ type: DOCUMENT_MOVED, kind: 'renamed', to: 'Plan final', by: 'anonymous', restorableUntil: null }]);
  editor.destroy();

  const names = await listed();
  assert.ok(names.includes('Plan final') && !names.includes('Plan draft'), `listed: ${names.join(', ')}`);
  assert.equal((await api(doc('Plan draft'))).status, 404);
  const versions = ((await (await api(`${doc('Plan final')}/versions`)).json()) as { versions: Array<{ id: number; label: string }> }).versions;
  assert.deepEqual(versions.map((entry) => [entry.id, entry.label]), [[version.id, 'first']]);
  const reader = await connectClient(server.wsUrl, 'Plan final');
  assert.equal(reader.doc.getXmlFragment('default').toString(), 'the plan');
  reader.destroy();

  assert.equal(await refusal('Plan draft'), 'document-gone: this document was renamed to "Plan final"');
  await waitFor(() => feed.messages.some((message) => message.event === 'document.renamed'), 5_000, 'the event on the old name’s feed');
  const event = JSON.parse(feed.messages.find((message) => message.event === 'document.renamed')!.data) as { data: unknown };
  assert.deepEqual(event.data, { to: 'Plan final', by: 'anonymous' });
  feed.close();
  assert.equal(await server.app.store.getMeta('Plan draft'), undefined, 'the refused editor created nothing');
});

test('an editor that follows the notice at once is held back until the move is done, then gets the moved text', async () => {
  const editor = await writeDocument('Follow me', 'moved along');
  const followed = new Promise<TestClient>((resolve, reject) => {
    editor.provider.on('stateless', ({ payload }: { payload: string }) => {
      const notice = JSON.parse(payload) as DocumentMovedNotice;
      // Connects while the rename is still under way (the notice comes before the connections close).
      if (notice.type === DOCUMENT_MOVED && notice.to) connectClient(server.wsUrl, notice.to).then(resolve, reject);
    });
  });
  assert.equal((await post(`${doc('Follow me')}/rename`, { to: 'Followed' })).status, 200);
  const follower = await followed;
  try {
    assert.equal(follower.doc.getXmlFragment('default').toString(), 'moved along');
  } finally {
    follower.destroy();
    editor.destroy();
  }
});

test('deleting moves the document to the trash: editors are told, the name refuses them, and restoring brings all back', async () => {
  const editor = await writeDocument('Old notes', 'keep me');
  const watched = watchNotices(editor);
  await post(`${doc('Old notes')}/versions`, { label: 'before delete' });

  const deleted = await api(doc('Old notes'), { method: 'DELETE' });
  assert.equal(deleted.status, 200);
  const trashed = (await deleted.json()) as TrashedDocument;
  assert.equal(trashed.name, 'Old notes');
  const days = (Date.parse(trashed.purgeAt) - Date.parse(trashed.deletedAt)) / 86_400_000;
  assert.equal(days, 30, 'restorable for the default 30 days');
  await waitFor(watched.closedAfter, 5_000, 'the notice, then the close');
  assert.equal(watched.notices[0]?.kind, 'deleted');
  assert.equal(watched.notices[0]?.restorableUntil, trashed.purgeAt);
  editor.destroy();

  assert.ok(!(await listed()).includes('Old notes'));
  const trash = ((await (await api('/trash')).json()) as { documents: TrashedDocument[] }).documents;
  assert.deepEqual(trash.find((entry) => entry.name === 'Old notes'), { ...trashed, deletedBy: 'anonymous' });
  assert.equal(await refusal('Old notes'), 'document-gone: this document was deleted');
  assert.equal((await api(doc('Old notes'), { method: 'DELETE' })).status, 404, 'deleting it again finds nothing');

  const restored = await post(`${doc('Old notes')}/restore`, {});
  assert.equal(restored.status, 200);
  assert.deepEqual(await restored.json(), { name: 'Old notes' });
  const reader = await connectClient(server.wsUrl, 'Old notes');
  assert.equal(reader.doc.getXmlFragment('default').toString(), 'keep me');
  reader.destroy();
  const versions = ((await (await api(`${doc('Old notes')}/versions`)).json()) as { versions: Array<{ label: string }> }).versions;
  assert.deepEqual(versions.map((entry) => entry.label), ['before delete']);
  assert.ok((await listed()).includes('Old notes'));
  const after = ((await (await api('/trash')).json()) as { documents: TrashedDocument[] }).documents;
  assert.equal(after.find((entry) => entry.name === 'Old notes'), undefined, 'out of the trash');
  assert.equal((await post(`${doc('Old notes')}/restore`, {})).status, 404, 'nothing left to restore');
});

test('a name taken again meanwhile: restoring is refused with a 409 and works under another name', async () => {
  (await writeDocument('Shared name', 'first life')).destroy();
  assert.equal((await api(doc('Shared name'), { method: 'DELETE' })).status, 200);
  // Made anew explicitly: the forward of the deleted one no longer applies.
  assert.equal((await api(doc('Shared name'), { method: 'POST' })).status, 201);
  const second = await connectClient(server.wsUrl, 'Shared name');
  assert.equal(second.doc.getXmlFragment('default').toString(), '<paragraph></paragraph>');
  second.destroy();

  const refused = await post(`${doc('Shared name')}/restore`, {});
  assert.equal(refused.status, 409);
  assert.match(((await refused.json()) as { error: { message: string } }).error.message, /restore this one under another name \("as"\)/);
  const restored = await post(`${doc('Shared name')}/restore`, { as: 'Shared name (restored)' });
  assert.deepEqual(await restored.json(), { name: 'Shared name (restored)' });
  const reader = await connectClient(server.wsUrl, 'Shared name (restored)');
  assert.equal(reader.doc.getXmlFragment('default').toString(), 'first life');
  reader.destroy();
});

test('the sweep purges what is older than the retention; ?permanent=true deletes at once with nothing kept', async () => {
  (await writeDocument('Doomed later', 'old')).destroy();
  assert.equal((await api(doc('Doomed later'), { method: 'DELETE' })).status, 200);
  assert.equal(await server.app.trash.sweep(Date.now()), 0, 'nothing is old enough yet');
  assert.ok((await server.app.trash.list()).some((entry) => entry.name === 'Doomed later'));
  assert.ok((await server.app.trash.sweep(Date.now() + 31 * 86_400_000)) >= 1);
  assert.equal((await server.app.trash.list()).find((entry) => entry.name === 'Doomed later'), undefined);
  assert.equal((await server.app.store.listDocuments()).find((meta) => meta.name.endsWith('/Doomed later')), undefined, 'its data is gone');
  assert.equal(await server.app.store.forwards.get('Doomed later'), null, 'and its forward');

  (await writeDocument('Doomed now', 'old')).destroy();
  assert.equal((await api(`${doc('Doomed now')}?permanent=true`, { method: 'DELETE' })).status, 204);
  assert.equal((await api(doc('Doomed now'))).status, 404);
  assert.equal((await server.app.trash.list()).find((entry) => entry.name === 'Doomed now'), undefined);
  assert.equal((await api(`${doc('x')}?permanent=maybe`, { method: 'DELETE' })).status, 400);

  // An import under a renamed name makes a document there (the forward no longer applies); deleting that one
  // for good ends the old forward too, which would otherwise apply again.
  (await writeDocument('Was here', 'a')).destroy();
  assert.equal((await post(`${doc('Was here')}/rename`, { to: 'Now there' })).status, 200);
  const imported = await fetch(`${server.url}/api${doc('Was here')}`, { method: 'PUT', headers: { 'content-type': 'text/markdown' }, body: 'made again\n' });
  assert.equal(imported.status, 201);
  assert.equal((await connectClient(server.wsUrl, 'Was here').then((client) => (client.destroy(), 'synced'))), 'synced');
  assert.equal((await api(`${doc('Was here')}?permanent=true`, { method: 'DELETE' })).status, 204);
  assert.equal(await server.app.store.forwards.get('Was here'), null);
});
