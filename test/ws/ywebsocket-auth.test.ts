// Auth on the y-websocket endpoint: the token from the URL or the subprotocol; readers cannot write.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { mintToken } from '../../server/cli/token.ts';
import { connectClient, waitFor, waitForAllSaved } from '../helpers/providers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectYWebsocket } from '../helpers/ywebsocket.ts';

const SECRET = 'y-websocket-auth-test-secret-long-enough';
const token = (...docs: string[]) => mintToken({ secret: SECRET, user: 'u', docs, expiresInSeconds: 600 });

let server: TestServer;
before(async () => {
  server = await startServer({ auth: 'jwt', jwtSecret: SECRET });
});
after(async () => {
  await server.close();
});

test('a read-only token on /y/: edits refused, nothing stored, other clients see nothing', async () => {
  const writer = await connectClient(server.wsUrl, 'yws-ro', { token: await token('yws-ro:write') });
  writer.doc.getText('t').insert(0, 'original');
  await waitForAllSaved(writer);
  const before = await server.app.store.getMeta('yws-ro');

  const reader = await connectYWebsocket(server.url, 'yws-ro', { token: await token('yws-*:read') });
  try {
    assert.equal(reader.doc.getText('t').toString(), 'original', 'a reader still receives the document');
    reader.doc.getText('t').insert(0, 'forged by a reader ');
    // A writer's later edit is relayed and stored; by the time it is acknowledged the reader's edit was handled.
    writer.doc.getText('t').insert(8, '!');
    await waitForAllSaved(writer);
    await waitFor(() => reader.doc.getText('t').toString().endsWith('original!'), 5_000, 'the writer’s edit at the reader');
    assert.equal(writer.doc.getText('t').toString(), 'original!', 'the reader’s edit never reached the writer');
    const afterwards = await server.app.store.getMeta('yws-ro');
    assert.equal(afterwards?.nextSeq, (before?.nextSeq ?? 0) + 1, 'only the writer’s edit was stored');
  } finally {
    reader.destroy();
    writer.destroy();
  }
});

test('a token offered as a token.<jwt> subprotocol authenticates; a missing token is refused', async () => {
  const good = await token('yws-proto:write');
  const opened = await new Promise<string>((resolve, reject) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/y/yws-proto`, ['tandem', `token.${good}`]);
    ws.on('open', () => {
      resolve(ws.protocol);
      ws.close();
    });
    ws.on('error', reject);
  });
  assert.equal(opened, 'tandem', 'the server agrees on the real protocol, never echoes the token');

  const closeCode = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/y/yws-proto`);
    ws.on('close', (code) => resolve(code));
    ws.on('error', () => undefined);
  });
  assert.ok(closeCode >= 4400 && closeCode < 4500, `refused with a permanent auth code, got ${closeCode}`);
  assert.ok(!server.rawLogs().includes(good), 'the token never appears in the logs');
});
