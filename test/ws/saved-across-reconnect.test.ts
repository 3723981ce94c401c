// A provider's "saved" after a reconnect: edits made offline (inserts and deletions, one transaction each) are
// on disk the moment the stock provider's count reaches 0 — checked by SIGKILLing the server at that moment.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { connectClient, waitFor } from '../helpers/providers.ts';
import { makeTempDir } from '../helpers/server.ts';
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
