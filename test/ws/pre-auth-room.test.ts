// Frames sent while a document is still being set up: reading pauses before Hocuspocus' queue limit, never a close.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as Y from 'yjs';
import { waitFor } from '../helpers/providers.ts';
import { authFrame, connectRaw, SYNC, syncFrame } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.close();
});

test('1,500 updates sent right behind the auth frame (more than Hocuspocus queues) all land; the socket stays', async () => {
  const client = await connectRaw(server.wsUrl);
  try {
    const source = new Y.Doc();
    const updates: Uint8Array[] = [];
    source.on('update', (update: Uint8Array) => updates.push(update));
    for (let i = 0; i < 1_500; i++) source.getText('t').insert(i, 'q');
    // No sync step 1 and no waiting for the auth reply: a client that only sends updates.
    client.send(authFrame('pre-auth', 'dev'));
    for (const update of updates) client.send(syncFrame('pre-auth', SYNC.update, update));
    await waitFor(() => server.app.hocuspocus.documents.get('pre-auth')?.getText('t').length === 1_500, 15_000, 'every update applied');
    assert.equal(client.closed, null);
    assert.ok(!server.rawLogs().includes('queue length limit exceeded'));
  } finally {
    client.close();
  }
});
