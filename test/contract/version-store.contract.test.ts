// The VersionStore contract, run over every backend: the delta chain, ids, deletes, errors, concurrency, reopening.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import * as Y from 'yjs';
import type { VersionStore } from '../../server/storage/version-store.ts';
import { backends, type OpenedStore, type StoreOptions } from './stores.ts';

const info = { kind: 'manual' as const, label: '', author: null };

/** A document that gains one paragraph per step, and what each version must read back as. */
class Writer {
  readonly doc = new Y.Doc();
  readonly expected = new Map<number, string>();
  #step = 0;

  edit(): void {
    this.#step += 1;
    const text = this.doc.getText('t');
    // Some deletions too, so a delta is not only appended text.
    if (this.#step % 3 === 0) text.delete(0, 2);
    text.insert(text.length, `step ${this.#step}. `);
  }

  /** Adds a version from the live doc or from a captured state, alternately. */
  async version(versions: VersionStore, name: string, fromDoc = this.#step % 2 === 0): Promise<number> {
    const content = this.doc.getText('t').toString();
    const meta = await versions.add(name, fromDoc ? this.doc : Y.encodeStateAsUpdate(this.doc), { ...info, label: `v${this.#step}` });
    this.expected.set(meta.id, content);
    return meta.id;
  }
}

async function contentOf(versions: VersionStore, name: string, id: number): Promise<string> {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, await versions.state(name, id));
  const content = doc.getText('t').toString();
  doc.destroy();
  return content;
}

async function assertContents(versions: VersionStore, name: string, expected: Map<number, string>): Promise<void> {
  assert.deepEqual((await versions.list(name)).map((version) => version.id), [...expected.keys()]);
  for (const [id, content] of expected) assert.equal(await contentOf(versions, name, id), content, `version ${id}`);
}

function rejectsWith(code: string): (error: { code?: string }) => boolean {
  return (error) => {
    assert.equal(error.code, code);
    return true;
  };
}

for (const backend of backends()) {
  describe(backend.name, { skip: backend.skip }, () => {
    after(() => backend.dispose());
    const open = async (options?: StoreOptions): Promise<{ store: OpenedStore; place: string }> => {
      const place = await backend.place();
      return { store: await backend.open(place, options), place };
    };

    test('versions form a delta chain with a full state every fullEvery, and each reads back as stored', async () => {
      const { store } = await open({ versionsFullEvery: 3 });
      const writer = new Writer();
      for (let i = 0; i < 7; i += 1) {
        writer.edit();
        await writer.version(store.versions, 'd');
      }
      const listed = await store.versions.list('d');
      assert.deepEqual(listed.map((version) => version.encoding), ['full', 'delta', 'delta', 'full', 'delta', 'delta', 'full']);
      assert.deepEqual(listed.map((version) => version.label), ['v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7']);
      for (const version of listed) {
        assert.equal(version.kind, 'manual');
        assert.equal(version.author, null);
        assert.ok(version.size > 0);
        assert.ok(!Number.isNaN(Date.parse(version.createdAt)));
        assert.equal('stateVector' in version, false, 'the stored state vector is not part of the public metadata');
      }
      // A delta holds only the change: smaller than the full state after it.
      assert.ok(listed[4]!.size < listed[6]!.size);
      assert.deepEqual(await store.versions.get('d', 5), listed[4]);
      await assertContents(store.versions, 'd', writer.expected);
      await store.close();
    });

    test('a version added with an unchanged document is an empty delta that still reads back', async () => {
      const { store } = await open();
      const writer = new Writer();
      writer.edit();
      await writer.version(store.versions, 'd', true);
      await writer.version(store.versions, 'd', false);
      await writer.version(store.versions, 'd', true);
      await assertContents(store.versions, 'd', writer.expected);
      await store.close();
    });

    test('versions survive closing and reopening the store', async () => {
      const { store, place } = await open({ versionsFullEvery: 2 });
      const writer = new Writer();
      for (let i = 0; i < 5; i += 1) {
        writer.edit();
        await writer.version(store.versions, 'd');
      }
      const listed = await store.versions.list('d');
      await store.close();
      const reopened = await backend.open(place, { versionsFullEvery: 2 });
      assert.deepEqual(await reopened.versions.list('d'), listed);
      await assertContents(reopened.versions, 'd', writer.expected);
      // The chain continues where it was: 5 was full, so 6 is a delta on it.
      writer.edit();
      const id = await writer.version(reopened.versions, 'd');
      assert.equal(id, 6);
      assert.equal((await reopened.versions.get('d', 6))?.encoding, 'delta');
      await assertContents(reopened.versions, 'd', writer.expected);
      await reopened.close();
    });

    test('ids are never reused, also after the newest was deleted and the store reopened', async () => {
      const { store, place } = await open();
      const writer = new Writer();
      writer.edit();
      assert.equal(await writer.version(store.versions, 'd'), 1);
      assert.equal(await writer.version(store.versions, 'd'), 2);
      await store.versions.delete('d', 2);
      writer.expected.delete(2);
      assert.equal(await writer.version(store.versions, 'd'), 3);
      await store.versions.delete('d', 3);
      writer.expected.delete(3);
      await store.close();
      const reopened = await backend.open(place);
      assert.deepEqual((await reopened.versions.list('d')).map((version) => version.id), [1]);
      assert.equal(await writer.version(reopened.versions, 'd'), 4);
      // Every version deleted, the counter still holds.
      await reopened.versions.delete('d', 1);
      await reopened.versions.delete('d', 4);
      await reopened.close();
      const again = await backend.open(place);
      assert.deepEqual(await again.versions.list('d'), []);
      assert.equal((await again.versions.add('d', writer.doc, info)).id, 5);
      await again.close();
    });

    test('deleting a version rewrites the delta stored on top of it; every other version reads as before', async () => {
      const { store, place } = await open({ versionsFullEvery: 4 });
      const writer = new Writer();
      for (let i = 0; i < 8; i += 1) {
        writer.edit();
        await writer.version(store.versions, 'd');
      }
      // 1 full, 2-4 deltas, 5 full, 6-8 deltas.
      const before = await store.versions.list('d');
      // A delta in the middle: the next one becomes a delta against the one before.
      await store.versions.delete('d', 3);
      writer.expected.delete(3);
      let listed = await store.versions.list('d');
      assert.equal(listed.find((version) => version.id === 4)?.encoding, 'delta');
      assert.notEqual(listed.find((version) => version.id === 4)?.size, before[3]!.size);
      await assertContents(store.versions, 'd', writer.expected);
      // A full state with a delta on top: the delta becomes the full state.
      await store.versions.delete('d', 5);
      writer.expected.delete(5);
      listed = await store.versions.list('d');
      assert.equal(listed.find((version) => version.id === 6)?.encoding, 'full');
      // The oldest, full, version: the next one becomes full.
      await store.versions.delete('d', 1);
      writer.expected.delete(1);
      listed = await store.versions.list('d');
      assert.deepEqual(listed.map((version) => [version.id, version.encoding]), [[2, 'full'], [4, 'delta'], [6, 'full'], [7, 'delta'], [8, 'delta']]);
      // The newest: nothing is stored on top of it.
      await store.versions.delete('d', 8);
      writer.expected.delete(8);
      await assertContents(store.versions, 'd', writer.expected);
      const kept = await store.versions.list('d');
      await store.close();
      const reopened = await backend.open(place, { versionsFullEvery: 4 });
      assert.deepEqual(await reopened.versions.list('d'), kept);
      await assertContents(reopened.versions, 'd', writer.expected);
      await reopened.close();
    });

    test('labels and authors come back exactly, whatever characters they hold', async () => {
      const { store, place } = await open();
      const doc = new Y.Doc();
      doc.getText('t').insert(0, 'x');
      // An escaped NUL and a lone surrogate (which PostgreSQL's jsonb refuses), quotes, backslashes, emoji.
      const label = 'a\u0000b \ud800 "quoted" back\\slash é😀';
      const added = await store.versions.add('d', doc, { kind: 'before-restore', label, author: 'Zoë \u0000' });
      await store.versions.add('d', doc, { kind: 'imported', label: '', author: null });
      const listed = await store.versions.list('d');
      assert.deepEqual(listed[0], added);
      assert.equal(listed[0]!.label, label);
      await store.close();
      const reopened = await backend.open(place);
      assert.deepEqual(await reopened.versions.list('d'), listed);
      assert.deepEqual(
        (await reopened.versions.list('d')).map((version) => [version.kind, version.author]),
        [['before-restore', 'Zoë \u0000'], ['imported', null]],
      );
      await reopened.close();
    });

    test('a missing version or document is not-found; get answers undefined and list nothing', async () => {
      const { store } = await open();
      const writer = new Writer();
      writer.edit();
      await writer.version(store.versions, 'd');
      assert.deepEqual(await store.versions.list('nothing'), []);
      assert.equal(await store.versions.get('d', 2), undefined);
      assert.equal(await store.versions.get('nothing', 1), undefined);
      await assert.rejects(store.versions.state('d', 2), rejectsWith('not-found'));
      await assert.rejects(store.versions.state('nothing', 1), rejectsWith('not-found'));
      await assert.rejects(store.versions.delete('d', 2), rejectsWith('not-found'));
      await assert.rejects(store.versions.delete('nothing', 1), rejectsWith('not-found'));
      // The failures left the chain as it was.
      await assertContents(store.versions, 'd', writer.expected);
      await store.close();
    });

    test('documents keep separate chains and counters, also when one name is a prefix of the other', async () => {
      const { store } = await open();
      const a = new Writer();
      const ax = new Writer();
      a.edit();
      ax.edit();
      ax.edit();
      assert.equal(await a.version(store.versions, 'a'), 1);
      assert.equal(await ax.version(store.versions, 'a!x'), 1);
      assert.equal(await ax.version(store.versions, 'a!x'), 2);
      await store.versions.delete('a', 1);
      a.expected.delete(1);
      await assertContents(store.versions, 'a', a.expected);
      await assertContents(store.versions, 'a!x', ax.expected);
      assert.equal(await a.version(store.versions, 'a'), 2);
      await store.close();
    });

    test('concurrent adds are serialized: ids in call order, each delta on its predecessor', async () => {
      const { store, place } = await open({ versionsFullEvery: 5 });
      const writer = new Writer();
      const adds: Array<Promise<number>> = [];
      // All queued in one turn, each from the state captured at its call.
      for (let i = 0; i < 12; i += 1) {
        writer.edit();
        adds.push(writer.version(store.versions, 'd', false));
      }
      assert.deepEqual(await Promise.all(adds), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      await assertContents(store.versions, 'd', writer.expected);
      await store.close();
      const reopened = await backend.open(place, { versionsFullEvery: 5 });
      await assertContents(reopened.versions, 'd', writer.expected);
      await reopened.close();
    });

    test('reads concurrent with deletes and adds see whole versions', async () => {
      const { store } = await open({ versionsFullEvery: 10 });
      // A read that walks the chain while a delete removes a record under it and rewrites the next one
      // depends on timing: a few documents give it several chances.
      await Promise.all(
        ['d1', 'd2', 'd3', 'd4'].map(async (name) => {
          const writer = new Writer();
          for (let i = 0; i < 6; i += 1) {
            writer.edit();
            await writer.version(store.versions, name);
          }
          const expected = new Map(writer.expected);
          const read = async (id: number) => assert.equal(await contentOf(store.versions, name, id), expected.get(id), `${name} version ${id}`);
          const work: Array<Promise<unknown>> = [read(3), store.versions.delete(name, 2), read(4), read(3), store.versions.delete(name, 5), read(6)];
          writer.edit();
          work.push(writer.version(store.versions, name), read(6));
          await Promise.all(work);
          writer.expected.delete(2);
          writer.expected.delete(5);
          await assertContents(store.versions, name, writer.expected);
        }),
      );
      await store.close();
    });

    test('deleting the document deletes its versions; the name then starts a new chain', async () => {
      const { store, place } = await open();
      const writer = new Writer();
      writer.edit();
      await writer.version(store.versions, 'd');
      await writer.version(store.versions, 'd');
      await writer.version(store.versions, 'keep');
      await store.deleteDocument('d');
      assert.deepEqual(await store.versions.list('d'), []);
      await assert.rejects(store.versions.state('d', 1), rejectsWith('not-found'));
      await store.close();
      const reopened = await backend.open(place);
      assert.deepEqual(await reopened.versions.list('d'), []);
      assert.deepEqual((await reopened.versions.list('keep')).map((version) => version.id), [1]);
      assert.equal((await reopened.versions.add('d', writer.doc, info)).id, 1);
      await reopened.close();
    });
  });
}

