// Every limit answers with its close code or HTTP status and a reason, and applies nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as Y from 'yjs';
import { connectClient } from '../helpers/providers.ts';
import { upgrade } from '../helpers/raw-http.ts';
import { authFrame, awarenessFrame, connectRaw, frame, MESSAGE, SYNC, syncFrame } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

function bigUpdate(characters: number): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, 'x'.repeat(characters));
  return Y.encodeStateAsUpdate(doc);
}

describe('per-socket and per-document limits', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({
      maxMessagesPerSecond: 50,
      maxDocumentBytes: 4096,
      maxAwarenessBytes: 1024,
      maxDocumentsPerConnection: 2,
      allowedOrigins: 'https://app.example',
    });
  });
  after(async () => {
    await server.close();
  });

  test('an upgrade from an origin outside the allowlist is refused with 403 and a reason', async () => {
    const refused = await upgrade(server.wsUrl.replace('ws:', 'http:'), { origin: 'https://evil.example' });
    assert.equal(refused.status, 403);
    assert.match(refused.body, /^origin-not-allowed: https:\/\/evil.example may not connect/);
    assert.equal((await upgrade(server.wsUrl.replace('ws:', 'http:'), { origin: 'https://app.example' })).status, 101);
    // Not a browser: no Origin header, nothing to check.
    assert.equal((await upgrade(server.wsUrl.replace('ws:', 'http:'))).status, 101);
  });

  test('more messages per second than allowed: read more slowly, nothing dropped, the socket stays open', async () => {
    const client = await connectRaw(server.wsUrl);
    try {
      assert.equal((await client.authenticate('rate', 'dev')).authType, 2);
      client.send(syncFrame('rate', SYNC.step1, Y.encodeStateVector(new Y.Doc())));
      const source = new Y.Doc();
      source.on('update', (update: Uint8Array) => client.send(syncFrame('rate', SYNC.update, update)));
      const started = performance.now();
      // 120 updates at 50 per second with a burst of 50: at least 1.4 s to read them all.
      for (let i = 0; i < 120; i++) source.getText('t').insert(i, 'r');
      await client.waitForMessage(() => client.messages.filter((m) => m.type === MESSAGE.syncStatus).length === 120, 'an ack for every update', 10_000);
      assert.ok(performance.now() - started >= 1_300, 'the updates were taken at the configured rate');
      assert.equal(client.closed, null, 'not disconnected for its rate');
      assert.equal(server.app.hocuspocus.documents.get('rate')!.getText('t').toString(), 'r'.repeat(120));
      const throttled = await server.app.metrics.throttled.get();
      assert.ok(throttled.values.some((v) => v.labels.protocol === 'hocuspocus' && v.value > 0), 'counted in tandem_throttled_total');
    } finally {
      client.close();
    }
  });

  test('an update that would grow the document past its limit: close 4413, nothing applied', async () => {
    const writer = await connectClient(server.wsUrl, 'sized');
    writer.doc.getText('t').insert(0, 'small');
    const client = await connectRaw(server.wsUrl);
    try {
      assert.equal((await client.authenticate('sized', 'dev')).authType, 2);
      client.send(syncFrame('sized', SYNC.update, bigUpdate(5000)));
      const closed = await client.waitForClose();
      assert.equal(closed.code, 4413);
      assert.match(closed.reason, /^document-too-large: the document would exceed 4096 bytes/);
      assert.equal(server.app.hocuspocus.documents.get('sized')!.getText('t').toString(), 'small');
      assert.ok((await server.app.store.getMeta('sized'))!.bytes < 4096);
    } finally {
      writer.destroy();
    }
  });

  test('orphaned updates Yjs holds as pending count towards the document size: close 4413', async () => {
    // Two transactions of one client; only the second is sent, so it waits for the first forever.
    const source = new Y.Doc();
    source.getText('t').insert(0, 'first');
    const orphan = (characters: number) => {
      const vector = Y.encodeStateVector(source);
      source.getText('t').insert(0, 'y'.repeat(characters));
      return Y.encodeStateAsUpdate(source, vector);
    };
    const client = await connectRaw(server.wsUrl);
    assert.equal((await client.authenticate('orphans', 'dev')).authType, 2);
    // Acks start with the client's sync step 1, as for a provider (server/ws/ack-ledger.ts).
    client.send(syncFrame('orphans', SYNC.step1, Y.encodeStateVector(new Y.Doc())));
    client.send(syncFrame('orphans', SYNC.update, orphan(2500)));
    await client.waitForMessage((m) => m.type === MESSAGE.syncStatus, 'the first orphan to be taken as pending');
    const document = server.app.hocuspocus.documents.get('orphans')!;
    assert.ok(document.store.pendingStructs, 'Yjs keeps the orphan as pending');
    assert.equal(document.getText('t').toString(), '');
    client.send(syncFrame('orphans', SYNC.update, orphan(2500)));
    const closed = await client.waitForClose();
    assert.equal(closed.code, 4413);
    assert.equal((await server.app.store.getMeta('orphans'))?.logLength ?? 0, 0, 'pending updates never reach the log');
  });

  test('an awareness update over its limit: close 1009', async () => {
    const client = await connectRaw(server.wsUrl);
    assert.equal((await client.authenticate('aware', 'dev')).authType, 2);
    client.send(awarenessFrame('aware', [{ clientId: 1, clock: 1, state: { user: { name: 'x'.repeat(2000) } } }]));
    const closed = await client.waitForClose();
    assert.equal(closed.code, 1009);
    assert.match(closed.reason, /^payload-too-large: awareness update of \d+ bytes exceeds 1024/);
  });

  test('more documents on one socket than allowed: the extra one is refused, the others stay', async () => {
    const client = await connectRaw(server.wsUrl);
    try {
      assert.equal((await client.authenticate('many-1', 'dev')).authType, 2);
      assert.equal((await client.authenticate('many-2', 'dev')).authType, 2);
      const third = await client.authenticate('many-3', 'dev');
      assert.equal(third.authType, 1);
      assert.match(third.text ?? '', /^too-many-documents: at most 2 documents per connection/);
      assert.equal(client.closed, null);
    } finally {
      client.close();
    }
  });

  test('malformed input closes only the offending socket, with 1007 or 1003 and a reason', async () => {
    const cases: Array<[string, Uint8Array | string, number, RegExp]> = [
      ['text frame', 'hello', 1003, /text frames are not supported/],
      ['unknown type', frame('m', 42), 1007, /^invalid-message: message type 42 is not accepted/],
      ['server-internal type', frame('m', 6), 1007, /^invalid-message: message type 6/],
      ['undecodable update', syncFrame('m', SYNC.update, new Uint8Array([1, 200, 200, 200])), 1007, /^invalid-message: Yjs update does not decode/],
      ['truncated frame', authFrame('m', 'dev').slice(0, 4), 1007, /^invalid-message: token (length )?is/],
      ['invalid UTF-8 address', new Uint8Array([2, 0xc3, 0x28, MESSAGE.queryAwareness]), 1007, /^invalid-message: document address is not valid UTF-8/],
      ['trailing bytes', new Uint8Array([...frame('m', MESSAGE.queryAwareness), 1, 2, 3]), 1007, /^invalid-message: 3 unexpected bytes/],
    ];
    const bystander = await connectClient(server.wsUrl, 'bystander');
    try {
      for (const [what, data, code, reason] of cases) {
        const client = await connectRaw(server.wsUrl);
        client.send(data);
        const closed = await client.waitForClose();
        assert.equal(closed.code, code, what);
        assert.match(closed.reason, reason, what);
      }
      bystander.doc.getText('t').insert(0, 'still fine');
      await new Promise<void>((resolve) => {
        const check = () => (bystander.provider.unsyncedChanges === 0 ? resolve() : setTimeout(check, 5));
        check();
      });
      assert.equal(bystander.socket.status, 'connected');
    } finally {
      bystander.destroy();
    }
  });
});

describe('connection attempts per IP', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ maxConnectionsPerMinute: 3 });
  });
  after(async () => {
    await server.close();
  });

  test('beyond the limit, upgrades get 429 with Retry-After', async () => {
    const url = server.wsUrl.replace('ws:', 'http:');
    for (let i = 0; i < 3; i++) assert.equal((await upgrade(url)).status, 101);
    const refused = await upgrade(url);
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers['retry-after']) >= 1);
    assert.match(refused.body, /^rate-limited: too many connection attempts/);
  });
});

describe('a socket kept over the message rate', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ maxMessagesPerSecond: 20, maxThrottledSeconds: 1 });
  });
  after(async () => {
    await server.close();
  });

  test('is closed with 4429 once throttled for longer than --max-throttled-seconds, and counted', async () => {
    const client = await connectRaw(server.wsUrl);
    const started = performance.now();
    // 20 per second with a burst of 20: 200 frames keep the socket throttled for 9 s.
    for (let i = 0; i < 200; i++) client.send(frame('flood', MESSAGE.queryAwareness));
    const closed = await client.waitForClose(10_000);
    assert.equal(closed.code, 4429);
    assert.match(closed.reason, /^rate-limited: more than 20 messages per second for \d+ s/);
    assert.ok(performance.now() - started >= 1_000, 'not before the socket was throttled for a second');
    const rejections = await server.app.metrics.limitRejections.get();
    assert.ok(rejections.values.some((v) => v.labels.limit === 'throttled-too-long' && v.value === 1));
  });
});
