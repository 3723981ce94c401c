// Version keys and records: ranges stay within one document, a damaged record is reported, not applied.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import * as Y from 'yjs';
import { logKey, metaKey, versionDataKey, versionMetaKey, versionMetaRange, seqFromVersionKey } from '../../server/storage/leveldb/keys.ts';
import { LevelDatabase } from '../../server/storage/leveldb/leveldb.ts';
import { LevelDocumentStore } from '../../server/storage/leveldb/level-store.ts';
import { makeTempDir } from '../helpers/server.ts';

test('version keys sort by id and never fall in another document’s or kind’s range', () => {
  const ids = [1, 2, 255, 256, 2 ** 32, Number.MAX_SAFE_INTEGER - 1];
  const keys = ids.map((id) => versionMetaKey('doc', id));
  assert.deepEqual([...keys].sort(Buffer.compare), keys);
  assert.deepEqual(keys.map(seqFromVersionKey), ids);
  const range = versionMetaRange('a');
  for (const key of [versionMetaKey('a!x', 1), versionMetaKey('ab', 1), versionDataKey('a', 1), logKey('a', 1), metaKey('a')]) {
    const inside = Buffer.compare(key, range.gte) >= 0 && Buffer.compare(key, range.lt) < 0;
    assert.equal(inside, false);
  }
});

test('a damaged version record is refused with document-unavailable; deleting the document removes its versions', async () => {
  const dataDir = await makeTempDir('tandem-version-store-');
  try {
    let store = await LevelDocumentStore.open({ dataDir, fsync: false });
    const doc = new Y.Doc();
    const { log } = await store.open('d');
    doc.on('update', (update: Uint8Array) => void log.append(update));
    doc.getText('t').insert(0, 'hello');
    const v1 = await store.versions.add('d', Y.encodeStateAsUpdate(doc), { kind: 'manual', label: 'one', author: null });
    doc.getText('t').insert(5, ' world');
    await store.versions.add('d', Y.encodeStateAsUpdate(doc), { kind: 'manual', label: 'two', author: null });
    await log.close();
    await store.close();

    const db = await LevelDatabase.open(dataDir);
    const value = (await db.get(versionDataKey('d', v1.id)))!;
    value[value.length - 1]! ^= 0xff;
    await db.batch([{ type: 'put', key: versionDataKey('d', v1.id), value }], false);
    await db.close();

    store = await LevelDocumentStore.open({ dataDir, fsync: false });
    await assert.rejects(store.versions.state('d', 2), (error: { code?: string; message: string }) => {
      assert.equal(error.code, 'document-unavailable');
      assert.match(error.message, /version 2 of "d" cannot be read: version 1 of "d"/);
      return true;
    });
    await store.deleteDocument('d');
    assert.deepEqual(await store.versions.list('d'), []);
    assert.equal(await store.getMeta('d'), undefined);
    await store.close();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('version ids are never reused, also after the newest was deleted and a restart', async () => {
  const dataDir = await makeTempDir('tandem-version-ids-');
  try {
    let store = await LevelDocumentStore.open({ dataDir, fsync: false });
    const doc = new Y.Doc();
    doc.getText('t').insert(0, 'x');
    const info = { kind: 'manual' as const, label: '', author: null };
    assert.equal((await store.versions.add('d', doc, info)).id, 1);
    assert.equal((await store.versions.add('d', doc, info)).id, 2);
    await store.versions.delete('d', 2);
    await store.close();
    store = await LevelDocumentStore.open({ dataDir, fsync: false });
    assert.deepEqual((await store.versions.list('d')).map((v) => v.id), [1]);
    assert.equal((await store.versions.add('d', doc, info)).id, 3);
    await store.close();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a copied version keeps its id and creation time; ids below the counter are refused; new ones follow it', async () => {
  const dataDir = await makeTempDir('tandem-version-copy-');
  try {
    let store = await LevelDocumentStore.open({ dataDir, fsync: false, versionsFullEvery: 2 });
    const doc = new Y.Doc();
    const text = doc.getText('t');
    const copied = async (id: number, label: string) => {
      text.insert(text.length, `${label} `);
      const createdAt = new Date(Date.UTC(2024, 0, id)).toISOString();
      const meta = await store.versions.addCopied('d', { id, createdAt, label, author: 'ann', kind: 'auto' }, Y.encodeStateAsUpdate(doc));
      assert.deepEqual({ id: meta.id, createdAt: meta.createdAt, label: meta.label, author: meta.author, kind: meta.kind }, { id, createdAt, label, author: 'ann', kind: 'auto' });
      return text.toString();
    };
    const contents = new Map([[2, await copied(2, 'two')], [5, await copied(5, 'five')], [6, await copied(6, 'six')]]);
    await assert.rejects(store.versions.addCopied('d', { id: 6, createdAt: new Date().toISOString(), label: '', author: null, kind: 'manual' }, Y.encodeStateAsUpdate(doc)), (error: { code?: string; message: string }) => {
      assert.equal(error.code, 'bad-request');
      assert.match(error.message, /version 6 of "d" cannot be copied in: its versions already reach id 6/);
      return true;
    });
    await store.close();
    store = await LevelDocumentStore.open({ dataDir, fsync: false, versionsFullEvery: 2 });
    for (const [id, content] of contents) {
      const read = new Y.Doc();
      Y.applyUpdate(read, await store.versions.state('d', id));
      assert.equal(read.getText('t').toString(), content, `version ${id}`);
    }
    assert.equal((await store.versions.add('d', doc, { kind: 'manual', label: '', author: null })).id, 7);
    await store.close();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
