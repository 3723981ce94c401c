// A y-websocket client over the message rate on /y/<document>: read more slowly, never disconnected, nothing lost.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { waitFor } from '../helpers/providers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { connectYWebsocket } from '../helpers/ywebsocket.ts';

let server: TestServer;
before(async () => {
  server = await startServer({ maxMessagesPerSecond: 100 });
});
after(async () => {
  await server.close();
});

test('a burst of 400 updates at 100 messages/s arrives whole, without a disconnect', async () => {
  const writer = await connectYWebsocket(server.url, 'y-burst');
  let disconnects = 0;
  writer.provider.on('status', ({ status }: { status: string }) => {
    if (status === 'disconnected') disconnects += 1;
  });
  try {
    const text = writer.doc.getText('t');
    const started = performance.now();
    for (let i = 0; i < 400; i++) text.insert(text.length, String.fromCharCode(97 + (i % 26)));
    const expected = text.toString();
    const document = () => server.app.hocuspocus.documents.get('y-burst');
    await waitFor(() => document()?.getText('t').toString() === expected, 15_000, 'every update on the server');
    assert.ok(performance.now() - started >= 2_500, 'taken at the configured rate (300 beyond the burst of 100)');
    assert.equal(disconnects, 0);
    const throttled = await server.app.metrics.throttled.get();
    assert.ok(throttled.values.some((v) => v.labels.protocol === 'y-websocket' && v.value > 0));
  } finally {
    writer.destroy();
  }
});
