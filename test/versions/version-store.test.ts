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
