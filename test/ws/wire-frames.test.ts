// Frames written straight to the TCP stream arrive as ws would have sent them, in order with ws' own frames.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { DurableAckSocket } from '../../server/ws/durable-ack-socket.ts';
import { binaryFrame, sendBinary } from '../../server/ws/wire-frames.ts';

let server: WebSocketServer;
let url: string;
before(async () => {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await once(server, 'listening');
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  for (const client of server.clients) client.terminate();
  server.close();
});

/** A connected pair: the server's side, and what the client has received (binary payloads, then the close). */
async function connect(): Promise<{ serverSide: WebSocket; received: Uint8Array[]; closed: Promise<{ code: number; reason: string }> }> {
  const accepted = once(server, 'connection') as Promise<[WebSocket]>;
  const client = new WebSocket(url);
  const received: Uint8Array[] = [];
  client.on('message', (data, isBinary) => {
    assert.ok(isBinary, 'every message arrives as binary');
    received.push(new Uint8Array(data as Buffer));
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => client.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await once(client, 'open');
  const [serverSide] = await accepted;
  return { serverSide, received, closed };
}

function payload(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
}

test('payloads on both sides of each header size arrive whole and in order, mixed with ws.send and a close', async () => {
  const { serverSide, received, closed } = await connect();
  // 125/126 and 65,535/65,536 are where the header grows; from 65,536 bytes ws.send frames the payload itself.
  const sizes = [0, 1, 125, 126, 127, 1000, 65_535, 65_536, 70_000];
  const sent: Uint8Array[] = [];
  for (const [index, size] of sizes.entries()) {
    const data = payload(size, index);
    sendBinary(serverSide, data);
    sent.push(data);
    const viaWs = payload(3, 100 + index);
    serverSide.send(viaWs);
    sent.push(viaWs);
  }
  serverSide.close(4000, 'done');
  assert.deepEqual(await closed, { code: 4000, reason: 'done' });
  assert.equal(received.length, sent.length);
  for (const [index, data] of sent.entries()) assert.deepEqual(received[index], data, `message ${index} (${data.length} bytes)`);
});

test('small payloads skip ws.send and share one frame between recipients', async () => {
  const first = await connect();
  const second = await connect();
  let viaWs = 0;
  for (const side of [first.serverSide, second.serverSide]) {
    const original = side.send.bind(side);
    side.send = ((...args: Parameters<WebSocket['send']>) => {
      viaWs += 1;
      original(...args);
    }) as WebSocket['send'];
  }
  const data = payload(200, 7);
  sendBinary(first.serverSide, data);
  sendBinary(second.serverSide, data);
  // The frame is built once per payload object: a second call hands back the same bytes.
  assert.equal(binaryFrame(data), binaryFrame(data));
  assert.equal(viaWs, 0, "with this ws version every small payload is written directly (ws' internals as expected)");
  sendBinary(first.serverSide, payload(70_000, 1));
  assert.equal(viaWs, 1, 'a payload of 65,536 bytes or more goes through ws.send');
  first.serverSide.close();
  second.serverSide.close();
  await Promise.all([first.closed, second.closed]);
  assert.deepEqual(first.received[0], data);
  assert.deepEqual(second.received[0], data);
  assert.equal(first.received[1]?.length, 70_000);
});

test("a socket's frames of one burst are corked after the first and flushed when the job ends or past 64 KiB", async () => {
  const { serverSide, received, closed } = await connect();
  const socket = (serverSide as unknown as { _socket: Socket })._socket;
  const sent: Uint8Array[] = [];
  const send = (data: Uint8Array) => {
    sendBinary(serverSide, data);
    sent.push(data);
  };
  send(payload(10, 1));
  assert.equal(socket.writableCorked, 0, 'the first frame of a burst is written at once');
  send(payload(10, 2));
  assert.equal(socket.writableCorked, 1, 'the second one corks the socket');
  for (let i = 0; i < 20; i += 1) send(payload(10_000, 3 + i));
  assert.ok(socket.writableLength < 64 * 1024 + 10_010, `never more than 64 KiB held (${socket.writableLength})`);
  await Promise.resolve();
  assert.equal(socket.writableCorked, 0, 'the burst ends with the job');
  serverSide.close(4000, 'done');
  await closed;
  assert.equal(received.length, sent.length);
  for (const [index, data] of sent.entries()) assert.deepEqual(received[index], data, `message ${index}`);
});

test('frames held for a burst do not make a reading client look too slow', async () => {
  const { serverSide, received, closed } = await connect();
  let tooSlow = 0;
  const socket = new DurableAckSocket(serverSide, () => null, () => undefined, { maxBufferedBytes: 8 * 1024, onTooSlow: () => (tooSlow += 1) });
  const sent = Array.from({ length: 10 }, (_, i) => payload(3_000, 50 + i));
  // One job: every frame after the first is corked, 30 KB in all against an 8 KiB limit.
  for (const data of sent) socket.send(data);
  await Promise.resolve();
  serverSide.close(4000, 'done');
  assert.deepEqual(await closed, { code: 4000, reason: 'done' }, 'closed by the test, not for being slow');
  assert.equal(tooSlow, 0);
  assert.deepEqual(received, sent);
});
