// Property: a version's content always equals the document at the moment it was taken, across deletions
// of other versions, compactions and restarts.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import fc from 'fast-check';
import * as Y from 'yjs';
import type { DocumentLog } from '../../server/storage/document-store.ts';
import { LevelDocumentStore } from '../../server/storage/leveldb/level-store.ts';
import { contentOf, randomEdit, seededRandom, testSeed } from '../helpers/edits.ts';
import { makeTempDir } from '../helpers/server.ts';

type Step =
  | { kind: 'edits'; count: number; seed: number }
  | { kind: 'version'; fromDoc: boolean }
  | { kind: 'delete'; pick: number }
  | { kind: 'compact' }
  | { kind: 'restart' };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('edits' as const), count: fc.integer({ min: 1, max: 30 }), seed: fc.integer() }) },
  // Versions come from the live doc (automatic and manual ones) or from a captured state (before-restore).
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('version' as const), fromDoc: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'compact' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
);

test('every stored version reads back as the document was when it was taken', { timeout: 180_000 }, async () => {
  const seed = testSeed('versions property');
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 5 }), async (steps, fullEvery) => {
      const dataDir = await makeTempDir('tandem-versions-prop-');
      const open = () => LevelDocumentStore.open({ dataDir, fsync: false, versionsFullEvery: fullEvery });
      let store = await open();
      const live = new Y.Doc();
      let log: DocumentLog = (await store.open('prop')).log;
      live.on('update', (update: Uint8Array) => void log.append(update));
      // What each version must show: the content at the moment it was taken.
      const expected = new Map<number, unknown>();
      const checkAll = async () => {
        const listed = await store.versions.list('prop');
        assert.deepEqual(listed.map((v) => v.id), [...expected.keys()]);
        // Reading a version never applies more than fullEvery records.
        let run = 0;
        for (const version of listed) {
          run = version.encoding === 'full' ? 0 : run + 1;
          assert.ok(run < fullEvery, `a chain of ${run} deltas with a full state every ${fullEvery}`);
        }
        if (listed.length > 0) assert.equal(listed[0]!.encoding, 'full', 'the oldest version is stored whole');
        for (const [id, content] of expected) {
          const doc = new Y.Doc();
          Y.applyUpdate(doc, await store.versions.state('prop', id));
          assert.deepEqual(contentOf(doc), content, `version ${id}`);
          doc.destroy();
        }
      };
      try {
        for (const s of steps) {
          if (s.kind === 'edits') {
            const random = seededRandom(s.seed);
            for (let i = 0; i < s.count; i += 1) randomEdit(live, random);
          } else if (s.kind === 'version') {
            const meta = await store.versions.add('prop', s.fromDoc ? live : Y.encodeStateAsUpdate(live), { kind: 'auto', label: '', author: null });
            expected.set(meta.id, contentOf(live));
          } else if (s.kind === 'delete') {
            const ids = [...expected.keys()];
            if (ids.length === 0) continue;
            const id = ids[s.pick % ids.length]!;
            await store.versions.delete('prop', id);
            expected.delete(id);
          } else if (s.kind === 'compact') {
            await log.compact(Y.encodeStateAsUpdate(live));
          } else {
            await log.close();
            await store.close();
            store = await open();
            log = (await store.open('prop')).log;
            await checkAll();
          }
        }
        await checkAll();
        await log.close();
      } finally {
        await store.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    }),
    { seed, numRuns: 50 },
  );
});
