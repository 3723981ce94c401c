// Stock y-websocket clients and Hocuspocus providers on the same live documents.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { loadTrace } from '../helpers/traces.ts';
import { connectClient, waitFor } from '../helpers/providers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectYWebsocket } from '../helpers/ywebsocket.ts';

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.close();
});

test('a y-websocket client and a Hocuspocus provider converge both ways and see each other’s awareness', async () => {
  const hp = await connectClient(server.wsUrl, 'mixed');
  const yws = await connectYWebsocket(server.url, 'mixed');
  try {
    hp.doc.getText('t').insert(0, 'from hocuspocus. ');
    await waitFor(() => yws.doc.getText('t').toString() === 'from hocuspocus. ', 5_000, 'y-websocket to see the provider');
    yws.doc.getText('t').insert(yws.doc.getText('t').length, 'from y-websocket.');
    await waitFor(() => hp.doc.getText('t').toString() === 'from hocuspocus. from y-websocket.', 5_000, 'provider to see y-websocket');

    yws.provider.awareness.setLocalStateField('user', { name: 'Yws' });
    hp.provider.setAwarenessField('user', { name: 'Hp' });
    await waitFor(() => hp.provider.awareness?.getStates().get(yws.doc.clientID)?.user?.name === 'Yws', 5_000, 'y-websocket presence at the provider');
    await waitFor(() => yws.provider.awareness.getStates().get(hp.doc.clientID)?.user?.name === 'Hp', 5_000, 'provider presence at y-websocket');

    const ywsId = yws.doc.clientID;
    yws.destroy();
    await waitFor(() => !hp.provider.awareness?.getStates().has(ywsId), 5_000, 'y-websocket presence removed when it leaves');
  } finally {
    hp.destroy();
    yws.destroy();
  }
});

test('replaying an editing trace through a y-websocket client gives the trace’s final text', async () => {
  const trace = loadTrace('sveltecomponent');
  const yws = await connectYWebsocket(server.url, 'yws-trace');
  const text = yws.doc.getText('t');
  for (let i = 0; i < trace.ops.length; i += 1) {
    const [pos, del, insert] = trace.ops[i]!;
    yws.doc.transact(() => {
      if (del) text.delete(pos, del);
      if (insert) text.insert(pos, insert);
    });
    if (i % 2_000 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(text.toString(), trace.finalText);
  // y-websocket has no acknowledgement: the server's copy is checked through a fresh Hocuspocus provider.
  const check = await connectClient(server.wsUrl, 'yws-trace');
  await waitFor(() => check.doc.getText('t').toString() === trace.finalText, 20_000, 'the server to hold the final text');
  check.destroy();
  yws.destroy();
});

test('bad document names and malformed frames are refused; other clients keep syncing', async () => {
  const status = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/y/${encodeURIComponent('a\u0000b')}`);
    ws.on('unexpected-response', (request, response) => {
      request.destroy();
      resolve(response.statusCode ?? 0);
    });
    ws.on('error', () => undefined);
    ws.on('open', () => resolve(101));
  });
  assert.equal(status, 400);

  const hp = await connectClient(server.wsUrl, 'robust');
  const peer = await connectClient(server.wsUrl, 'robust');
  const closeCode = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/y/robust`);
    ws.on('open', () => ws.send(Buffer.from([0xff, 0xff, 0xff])));
    ws.on('close', (code) => resolve(code));
  });
  assert.equal(closeCode, 1007);
  hp.doc.getText('t').insert(0, 'still fine');
  await waitFor(() => peer.doc.getText('t').toString() === 'still fine', 5_000, 'other clients to keep syncing');
  hp.destroy();
  peer.destroy();
});
