// Durable storage through the real server: restarts, load failures, single loads, idle reconnects.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { rm } from 'node:fs/promises';
import { logRange, snapshotKey } from '../../server/storage/leveldb/keys.ts';
import { LevelDatabase } from '../../server/storage/leveldb/leveldb.ts';
import { connectClient, waitFor, waitForAllSaved, type TestClient } from '../helpers/providers.ts';
import { makeTempDir, startServer, type TestServer } from '../helpers/server.ts';

const servers: TestServer[] = [];
after(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function serverFor(overrides: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  const server = await startServer(overrides);
  servers.push(server);
  return server;
}

test('edits survive a clean restart, across many documents and long logs', async () => {
  // A small threshold: some documents compact several times, others keep a long uncompacted log.
  const server = await serverFor({ compactAfterUpdates: 300 });
  const expected = new Map<string, string>();
  const clients: TestClient[] = [];
  for (let d = 0; d < 12; d += 1) {
    const name = `many-${d}`;
    const client = await connectClient(server.wsUrl, name);
    clients.push(client);
    const text = client.doc.getText('t');
    const edits = d % 3 === 0 ? 1_000 : 120;
    for (let i = 0; i < edits; i += 1) text.insert(text.length, String.fromCharCode(97 + ((i + d) % 26)));
    expected.set(name, text.toString());
  }
  await Promise.all(clients.map((client) => waitForAllSaved(client, 20_000)));
  clients.forEach((client) => client.destroy());

  await server.restart();
  for (const [name, text] of expected) {
    const fresh = await connectClient(server.wsUrl, name);
    assert.equal(fresh.doc.getText('t').toString(), text, `content of ${name}`);
    fresh.destroy();
  }
  const listed = await (await fetch(`${server.url}/api/documents`)).json() as { documents: Array<{ name: string }> };
  assert.deepEqual(listed.documents.map((d) => d.name).sort(), [...expected.keys()].sort());
});

test('a document with a corrupted log entry is refused with a reason; others keep working; nothing is overwritten', async () => {
  const dataDir = await makeTempDir();
  const first = await serverFor({ dataDir });
  for (const name of ['corrupt-me', 'still-fine']) {
    const client = await connectClient(first.wsUrl, name);
    client.doc.getText('t').insert(0, `${name} content`);
    client.doc.getText('t').insert(0, '# ');
    await waitForAllSaved(client);
    client.destroy();
  }
  await first.stop();

  const raw = await LevelDatabase.open(dataDir);
  // Not yet compacted: the document was unloaded with a log... or compacted. Damage whatever is stored.
  let entry: [Buffer, Buffer] | undefined;
  for await (const found of raw.entries(logRange('corrupt-me'))) entry ??= found;
  const snapshot = await raw.get(snapshotKey('corrupt-me'));
  const [key, value] = entry ?? [snapshotKey('corrupt-me'), snapshot];
  assert.ok(value, 'the document is stored');
  const damaged = Buffer.from(value);
  damaged[damaged.length - 2] = (damaged[damaged.length - 2] as number) ^ 0x5a;
  await raw.batch([{ type: 'put', key, value: damaged }], false);
  await raw.close();

  const server = await serverFor({ dataDir });
  const refused = await connectClient(server.wsUrl, 'corrupt-me', { waitForSync: false });
  let reason = '';
  refused.provider.on('authenticationFailed', (event: { reason: string }) => {
    reason = event.reason;
  });
  await waitFor(() => reason !== '', 5_000, 'the connection to be refused');
  assert.match(reason, /document-unavailable/);
  refused.doc.getText('t').insert(0, 'this must not reach the disk');
  refused.destroy();

  const fine = await connectClient(server.wsUrl, 'still-fine');
  assert.equal(fine.doc.getText('t').toString(), '# still-fine content');
  fine.destroy();

  const logged = server.logs.find((line) => line.level === 50 && String(line.msg).includes('could not be loaded'));
  assert.ok(logged, 'the load failure is logged as an error');
  assert.equal(logged.doc, 'corrupt-me');
  await server.stop();

  const check = await LevelDatabase.open(dataDir);
  assert.deepEqual(await check.get(key), damaged, 'the damaged record is left as it was');
  await check.close();
  await rm(dataDir, { recursive: true, force: true });
});

test('concurrent opens of one cold document load it once', async () => {
  const server = await serverFor();
  const seed = await connectClient(server.wsUrl, 'cold');
  seed.doc.getText('t').insert(0, 'warm me up');
  await waitForAllSaved(seed);
  seed.destroy();
  await server.restart();

  const clients = await Promise.all(Array.from({ length: 8 }, () => connectClient(server.wsUrl, 'cold')));
  for (const client of clients) assert.equal(client.doc.getText('t').toString(), 'warm me up');
  const loads = server.logs.filter((line) => line.msg === 'document loaded' && line.doc === 'cold');
  // One load before the restart, one after: never one per client.
  assert.equal(loads.length, 2);
  clients.forEach((client) => client.destroy());
});

test('a client that reconnects with nothing new adds nothing to the log', async () => {
  const server = await serverFor();
  const client = await connectClient(server.wsUrl, 'idle-reconnect');
  client.doc.getText('t').insert(0, 'some text');
  await waitForAllSaved(client);
  const before = await server.app.store.getMeta('idle-reconnect');
  for (let i = 0; i < 3; i += 1) {
    client.socket.disconnect();
    await waitFor(() => client.provider.isSynced === false || client.socket.status !== 'connected', 2_000, 'disconnect');
    await client.socket.connect();
    await waitFor(() => client.provider.isSynced, 5_000, 'resync');
    await waitForAllSaved(client);
  }
  const afterwards = await server.app.store.getMeta('idle-reconnect');
  assert.equal(afterwards?.nextSeq, before?.nextSeq, 'no new log entries');
  client.destroy();
});
