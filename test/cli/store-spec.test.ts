// Store specs as the commands take them, the content comparisons copies are verified with, and LevelDB's lock.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import * as Y from 'yjs';
import { containedIn, sameContent } from '../../server/cli/document-state.ts';
import { describeStore, parseStoreSpec, sameStore } from '../../server/cli/store-spec.ts';
import { LevelDocumentStore } from '../../server/storage/leveldb/level-store.ts';
import { makeTempDir } from '../helpers/server.ts';

const TANDEM = fileURLToPath(new URL('../../bin/tandem.js', import.meta.url));

test('store specs: leveldb:<dir>, a bare directory, postgres:// and postgresql://; anything else is refused', () => {
  assert.deepEqual(parseStoreSpec('leveldb:./data'), { kind: 'leveldb', dataDir: './data' });
  assert.deepEqual(parseStoreSpec('/var/lib/tandem'), { kind: 'leveldb', dataDir: '/var/lib/tandem' });
  assert.deepEqual(parseStoreSpec('postgres://u:p@db/tandem'), { kind: 'postgres', url: 'postgres://u:p@db/tandem' });
  assert.deepEqual(parseStoreSpec('postgresql://db/tandem'), { kind: 'postgres', url: 'postgresql://db/tandem' });
  assert.throws(() => parseStoreSpec('leveldb:', '--to'), /--to: leveldb: needs a data directory/);
  assert.throws(() => parseStoreSpec('mysql://db/tandem', '--from'), /--from: mysql:\/\/ is not a store Tandem knows/);
  assert.throws(() => parseStoreSpec(' '), /empty/);
  assert.equal(describeStore(parseStoreSpec('postgres://tandem:hunter2@db/tandem')), 'PostgreSQL at postgres://tandem:***@db/tandem');
  assert.ok(sameStore(parseStoreSpec('leveldb:./data'), parseStoreSpec('data')));
  assert.ok(sameStore(parseStoreSpec('postgres://a:x@db/t'), parseStoreSpec('postgresql://b@db:5432/t')));
  assert.ok(!sameStore(parseStoreSpec('postgres://db/t'), parseStoreSpec('postgres://db/u')));
});

test('same content means the same structs and deletions: a deletion alone, which leaves the state vector, counts', () => {
  const doc = new Y.Doc();
  const text = doc.getText('t');
  text.insert(0, 'hello world');
  const before = Y.encodeStateAsUpdate(doc);
  text.delete(0, 6);
  const after = Y.encodeStateAsUpdate(doc);
  assert.deepEqual(Y.encodeStateVectorFromUpdate(before), Y.encodeStateVectorFromUpdate(after));
  assert.equal(sameContent(before, after), false);
  assert.equal(sameContent(after, Y.mergeUpdates([before, after])), true);

  // An earlier state is contained in a later one; the later one, or another document's, is not in the earlier.
  assert.equal(containedIn(before, after), true);
  assert.equal(containedIn(after, before), false);
  const other = new Y.Doc();
  other.getText('t').insert(0, 'hello world');
  assert.equal(containedIn(Y.encodeStateAsUpdate(other), after), false);
  // Structs whose predecessors `whole` lacks wait unapplied, leaving its state vector as it was: not contained.
  text.insert(0, 'one ');
  const afterOne = Y.encodeStateVectorFromUpdate(Y.encodeStateAsUpdate(doc));
  text.insert(0, 'two ');
  const onlyTwo = Y.encodeStateAsUpdate(doc, afterOne);
  assert.equal(containedIn(onlyTwo, after), false);
});

test('a data directory in use by a server is refused with a message saying so', async () => {
  const dataDir = await makeTempDir('tandem-locked-');
  const store = await LevelDocumentStore.open({ dataDir, fsync: false });
  try {
    await assert.rejects(promisify(execFile)(process.execPath, [TANDEM, 'migrate-store', '--from', dataDir, '--to', `${dataDir}-copy`]), (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr, /cannot open LevelDB at .* \(is another Tandem server using this data directory\?\)/);
      return true;
    });
    await assert.rejects(promisify(execFile)(process.execPath, [TANDEM, 'migrate-store', '--from', dataDir, '--to', `leveldb:${dataDir}`]), /--from and --to are the same store/);
  } finally {
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
    await rm(`${dataDir}-copy`, { recursive: true, force: true });
  }
});
