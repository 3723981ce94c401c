// LevelDocumentStore on a real LevelDB in a temp dir: replay, metadata, integrity, failures.
import assert from 'node:assert/strict';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import * as Y from 'yjs';
import { AppError } from '../../server/errors.ts';
import { BatchWriter } from '../../server/storage/leveldb/batch-writer.ts';
import { logKey, logRange, logRecordKey, metaKey } from '../../server/storage/leveldb/keys.ts';
import { LevelDatabase } from '../../server/storage/leveldb/leveldb.ts';
import { LevelDocumentStore } from '../../server/storage/leveldb/level-store.ts';
import { encodeLogEntry } from '../../server/storage/records.ts';
import { makeTempDir } from '../helpers/server.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempStore() {
  const dataDir = await makeTempDir('tandem-store-');
  dirs.push(dataDir);
  return { dataDir, store: await LevelDocumentStore.open({ dataDir, fsync: false }) };
}

function loadInto(loaded: { snapshot: Uint8Array | null; updates: Uint8Array[] }): Y.Doc {
  const doc = new Y.Doc();
  if (loaded.snapshot) Y.applyUpdate(doc, loaded.snapshot);
  for (const update of loaded.updates) Y.applyUpdate(doc, update);
  return doc;
}

test('appended updates come back in order after the store is reopened', async () => {
  const { dataDir, store } = await tempStore();
  const { log } = await store.open('notes');
  const live = new Y.Doc();
  live.on('update', (update: Uint8Array) => void log.append(update));
  for (const word of ['one ', 'two ', 'three']) live.getText('t').insert(live.getText('t').length, word);
  await log.whenDurable();
  await log.close();
  await store.close();

  const reopened = await LevelDocumentStore.open({ dataDir, fsync: false });
  const loaded = await reopened.open('notes');
  assert.equal(loaded.updates.length, 3);
  assert.equal(loadInto(loaded).getText('t').toString(), 'one two three');
  await loaded.log.close();
  await reopened.close();
});

test('opening a document without editing it stores nothing', async () => {
  const { store } = await tempStore();
  const { log } = await store.open('just-looking');
  await log.close();
  assert.deepEqual(await store.listDocuments(), []);
  await store.close();
});

test('metadata tracks size and log length and is listed without loading documents', async () => {
  const { dataDir, store } = await tempStore();
  const { log } = await store.open('meta');
  const live = new Y.Doc();
  live.on('update', (update: Uint8Array) => void log.append(update));
  live.getText('t').insert(0, 'abc');
  live.getText('t').insert(3, 'def');
  await log.whenDurable();
  const before = await store.getMeta('meta');
  assert.equal(before?.logLength, 2);
  assert.ok((before?.bytes ?? 0) > 0);
  await log.compact(Y.encodeStateAsUpdate(live));
  await log.close();
  await store.close();

  const reopened = await LevelDocumentStore.open({ dataDir, fsync: false });
  const [listed] = await reopened.listDocuments();
  assert.equal(listed?.name, 'meta');
  assert.equal(listed?.logLength, 0);
  assert.ok((listed?.snapshotBytes ?? 0) > 0);
  assert.ok(Date.parse(listed?.createdAt ?? '') <= Date.parse(listed?.updatedAt ?? ''));
  await reopened.close();
});

/** Appends each update in a batch of its own, so each is one log record. */
function appendOneByOne(log: { append(update: Uint8Array): Promise<void> }, live: Y.Doc): () => Promise<void> {
  let written = Promise.resolve();
  live.on('update', (update: Uint8Array) => {
    written = written.then(() => log.append(update));
  });
  return () => written;
}

test('a corrupted log entry makes only that document refuse to load, and it is left untouched', async () => {
  const { dataDir, store } = await tempStore();
  for (const name of ['damaged', 'healthy']) {
    const { log } = await store.open(name);
    const live = new Y.Doc();
    const written = appendOneByOne(log, live);
    live.getText('t').insert(0, `${name} text`);
    live.getText('t').insert(0, '> ');
    await written();
    await log.close();
  }
  await store.close();

  // Flip bytes of one stored update behind the store's back.
  const raw = await LevelDatabase.open(dataDir);
  const original = await raw.get(logRecordKey('damaged', 1, 1));
  assert.ok(original);
  const damaged = Buffer.from(original);
  damaged[damaged.length - 1] = (damaged[damaged.length - 1] as number) ^ 0xff;
  await raw.batch([{ type: 'put', key: logRecordKey('damaged', 1, 1), value: damaged }], false);
  await raw.close();

  const reopened = await LevelDocumentStore.open({ dataDir, fsync: false });
  await assert.rejects(reopened.open('damaged'), (error: unknown) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, 'document-unavailable');
    assert.match(error.message, /"damaged"/);
    assert.match(error.message, /log entry 1/);
    return true;
  });
  const healthy = await reopened.open('healthy');
  assert.equal(loadInto(healthy).getText('t').toString(), '> healthy text');
  await healthy.log.close();
  await reopened.close();

  const check = await LevelDatabase.open(dataDir);
  assert.deepEqual(await check.get(logRecordKey('damaged', 1, 1)), damaged, 'the damaged entry was rewritten');
  await check.close();
});

test('a missing log entry is detected instead of silently skipped', async () => {
  const { dataDir, store } = await tempStore();
  const { log } = await store.open('gappy');
  const live = new Y.Doc();
  const written = appendOneByOne(log, live);
  for (let i = 0; i < 3; i += 1) live.getText('t').insert(0, String(i));
  await written();
  await log.close();
  await store.close();
  const raw = await LevelDatabase.open(dataDir);
  await raw.batch([{ type: 'del', key: logRecordKey('gappy', 1, 1) }], false);
  await raw.close();

  const reopened = await LevelDocumentStore.open({ dataDir, fsync: false });
  await assert.rejects(reopened.open('gappy'), /log entry 1 of "gappy" is missing/);
  await reopened.close();
});

test('updates appended in one turn are stored as one record, which round-trips and is checked as a whole', async () => {
  const { dataDir, store } = await tempStore();
  const { log } = await store.open('burst');
  const live = new Y.Doc();
  const promises: Array<Promise<void>> = [];
  live.on('update', (update: Uint8Array) => promises.push(log.append(update)));
  for (let i = 0; i < 50; i += 1) live.getText('t').insert(i, String(i % 10));
  assert.equal(new Set(promises).size, 1, 'every update of the turn settles with the same batch');
  await Promise.all(promises);
  const storedBytes = (await store.getMeta('burst'))?.logBytes;
  await log.close();
  await store.close();

  const raw = await LevelDatabase.open(dataDir);
  const entries: Array<[Buffer, Buffer]> = [];
  for await (const entry of raw.entries(logRange('burst'))) entries.push(entry);
  await raw.close();
  assert.equal(entries.length, 1, 'one LevelDB entry for the whole burst');
  const [key, value] = entries[0]!;
  assert.deepEqual(key, logRecordKey('burst', 0, 50));
  assert.equal(storedBytes, value.length, 'metadata counts the bytes actually stored');

  const reopened = await LevelDocumentStore.open({ dataDir, fsync: false });
  const loaded = await reopened.open('burst');
  assert.equal(loaded.updates.length, 50);
  assert.equal(loadInto(loaded).getText('t').toString(), live.getText('t').toString());
  assert.equal(loaded.log.logBytes, value.length);
  await loaded.log.close();
  await reopened.close();

  // One flipped bit anywhere in the record refuses the whole document.
  const damaged = Buffer.from(value);
  damaged[Math.floor(damaged.length / 2)] = (damaged[Math.floor(damaged.length / 2)] as number) ^ 0x01;
  const rawAgain = await LevelDatabase.open(dataDir);
  await rawAgain.batch([{ type: 'put', key, value: damaged }], false);
  await rawAgain.close();
  const refusing = await LevelDocumentStore.open({ dataDir, fsync: false });
  await assert.rejects(refusing.open('burst'), (error: unknown) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, 'document-unavailable');
    assert.match(error.message, /log entries 0–49 of "burst": checksum mismatch/);
    return true;
  });
  await refusing.close();
});

test('logs in the first format, one entry per update, still load, and appending continues after them', async () => {
  const { dataDir, store } = await tempStore();
  await store.close();
  const live = new Y.Doc();
  const updates: Uint8Array[] = [];
  live.on('update', (update: Uint8Array) => updates.push(update));
  for (const word of ['old ', 'format ']) live.getText('t').insert(live.getText('t').length, word);
  const raw = await LevelDatabase.open(dataDir);
  await raw.batch(updates.map((update, seq) => ({ type: 'put' as const, key: logKey('legacy', seq), value: encodeLogEntry(update) })), false);
  await raw.close();

  const reopened = await LevelDocumentStore.open({ dataDir, fsync: false });
  const loaded = await reopened.open('legacy');
  const doc = loadInto(loaded);
  doc.on('update', (update: Uint8Array) => void loaded.log.append(update));
  doc.getText('t').insert(doc.getText('t').length, 'and new');
  await loaded.log.close();
  await reopened.close();

  const again = await LevelDocumentStore.open({ dataDir, fsync: false });
  const both = await again.open('legacy');
  assert.equal(both.updates.length, 3);
  assert.equal(loadInto(both).getText('t').toString(), 'old format and new');
  // Compaction drops entries of both formats.
  await both.log.compact(Y.encodeStateAsUpdate(loadInto(both)));
  await both.log.close();
  await again.close();
  const check = await LevelDatabase.open(dataDir);
  let left = 0;
  for await (const _ of check.entries(logRange('legacy'))) left += 1;
  await check.close();
  assert.equal(left, 0);
});

test('metadata that is not JSON is reported as corruption of that document', async () => {
  const { dataDir, store } = await tempStore();
  await store.close();
  const raw = await LevelDatabase.open(dataDir);
  await raw.batch([{ type: 'put', key: metaKey('bad-meta'), value: Buffer.from('{nope') }], false);
  await raw.close();
  const reopened = await LevelDocumentStore.open({ dataDir, fsync: false });
  await assert.rejects(reopened.open('bad-meta'), (error: unknown) => error instanceof AppError && error.code === 'document-unavailable');
  await reopened.close();
});

test('a second open of the same document waits until the first is closed', async () => {
  const { store } = await tempStore();
  const first = await store.open('shared');
  const live = new Y.Doc();
  live.on('update', (update: Uint8Array) => void first.log.append(update));
  live.getText('t').insert(0, 'written by the first instance');
  let secondOpened = false;
  const second = store.open('shared').then((loaded) => {
    secondOpened = true;
    return loaded;
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(secondOpened, false);
  await first.log.close();
  const loaded = await second;
  assert.equal(loadInto(loaded).getText('t').toString(), 'written by the first instance');
  await loaded.log.close();
  await store.close();
});

test('a failed batch rejects its writers and every later write: nothing is swallowed', async () => {
  const dataDir = await makeTempDir('tandem-writer-');
  dirs.push(dataDir);
  const db = await LevelDatabase.open(dataDir);
  const writer = new BatchWriter(db, { sync: false });
  await writer.write([{ type: 'put', key: Buffer.from('k1'), value: Buffer.from('v') }]);
  await db.close();
  await assert.rejects(writer.write([{ type: 'put', key: Buffer.from('k2'), value: Buffer.from('v') }]));
  assert.ok(writer.failure);
  await assert.rejects(writer.write([{ type: 'put', key: Buffer.from('k3'), value: Buffer.from('v') }]));
});

test('writes queued in one event-loop turn share one batch', async () => {
  const dataDir = await makeTempDir('tandem-writer-');
  dirs.push(dataDir);
  const db = await LevelDatabase.open(dataDir);
  const writer = new BatchWriter(db, { sync: true });
  const promises = Array.from({ length: 100 }, (_, i) =>
    writer.write([{ type: 'put', key: Buffer.from(`k${i}`), value: Buffer.from('v') }]),
  );
  assert.equal(new Set(promises).size, 1, 'every write of the turn joined the same batch');
  await Promise.all(promises);
  assert.deepEqual(await db.get(Buffer.from('k99')), Buffer.from('v'));
  await db.close();
});

test('reclaiming space after a compaction shrinks the data dir to about the snapshot', async () => {
  const { dataDir, store } = await tempStore();
  const { log } = await store.open('big');
  const live = new Y.Doc();
  const written = appendOneByOne(log, live);
  // 400 updates of 4 KiB, each its own record, then all but the last few characters deleted.
  for (let i = 0; i < 400; i += 1) live.getText('t').insert(0, String(i % 10).repeat(4096));
  live.getText('t').delete(0, live.getText('t').length - 10);
  await written();
  await log.compact(Y.encodeStateAsUpdate(live));
  const before = await directoryBytes(dataDir);
  await log.reclaimSpace();
  const after = await directoryBytes(dataDir);
  assert.ok(before > 1_000_000, `the log took ${before} bytes`);
  assert.ok(after < 200_000, `after reclaiming, ${after} bytes are left (before: ${before})`);
  await log.close();
  await store.close();
});

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(join(dir, name))).size;
  return total;
}
