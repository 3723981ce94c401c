// Property: for random update streams, compaction points and restarts, loading equals the live document.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import fc from 'fast-check';
import * as Y from 'yjs';
import type { DocumentLog } from '../../server/storage/document-store.ts';
import { LevelDocumentStore } from '../../server/storage/leveldb/level-store.ts';
import { contentOf, randomEdit, seededRandom, testSeed } from '../helpers/edits.ts';
import { makeTempDir } from '../helpers/server.ts';

type Step = { kind: 'edits'; count: number; seed: number } | { kind: 'compact' } | { kind: 'restart' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('edits' as const), count: fc.integer({ min: 1, max: 40 }), seed: fc.integer() }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'compact' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'restart' as const }) },
);

async function loadedContent(log: { snapshot: Uint8Array | null; updates: Uint8Array[] }): Promise<Y.Doc> {
  const doc = new Y.Doc();
  if (log.snapshot) Y.applyUpdate(doc, log.snapshot);
  for (const update of log.updates) Y.applyUpdate(doc, update);
  return doc;
}

test('loading from disk equals the live document for any edits, compactions and restarts', async () => {
  const seed = testSeed('compaction property');
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
      const dataDir = await makeTempDir('tandem-prop-');
      let store = await LevelDocumentStore.open({ dataDir, fsync: false });
      const live = new Y.Doc();
      let log: DocumentLog = (await store.open('prop')).log;
      // Like the server: every update of the live document is appended to the current log.
      live.on('update', (update: Uint8Array) => void log.append(update));
      try {
        for (const s of steps) {
          if (s.kind === 'edits') {
            const random = seededRandom(s.seed);
            for (let i = 0; i < s.count; i += 1) randomEdit(live, random);
          } else if (s.kind === 'compact') {
            await log.compact(Y.encodeStateAsUpdate(live));
          } else {
            await log.close();
            await store.close();
            store = await LevelDocumentStore.open({ dataDir, fsync: false });
            const loaded = await store.open('prop');
            log = loaded.log;
            const fromDisk = await loadedContent(loaded);
            assert.deepEqual(contentOf(fromDisk), contentOf(live));
            assert.deepEqual(Y.encodeStateVector(fromDisk), Y.encodeStateVector(live));
          }
        }
        await log.close();
        await store.close();
        store = await LevelDocumentStore.open({ dataDir, fsync: false });
        const final = await store.open('prop');
        assert.deepEqual(contentOf(await loadedContent(final)), contentOf(live));
        await final.log.close();
      } finally {
        await store.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    }),
    { seed, numRuns: 60 },
  );
});
