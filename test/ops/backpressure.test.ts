// Backpressure: a client that stops reading is closed at the send-buffer cap; the writers carry on.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { scrape, scrapeUntil } from '../helpers/prometheus.ts';
import { connectClient, waitFor, waitForAllSaved, type TestClient } from '../helpers/providers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const MiB = 1024 * 1024;
let server: TestServer;
before(async () => {
  // The default cap (4 MiB), stated so the test says what it checks.
  server = await startServer({ logLevel: 'warn', maxSendBufferBytes: 4 * MiB });
});
after(async () => {
  await server.close();
});

test('a reader that stops reading, among 10 writers, is closed at the cap; the writers are not disconnected', async () => {
  // The slow reader runs on the `ws` package so its TCP socket can be paused: it stops reading, the
  // kernel buffers fill, then the server's send buffer grows until the cap.
  const readerSocket = new HocuspocusProviderWebsocket({ url: server.wsUrl, WebSocketPolyfill: WebSocket, maxAttempts: 1 });
  const reader = new HocuspocusProvider({ websocketProvider: readerSocket, name: 'firehose', document: new Y.Doc(), token: 'dev' });
  reader.attach();
  await waitFor(() => reader.isSynced, 10_000, 'the reader to sync');
  const raw = readerSocket.webSocket as unknown as { _socket: { pause(): void; resume(): void } };
  raw._socket.pause();

  const writers: TestClient[] = [];
  let writerDisconnects = 0;
  for (let w = 0; w < 10; w += 1) {
    const writer = await connectClient(server.wsUrl, 'firehose');
    writer.socket.on('disconnect', () => {
      writerDisconnects += 1;
    });
    writers.push(writer);
  }
  await scrapeUntil(server.url, (m) => m.value('tandem_connections', { protocol: 'hocuspocus' }) === 11, 5_000, '11 connections');

  // Each round every writer replaces its own 128 KiB value: the document stays small (Yjs drops
  // overwritten map values), but every update is broadcast to all 11 clients.
  const roundMs: number[] = [];
  let closedAtRound = -1;
  for (let round = 0; round < 60 && closedAtRound < 0; round += 1) {
    const started = performance.now();
    writers.forEach((writer, w) => writer.doc.getMap('m').set(`w${w}`, `${round}:`.padEnd(128 * 1024, String.fromCharCode(97 + w))));
    await Promise.all(writers.map((writer) => waitForAllSaved(writer, 20_000)));
    await waitFor(
      () => writers.every((writer) => writers.every((_, w) => String(writer.doc.getMap('m').get(`w${w}`)).startsWith(`${round}:`))),
      20_000,
      `round ${round} to reach every writer`,
    );
    roundMs.push(performance.now() - started);
    const metrics = await scrape(server.url);
    if ((metrics.value('tandem_slow_clients_closed_total', { protocol: 'hocuspocus' }) ?? 0) > 0) closedAtRound = round;
  }
  assert.ok(closedAtRound >= 0, 'the slow reader was closed');
  const metrics = await scrapeUntil(server.url, (m) => m.value('tandem_connections', { protocol: 'hocuspocus' }) === 10, 5_000, 'the reader to be gone');
  assert.equal(metrics.value('tandem_slow_clients_closed_total', { protocol: 'hocuspocus' }), 1);
  assert.equal(writerDisconnects, 0, 'no writer was disconnected');
  const closeLog = server.logs.find((entry) => entry.msg === 'closed a client that stopped reading (4408 client too slow)');
  assert.ok(closeLog, 'the close is logged');
  // Closed on the first send after the backlog passed the cap: it never grew by more than one message.
  assert.ok(Number(closeLog.buffered) > 4 * MiB && Number(closeLog.buffered) <= 4 * MiB + 200 * 1024, `closed at ${closeLog.buffered} bytes`);
  const sorted = [...roundMs].sort((a, b) => a - b);
  console.log(
    `# slow reader closed after round ${closedAtRound} at ${closeLog.buffered} buffered bytes; ` +
      `writer round median ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms`,
  );

  // Reading again lets the reader see the server's close; a paused socket would wait out ws' 30 s close timeout.
  raw._socket.resume();
  reader.destroy();
  readerSocket.destroy();
  writers.forEach((writer) => writer.destroy());
});

test('a document larger than the cap still reaches a new client: one message is always sent', async () => {
  const small = await startServer({ logLevel: 'warn', maxSendBufferBytes: 64 * 1024 });
  try {
    const writer = await connectClient(small.wsUrl, 'large');
    const text = writer.doc.getText('t');
    for (let i = 0; i < 4; i += 1) text.insert(text.length, String(i).repeat(100 * 1024));
    await waitForAllSaved(writer);
    writer.destroy();
    const reader = await connectClient(small.wsUrl, 'large');
    assert.equal(reader.doc.getText('t').length, 400 * 1024);
    reader.destroy();
    const metrics = await scrape(small.url);
    assert.equal(metrics.value('tandem_slow_clients_closed_total', { protocol: 'hocuspocus' }) ?? 0, 0);
  } finally {
    await small.close();
  }
});
