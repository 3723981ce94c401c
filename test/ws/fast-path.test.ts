// Updates of established connections take the fast path: applied, broadcast, stored and acknowledged as through
// Hocuspocus' pipeline, in order with the frames that take that pipeline.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Extension } from '@hocuspocus/server';
import { MetricsExtension } from '../../server/metrics/metrics-extension.ts';
import { findFastPathBlockers, MessageFastPath } from '../../server/ws/fast-path.ts';
import { connectClient, waitFor, waitForAllSaved } from '../helpers/providers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

// Counts what the fast path took; the server is the real one, in this process.
let taken = 0;
let declined = 0;
const handle = MessageFastPath.prototype.handle;
MessageFastPath.prototype.handle = function (this: MessageFastPath, ...args: Parameters<MessageFastPath['handle']>) {
  const took = handle.apply(this, args);
  if (took) taken += 1;
  else declined += 1;
  return took;
};

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.close();
});

test('an extension with per-message hooks keeps every message on Hocuspocus; one that only times the apply does not', () => {
  const auditing: Extension = { extensionName: 'audit', async beforeHandleMessage() {} };
  const syncing: Extension = { extensionName: 'sync-check', async beforeSync() {} };
  const storing: Extension = { extensionName: 'store', async onStoreDocument() {} };
  assert.deepEqual(findFastPathBlockers([auditing, syncing, storing]), ['audit', 'sync-check']);
  assert.deepEqual(findFastPathBlockers([storing, new MetricsExtension({} as never)]), []);
});

test("Tandem's own extensions leave the fast path open", () => {
  assert.deepEqual(findFastPathBlockers(server.app.hub.extensions), []);
});

test('a burst right after connecting stays in order, reaches the other client and is saved', async () => {
  taken = 0;
  declined = 0;
  const writer = await connectClient(server.wsUrl, 'fast-burst');
  const reader = await connectClient(server.wsUrl, 'fast-burst');
  try {
    const text = writer.doc.getText('t');
    let expected = '';
    // One update per transaction: each a frame of its own, sent as fast as the socket takes them.
    for (let i = 0; i < 2_000; i += 1) {
      const piece = `${i % 10}`;
      text.insert(text.length, piece);
      expected += piece;
    }
    await waitForAllSaved(writer, 30_000);
    await waitFor(() => reader.doc.getText('t').toString() === expected, 10_000, 'the reader to have the burst');
    assert.equal(text.toString(), expected);
    assert.ok(taken > 1_000, `most updates took the fast path (${taken} taken, ${declined} declined)`);
  } finally {
    writer.destroy();
    reader.destroy();
  }
  // Stored, not just held in memory: a fresh client after the document unloaded reads it back.
  await waitFor(() => server.app.hub.document('fast-burst') === undefined, 10_000, 'the document to unload');
  const later = await connectClient(server.wsUrl, 'fast-burst');
  try {
    assert.equal(later.doc.getText('t').length, 2_000);
  } finally {
    later.destroy();
  }
});

test('awareness changes take the fast path too (the presence guard on it: test/auth/presence.test.ts)', async () => {
  const alice = await connectClient(server.wsUrl, 'fast-awareness');
  const bob = await connectClient(server.wsUrl, 'fast-awareness');
  try {
    taken = 0;
    for (let i = 1; i <= 20; i += 1) alice.provider.setAwarenessField('cursor', i);
    await waitFor(() => (bob.provider.awareness?.getStates().get(alice.doc.clientID) as { cursor?: number } | undefined)?.cursor === 20, 5_000, "bob to see alice's last cursor");
    assert.ok(taken >= 10, `the awareness changes took the fast path (${taken})`);
  } finally {
    alice.destroy();
    bob.destroy();
  }
});
