// A provider's "saved" after a reconnect: edits made offline (inserts and deletions, one transaction each) are
// on disk the moment the stock provider's count reaches 0 — checked by SIGKILLing the server at that moment.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import * as Y from 'yjs';
import { connectClient, waitFor } from '../helpers/providers.ts';
import { connectRaw, MESSAGE, SYNC, syncFrame } from '../helpers/raw-client.ts';
import { makeTempDir, startServer } from '../helpers/server.ts';
import { killAndWait, startServerProcess, type ServerProcess } from '../helpers/server-process.ts';

test('offline edits flushed on reconnect: the provider says saved only once all are stored', async () => {
  const dataDir = await makeTempDir();
  let server: ServerProcess | undefined = await startServerProcess({ dataDir });
  const port = server.port;
  const writer = await connectClient(server.wsUrl, 'offline-burst');
  try {
    const text = writer.doc.getText('t');
    text.insert(0, 'online ');
    await waitFor(() => writer.provider.unsyncedChanges === 0, 10_000, 'the first edit to be saved');
    server.kill('SIGTERM');
    await server.waitForExit();
    await waitFor(() => writer.socket.status !== 'connected', 5_000, 'the provider to notice');

    // 3,000 transactions while the server is away: the provider queues each one as its own frame.
    for (let i = 0; i < 3_000; i++) {
      if (i % 7 === 6) text.delete(text.length - 1, 1);
      else text.insert(text.length, String.fromCharCode(97 + (i % 26)));
    }
    const expected = text.toString();

    server = await startServerProcess({ dataDir, port });
    const restarted = server;
    // The instant the provider says saved, the server dies without a chance to write anything more.
    let killedAt: number | null = null;
    const onCount = ({ number }: { number: number }) => {
      if (number === 0 && writer.provider.isSynced && killedAt === null) {
        killedAt = Date.now();
        restarted.kill('SIGKILL');
      }
    };
    writer.provider.on('unsyncedChanges', onCount);
    await waitFor(() => killedAt !== null, 30_000, 'the provider to say saved');
    writer.provider.off('unsyncedChanges', onCount);
    writer.destroy();
    await server.waitForExit();

    server = await startServerProcess({ dataDir, port });
    const reader = await connectClient(server.wsUrl, 'offline-burst');
    try {
      assert.equal(reader.doc.getText('t').toString(), expected);
    } finally {
      reader.destroy();
    }
  } finally {
    writer.destroy();
    await killAndWait(server);
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('an update refused for the document size (4413) is never reported saved, across the reconnects that follow', async () => {
  const server = await startServer({ maxDocumentBytes: 4096 });
  const writer = await connectClient(server.wsUrl, 'too-big');
  try {
    writer.doc.getText('t').insert(0, 'small');
    await waitFor(() => writer.provider.unsyncedChanges === 0, 10_000, 'the small edit to be saved');
    let saidSaved = false;
    let disconnects = 0;
    writer.provider.on('unsyncedChanges', ({ number }: { number: number }) => {
      if (number === 0 && writer.provider.isSynced) saidSaved = true;
    });
    writer.provider.on('disconnect', () => (disconnects += 1));
    writer.doc.getText('t').insert(5, 'x'.repeat(6_000));
    // The provider reconnects and resends in its handshake, which is refused again each time.
    await waitFor(() => disconnects >= 3, 15_000, 'a few refusals and reconnects');
    assert.equal(saidSaved, false);
    assert.equal(server.app.hocuspocus.documents.get('too-big')?.getText('t').toString() ?? 'small', 'small');
  } finally {
    writer.destroy();
    await server.close();
  }
});

test('a deletion-only update inside the handshake: its ack is withheld, and the idle socket is asked to resync (4409)', async () => {
  const server = await startServer();
  const client = await connectRaw(server.wsUrl);
  try {
    const source = new Y.Doc();
    source.getText('t').insert(0, 'abc');
    assert.equal((await client.authenticate('resync', 'dev')).authType, 2);
    client.send(syncFrame('resync', SYNC.update, Y.encodeStateAsUpdate(source)));
    // A reconnect: the provider's step 1, then a deletion it may have queued before or made after it.
    client.send(syncFrame('resync', SYNC.step1, Y.encodeStateVector(source)));
    const before = Y.encodeStateVector(source);
    source.getText('t').delete(2, 1);
    client.send(syncFrame('resync', SYNC.update, Y.encodeStateAsUpdate(source, before)));
    client.send(syncFrame('resync', SYNC.step2, Y.encodeStateAsUpdate(source)));
    const applied = () => client.messages.filter((m) => m.type === MESSAGE.syncStatus && m.applied).length;
    await waitFor(() => applied() === 1, 5_000, 'the step 2 to be acknowledged');
    assert.equal(server.app.hocuspocus.documents.get('resync')?.getText('t').toString(), 'ab', 'every update was applied');
    const closed = await client.waitForClose(6_000);
    assert.equal(closed.code, 4409);
    assert.match(closed.reason, /^resync: /);
    assert.equal(applied(), 1, 'only the step 2 was acknowledged: not the update before step 1, not the deletion');
  } finally {
    client.close();
    await server.close();
  }
});
