// The LevelDB store's durability events: every append reported stored once, compactions timed, open/close.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { afterEach, test } from 'node:test';
import { LevelDocumentStore } from '../../server/storage/leveldb/level-store.ts';
import { AppendReporter, DurabilityListeners, type DurabilityEvents } from '../../server/storage/store-events.ts';
import { makeTempDir } from '../helpers/server.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

function recorder() {
  const seen: string[] = [];
  let persistedBytes = 0;
  const seconds: number[] = [];
  const listener: DurabilityEvents = {
    opened: (log) => seen.push(`opened ${log.documentName}`),
    appended: (document, bytes) => seen.push(`appended ${document} ${bytes}`),
    persisted: (_document, waited, bytes) => {
      persistedBytes += bytes;
      seconds.push(waited);
    },
    persistFailed: (document, bytes) => seen.push(`failed ${document} ${bytes}`),
    compacted: (document, waited) => {
      seconds.push(waited);
      seen.push(`compacted ${document}`);
    },
    closed: (log) => seen.push(`closed ${log.documentName}`),
  };
  return { listener, seen, seconds, persisted: () => persistedBytes };
}

test('a store reports appends, their persistence, compactions and open/close to its listeners until removed', async () => {
  const dataDir = await makeTempDir('tandem-events-');
  dirs.push(dataDir);
  const store = await LevelDocumentStore.open({ dataDir, fsync: false });
  const { listener, seen, seconds, persisted } = recorder();
  const stop = store.observeDurability(listener);

  const { log } = await store.open('notes');
  // Three appends in one group-commit batch, one in the next.
  await Promise.all([log.append(new Uint8Array(3)), log.append(new Uint8Array(5)), log.append(new Uint8Array(7))]);
  await log.append(new Uint8Array(11));
  assert.equal(persisted(), 26);
  await log.compact(new Uint8Array(2));
  await log.close();
  assert.deepEqual(seen, ['opened notes', 'appended notes 3', 'appended notes 5', 'appended notes 7', 'appended notes 11', 'compacted notes', 'closed notes']);
  assert.equal(seconds.length, 5);
  assert.ok(seconds.every((value) => value >= 0 && value < 60));

  stop();
  const again = await store.open('notes');
  await again.log.append(new Uint8Array(1));
  await again.log.close();
  assert.equal(seen.length, 7, 'nothing after the listener was removed');
  await store.close();
});

test('appends whose write fails are reported once as persistFailed with their bytes, never as persisted', async () => {
  const listeners = new DurabilityListeners();
  const { listener, seen, persisted } = recorder();
  listeners.add(listener);
  const reporter = new AppendReporter('notes', listeners);
  const failing = Promise.reject(new Error('disk full'));
  const stored = Promise.resolve();
  reporter.appended(failing, 4, performance.now());
  reporter.appended(failing, 6, performance.now());
  reporter.appended(stored, 1, performance.now());
  await assert.rejects(failing);
  await stored;
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(seen, ['appended notes 4', 'appended notes 6', 'appended notes 1', 'failed notes 10']);
  assert.equal(persisted(), 1);
});

test('with no listener a reporter reports nothing', async () => {
  const listeners = new DurabilityListeners();
  const { listener, seen } = recorder();
  listeners.add(listener)();
  assert.equal(listeners.active, false);
  new AppendReporter('notes', listeners).appended(Promise.resolve(), 3, performance.now());
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(seen, []);
});
