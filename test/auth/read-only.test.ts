// Readers cannot write: updates and sync step 2 are refused with SyncStatus false, nothing stored or relayed;
// what the server already holds is acknowledged, so a reader's provider is not left counting it.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import * as Y from 'yjs';
import { mintToken } from '../../server/cli/token.ts';
import { connectClient, waitFor, waitForAllSaved } from '../helpers/providers.ts';
import { authFrame, connectRaw, MESSAGE, SYNC, syncFrame } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const SECRET = 'read-only-test-secret-long-enough-for-hs256';
const token = (...docs: string[]) => mintToken({ secret: SECRET, user: 'u', docs, expiresInSeconds: 600 });

let server: TestServer;
before(async () => {
  server = await startServer({ auth: 'jwt', jwtSecret: SECRET });
});
after(async () => {
  await server.close();
});

test('a reader’s update and sync step 2 are refused: SyncStatus false, store unchanged, other clients see nothing', async () => {
  const writer = await connectClient(server.wsUrl, 'ro-doc', { token: await token('ro-doc:write') });
  const reader = await connectRaw(server.wsUrl);
  try {
    writer.doc.getText('t').insert(0, 'original');
    await waitForAllSaved(writer);
    const before = await server.app.store.getMeta('ro-doc');
    assert.ok(before && before.bytes > 0);

    const auth = await reader.authenticate('ro-doc', await token('ro-*:read'));
    assert.equal(auth.authType, 2);
    assert.equal(auth.text, 'readonly');

    // New content the server does not have, once as an update and once as sync step 2.
    const forged = new Y.Doc();
    forged.getText('t').insert(0, 'forged by a reader ');
    const update = Y.encodeStateAsUpdate(forged);
    reader.send(syncFrame('ro-doc', SYNC.update, update));
    reader.send(syncFrame('ro-doc', SYNC.step2, update));
    await waitFor(() => reader.messages.filter((m) => m.type === MESSAGE.syncStatus).length === 2, 5_000, 'two sync statuses');
    assert.deepEqual(reader.messages.filter((m) => m.type === MESSAGE.syncStatus).map((m) => m.applied), [false, false]);

    // The writer's next edit arrives after anything the server could have relayed before it.
    writer.doc.getText('t').insert(8, '!');
    await waitForAllSaved(writer);
    assert.equal(writer.doc.getText('t').toString(), 'original!');
    assert.equal(server.app.hocuspocus.documents.get('ro-doc')!.getText('t').toString(), 'original!');
    const afterMeta = await server.app.store.getMeta('ro-doc');
    // Only the writer's one-character edit was appended.
    assert.equal(afterMeta!.logLength, before.logLength + 1);
  } finally {
    reader.close();
    writer.destroy();
  }
});

test('a reader’s update of what the server already holds is acknowledged, before and after its auth reply: its provider can reach "saved"', async () => {
  const writer = await connectClient(server.wsUrl, 'ro-held', { token: await token('ro-held:write') });
  const reader = await connectRaw(server.wsUrl);
  try {
    writer.doc.getText('t').insert(0, 'held by the server');
    await waitForAllSaved(writer);
    const before = await server.app.store.getMeta('ro-held');
    // What an IndexedDB copy read in after the socket opened sends: the server's own content, as updates.
    const held = Y.encodeStateAsUpdate(writer.doc);
    const statuses = () => reader.messages.filter((m) => m.type === MESSAGE.syncStatus).map((m) => m.applied);

    // As a provider does: auth, then step 1 at once; one update is queued behind the auth reply.
    reader.send(authFrame('ro-held', await token('ro-*:read')));
    reader.send(syncFrame('ro-held', SYNC.step1, Y.encodeStateVector(new Y.Doc())));
    reader.send(syncFrame('ro-held', SYNC.step2, new Uint8Array([0, 0])));
    reader.send(syncFrame('ro-held', SYNC.update, held));
    await waitFor(() => statuses().length === 2, 5_000, 'two sync statuses');
    reader.send(syncFrame('ro-held', SYNC.update, held));
    await waitFor(() => statuses().length === 3, 5_000, 'a third sync status');
    assert.deepEqual(statuses(), [true, true, true]);
    // Something the server lacks is still refused.
    const forged = new Y.Doc();
    forged.getText('t').insert(0, 'forged');
    reader.send(syncFrame('ro-held', SYNC.update, Y.encodeStateAsUpdate(forged)));
    await waitFor(() => statuses().length === 4, 5_000, 'a fourth sync status');
    assert.equal(statuses()[3], false);

    writer.doc.getText('t').insert(0, '>');
    await waitForAllSaved(writer);
    assert.equal(server.app.hocuspocus.documents.get('ro-held')!.getText('t').toString(), '>held by the server');
    assert.equal((await server.app.store.getMeta('ro-held'))!.logLength, before!.logLength + 1);
  } finally {
    reader.close();
    writer.destroy();
  }
});

test('one socket holds a read-only document and a writable one at once', async () => {
  const socket = new HocuspocusProviderWebsocket({ url: server.wsUrl, delay: 50, minDelay: 50, maxDelay: 500 });
  const shared = await token('mux-read:read', 'mux-write:write');
  const readDoc = new Y.Doc();
  const writeDoc = new Y.Doc();
  const reading = new HocuspocusProvider({ websocketProvider: socket, name: 'mux-read', document: readDoc, token: shared });
  const writing = new HocuspocusProvider({ websocketProvider: socket, name: 'mux-write', document: writeDoc, token: shared });
  reading.attach();
  writing.attach();
  try {
    await waitFor(() => reading.isSynced && writing.isSynced, 10_000, 'both documents synced on one socket');
    assert.equal(reading.authorizedScope, 'readonly');
    assert.equal(writing.authorizedScope, 'read-write');
    readDoc.getText('t').insert(0, 'not allowed');
    writeDoc.getText('t').insert(0, 'allowed');
    await waitFor(() => writing.unsyncedChanges === 0, 10_000, 'the writable document saved');
    assert.ok((await server.app.store.getMeta('mux-write'))!.bytes > 0);
    const observer = await connectClient(server.wsUrl, 'mux-read', { token: await token('mux-read:read') });
    try {
      assert.equal(observer.doc.getText('t').toString(), '');
      assert.equal(reading.unsyncedChanges > 0, true, 'the reader’s change stays unsaved on its side');
    } finally {
      observer.destroy();
    }
    // Opening a document records it; the reader's edit added no bytes.
    assert.equal((await server.app.store.getMeta('mux-read'))?.bytes ?? 0, 0);
  } finally {
    reading.destroy();
    writing.destroy();
    socket.destroy();
  }
});
