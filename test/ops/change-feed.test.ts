// The SSE change feed: live events, Last-Event-ID resumes without gaps or duplicates, missed-event notice, slow readers dropped.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import type { TandemEvent } from '../../server/events/event-bus.ts';
import { scrapeUntil } from '../helpers/prometheus.ts';
import { connectClient, waitFor } from '../helpers/providers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { openEventStream, type SseMessage } from '../helpers/sse.ts';

let server: TestServer;
before(async () => {
  server = await startServer({ logLevel: 'warn', autoVersions: false, sseRetainedEvents: 10, sseMaxQueuedEvents: 4, documentChangedDebounceMs: 10 });
});
after(async () => {
  await server.close();
});

const feedUrl = (name: string) => `${server.url}/api/documents/${encodeURIComponent(name)}/events`;
const eventsOf = (messages: SseMessage[]) => messages.filter((m) => m.event !== 'missed');
const payload = (message: SseMessage) => JSON.parse(message.data) as TandemEvent;
// An editor's client.connected, emitted before a stream opened, still reaches it if stored after it opened.
const versionsOf = (messages: SseMessage[]) => messages.filter((m) => m.event === 'version.created');

test('a subscriber sees a document’s events live, and only that document’s', async () => {
  const stream = await openEventStream(feedUrl('live'));
  try {
    assert.equal(stream.status, 200);
    const client = await connectClient(server.wsUrl, 'live');
    await connectClient(server.wsUrl, 'elsewhere').then((other) => other.destroy());
    client.doc.getText('t').insert(0, 'x');
    client.destroy();
    await waitFor(() => stream.messages.length >= 4, 5_000, 'four events');
    // document.changed follows its debounce or the unload, so it may come before or after the disconnect.
    const types = stream.messages.map((m) => m.event);
    assert.deepEqual(types.slice(0, 2), ['client.connected', 'document.created']);
    assert.deepEqual(types.slice(2).sort(), ['client.disconnected', 'document.changed']);
    assert.ok(stream.messages.every((m) => payload(m).document === 'live'));
    const ids = stream.messages.map((m) => Number(m.id));
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'ids increase');
    assert.equal(new Set(ids).size, ids.length);
  } finally {
    stream.close();
  }
});

test('a burst of edits makes one document.changed; reopening a stored document is no document.created', async () => {
  const stream = await openEventStream(feedUrl('bursty'));
  try {
    const first = await connectClient(server.wsUrl, 'bursty');
    await waitFor(() => stream.messages.length === 1, 5_000, 'the connect event');
    first.destroy();
    await waitFor(() => server.app.hocuspocus.getDocumentsCount() === 0, 5_000, 'the empty document to unload');
    // Nothing was written: the document is still not stored, and its first edit below creates it.
    const client = await connectClient(server.wsUrl, 'bursty');
    const text = client.doc.getText('t');
    for (let i = 0; i < 20; i += 1) text.insert(text.length, `${i},`);
    await waitFor(() => stream.messages.some((m) => m.event === 'document.changed'), 5_000, 'the changed event');
    client.destroy();
    await waitFor(() => server.app.hocuspocus.getDocumentsCount() === 0, 5_000, 'the document to unload');
    const changes = () => stream.messages.filter((m) => m.event === 'document.changed').map((m) => payload(m).data);
    const burst = changes();
    // The 10 ms quiet period may split the burst when the machine is busy, but never into one event per edit.
    assert.equal(burst.reduce((sum, data) => sum + Number(data.updates), 0), 20);
    assert.ok(burst.length <= 5, `${burst.length} events for one burst`);

    const again = await connectClient(server.wsUrl, 'bursty');
    again.doc.getText('t').insert(0, 'more');
    again.destroy();
    await waitFor(() => changes().length === burst.length + 1, 5_000, 'the change after reopening');
    assert.equal(changes().at(-1)?.updates, 1);
    assert.equal(stream.messages.filter((m) => m.event === 'document.created').length, 1);
  } finally {
    stream.close();
  }
});

test('a subscriber that disconnects and resumes with Last-Event-ID gets no gap and no duplicate', async () => {
  // A window is kept while the document is loaded (or watched): an editor keeps it loaded here.
  const editor = await connectClient(server.wsUrl, 'resume');
  const emit = (n: number) => server.app.events.emitEvent('version.created', 'resume', { n });
  const first = await openEventStream(feedUrl('resume'));
  for (let n = 0; n < 4; n += 1) emit(n);
  await waitFor(() => versionsOf(first.messages).length === 4, 5_000, 'four events');
  first.close();
  await waitFor(() => first.ended, 5_000, 'the first stream to end');
  const lastId = first.messages.at(-1)?.id as string;

  for (let n = 4; n < 9; n += 1) emit(n); // while nobody listens
  const second = await openEventStream(feedUrl('resume'), { 'last-event-id': lastId });
  try {
    await waitFor(() => second.messages.length >= 5, 5_000, 'the five missed events');
    emit(9);
    await waitFor(() => second.messages.length >= 6, 5_000, 'a live event after the replay');
    const seen = versionsOf([...first.messages, ...second.messages]).map((m) => payload(m).data.n);
    assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.ok(second.messages.every((m) => m.event === 'version.created'), 'no missed-events notice');
    const ids = [...first.messages, ...second.messages].map((m) => Number(m.id));
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
  } finally {
    second.close();
    editor.destroy();
  }
});

test('a document neither loaded nor watched is resumed from storage: exactly what followed, nothing missed', async () => {
  const editor = await connectClient(server.wsUrl, 'released');
  const first = await openEventStream(feedUrl('released'));
  server.app.events.emitEvent('version.created', 'released', { n: 0 });
  await waitFor(() => first.messages.some((m) => m.event === 'version.created'), 5_000, 'the event');
  first.close();
  editor.destroy();
  await waitFor(() => server.app.hocuspocus.getDocumentsCount() === 0, 5_000, 'the document to unload');
  const lastId = Number(first.messages.at(-1)?.id);
  const resumed = await openEventStream(feedUrl('released'), { 'last-event-id': String(lastId) });
  try {
    // The editor's disconnect came after the first stream closed; then one more, live.
    await waitFor(() => resumed.messages.length === 1, 5_000, 'the stored disconnect');
    server.app.events.emitEvent('version.created', 'released', { n: 1 });
    await waitFor(() => resumed.messages.length === 2, 5_000, 'the live event');
    assert.deepEqual(resumed.messages.map((m) => m.event), ['client.disconnected', 'version.created']);
    assert.deepEqual(resumed.messages.map((m) => Number(m.id)), [lastId + 1, lastId + 2]);
  } finally {
    resumed.close();
  }
});

test('resuming from before the retained window says that events were missed, then replays the window', async () => {
  const editor = await connectClient(server.wsUrl, 'window');
  const first = await openEventStream(feedUrl('window'));
  server.app.events.emitEvent('version.created', 'window', { n: 0 });
  await waitFor(() => versionsOf(first.messages).length === 1, 5_000, 'the first event');
  first.close();
  // Events reach streams once stored: a watcher shows when all 25 are, so the resume comes after them.
  const watcher = await openEventStream(feedUrl('window'));
  for (let n = 1; n <= 25; n += 1) server.app.events.emitEvent('version.created', 'window', { n });
  await waitFor(() => versionsOf(watcher.messages).length === 25, 5_000, 'the 25 events to be stored');
  watcher.close();

  const resumed = await openEventStream(feedUrl('window'), { 'last-event-id': versionsOf(first.messages)[0]?.id as string });
  try {
    await waitFor(() => resumed.messages.length === 11, 5_000, 'the notice and the ten retained events');
    assert.equal(resumed.messages[0]?.event, 'missed');
    assert.deepEqual(eventsOf(resumed.messages).map((m) => payload(m).data.n), [16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
  } finally {
    resumed.close();
  }
  // An id this document never issued (as from before it was deleted) is also reported as missed.
  const stale = await openEventStream(feedUrl('window'), { 'last-event-id': '9999' });
  try {
    await waitFor(() => stale.messages.length > 0, 5_000, 'the notice');
    assert.equal(stale.messages[0]?.event, 'missed');
  } finally {
    stale.close();
  }
  assert.equal((await fetch(feedUrl('window'), { headers: { 'last-event-id': 'nope' } })).status, 400);
  editor.destroy();
});

test('a reader that stops reading is dropped once its queue is full; the feed keeps no backlog for it', async () => {
  // A raw socket that sends the request and never reads: the kernel buffers fill, then the queue.
  const socket = connect(server.port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(`GET /api/documents/slow/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
  socket.pause();
  let closed = false;
  socket.on('close', () => {
    closed = true;
  });
  socket.on('error', () => undefined);
  await scrapeUntil(server.url, (m) => m.value('tandem_sse_subscribers') === 1, 5_000, 'the subscriber');
  const big = 'x'.repeat(256 * 1024);
  let emitted = 0;
  for (; emitted < 2_000; emitted += 1) {
    server.app.events.emitEvent('version.created', 'slow', { big });
    if (emitted % 10 === 9) {
      // Events go out once stored: wait for these ten (else a slower store, PostgreSQL, lets the loop run
      // far ahead of what the socket was offered), then let the socket write what it can.
      while ((await server.app.store.events.highestSeq('slow')) < emitted + 1) await new Promise((resolve) => setTimeout(resolve, 1));
      await new Promise((resolve) => setImmediate(resolve));
      const dropped = (await server.app.metrics.sseDropped.get()).values[0]?.value ?? 0;
      if (dropped > 0) break;
    }
  }
  const metrics = await scrapeUntil(server.url, (m) => m.value('tandem_sse_subscribers') === 0, 5_000, 'the slow reader to be dropped');
  assert.equal(metrics.value('tandem_sse_dropped_total'), 1);
  assert.ok(emitted < 2_000, 'dropped before the end');
  socket.resume();
  await waitFor(() => closed, 5_000, 'the server to close the connection');
  console.log(`# slow SSE reader dropped after ${emitted + 1} events of 256 KiB`);
});

test('server-side edits (import, restore) make no client events; a real provider still does', async () => {
  const name = 'server-edits';
  const stream = await openEventStream(feedUrl(name));
  try {
    const api = (path: string, init: RequestInit) => fetch(`${server.url}/api/documents/${name}${path}`, init);
    const json = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const doc = (text: string) => ({ type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });
    assert.equal((await api('/import', json(doc('first')))).status, 201);
    assert.equal((await api('/import', json(doc('second')))).status, 201);
    assert.equal((await api('/versions/1/restore', json({}))).status, 200);
    await waitFor(() => stream.messages.some((m) => m.event === 'version.restored'), 5_000, 'the restore event');

    // A provider's own pair comes after anything the server edits emitted: the feed is in order.
    const client = await connectClient(server.wsUrl, name);
    client.destroy();
    await waitFor(() => stream.messages.some((m) => m.event === 'client.disconnected'), 5_000, 'the provider’s disconnect');
    const clientEvents = stream.messages.filter((m) => m.event.startsWith('client.')).map((m) => ({ type: m.event, socketId: payload(m).data.socketId }));
    assert.equal(clientEvents.length, 2, JSON.stringify(clientEvents));
    assert.deepEqual(clientEvents.map((e) => e.type), ['client.connected', 'client.disconnected']);
    assert.equal(clientEvents[0]!.socketId, clientEvents[1]!.socketId);
    assert.notEqual(clientEvents[0]!.socketId, 'server');
    assert.ok(stream.messages.some((m) => m.event === 'version.created'), 'the server edits were heard');
  } finally {
    stream.close();
  }
});
