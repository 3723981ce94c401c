// Persistence's load against a real Hocuspocus Document and a real LevelDB: what the load does and does not emit,
// and what it does not keep.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Document, type onLoadDocumentPayload } from '@hocuspocus/server';
import * as Y from 'yjs';
import { Durability } from '../../server/documents/durability.ts';
import { Persistence } from '../../server/documents/persistence.ts';
import { createLogger } from '../../server/log.ts';
import type { DocumentStore, OpenOptions } from '../../server/storage/document-store.ts';
import { LevelDocumentStore } from '../../server/storage/leveldb/level-store.ts';
import { makeTempDir } from '../helpers/server.ts';

// V8's own gc() without --expose-gc on the command line (test/ops/idle-unload.test.ts says why).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test("loading does not run the Document's update listeners, and they work again once it is loaded", async () => {
  const dataDir = await makeTempDir('tandem-load-');
  const store = await LevelDocumentStore.open({ dataDir, fsync: false });
  const document = new Document('loaded', {}, { flushDelay: false });
  try {
    const stored = await store.open('loaded');
    const source = new Y.Doc();
    source.on('update', (update: Uint8Array) => void stored.log.append(update));
    source.getText('t').insert(0, 'stored before the restart');
    await stored.log.compact(Y.encodeStateAsUpdate(source));
    source.getText('t').insert(0, '» ');
    await stored.log.close();

    const durability = new Durability({ log: createLogger({ level: 'silent' }) });
    durability.onFailure((failure) => assert.fail(String(failure.cause)));
    const persistence = new Persistence({
      store,
      log: createLogger({ level: 'silent' }),
      compactAfterUpdates: 1_000,
      compactAfterBytes: 1_000_000,
      durability,
    });
    const seen: Uint8Array[] = [];
    // Stands in for Hocuspocus' own broadcast listener, registered as the Document is built.
    document.on('update', (update: Uint8Array) => seen.push(update));
    await persistence.onLoadDocument({ document, documentName: 'loaded' } as unknown as onLoadDocumentPayload);
    assert.equal(document.getText('t').toString(), '» stored before the restart');
    assert.equal(seen.length, 0, 'the stored state is not encoded again for update listeners');

    document.getText('t').insert(0, 'live ');
    assert.equal(seen.length, 1, 'listeners are back after the load');
    await durability.whenDurable('loaded');
    assert.equal((await store.getMeta('loaded'))?.logLength, 2, 'the live edit was appended after the stored one');
    await persistence.closeAll();
  } finally {
    document.destroy();
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('the stored state read for the load is not kept once the document is loaded', async () => {
  const dataDir = await makeTempDir('tandem-load-');
  const store = await LevelDocumentStore.open({ dataDir, fsync: false });
  const document = new Document('read-once', {}, { flushDelay: false });
  try {
    const stored = await store.open('read-once');
    const source = new Y.Doc();
    source.on('update', (update: Uint8Array) => void stored.log.append(update));
    source.getText('t').insert(0, 'compacted');
    await stored.log.compact(Y.encodeStateAsUpdate(source));
    source.getText('t').insert(0, 'logged, ');
    await stored.log.close();

    // What the store hands over: the snapshot, the log's updates and the array holding them, each watched.
    const read: WeakRef<object>[] = [];
    const watched = {
      async open(documentName: string, options?: OpenOptions) {
        const loaded = await store.open(documentName, options);
        read.push(new WeakRef(loaded.snapshot!), new WeakRef(loaded.updates), ...loaded.updates.map((update) => new WeakRef(update)));
        return loaded;
      },
    } as unknown as DocumentStore;
    const durability = new Durability({ log: createLogger({ level: 'silent' }) });
    const persistence = new Persistence({ store: watched, log: createLogger({ level: 'silent' }), compactAfterUpdates: 1_000, compactAfterBytes: 1_000_000, durability });
    await persistence.onLoadDocument({ document, documentName: 'read-once' } as unknown as onLoadDocumentPayload);
    assert.equal(document.getText('t').toString(), 'logged, compacted');
    assert.equal(read.length, 3);

    // A WeakRef holds its target until the job that made it ends.
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    assert.deepEqual(
      read.map((ref) => ref.deref() === undefined),
      [true, true, true],
      'the snapshot and the updates are garbage once applied (a closure kept them as long as the document)',
    );
    await persistence.closeAll();
  } finally {
    document.destroy();
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
