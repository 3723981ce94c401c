// The documents hub without a network: configured once, extensions by priority, documents reached through it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Extension, onConfigurePayload } from '@hocuspocus/server';
import { createHub } from '../../server/documents/hub.ts';

test('the hub starts Hocuspocus once, with its extensions by priority; direct connections load documents in it', async () => {
  const hub = createHub({ maxPendingDocuments: 10, preAuthBytes: 1024 });
  const configured: unknown[] = [];
  const low: Extension = { extensionName: 'low', priority: 1 };
  const high: Extension = { extensionName: 'high', priority: 500, onConfigure: async ({ instance }: onConfigurePayload) => void configured.push(instance) };
  const given = [low, high];
  hub.start(given);
  assert.deepEqual(given, [low, high], 'the caller’s list is left as it was');
  assert.deepEqual(hub.extensions, [high, low]);
  // Hocuspocus runs hooks as a promise chain.
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(configured, [hub.hocuspocus], 'extensions see the hub’s Hocuspocus in onConfigure');
  assert.throws(() => hub.start([]), /already started/);

  const connection = await hub.openDirectConnection('doc');
  await connection.transact((document) => document.getText('t').insert(0, 'hello'));
  assert.equal(hub.document('doc')?.getText('t').toString(), 'hello');
  assert.equal(hub.isResident('doc'), true);
  assert.equal(hub.documentsCount, 1);
  await connection.disconnect();
  const deadline = Date.now() + 5_000;
  while (hub.isResident('doc') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(hub.isResident('doc'), false, 'unloaded once the last connection left');
});
