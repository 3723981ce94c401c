// The DocumentStore contract, run over every backend: append and acknowledgement order, group commit across
// documents, compaction under concurrent appends, listing without loading, names, deletion, storage failure.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import * as Y from 'yjs';
import type { DocumentLog } from '../../server/storage/document-store.ts';
import { backends, type OpenedStore } from './stores.ts';

/** A Y.Doc whose every update is appended to a log, as Persistence does; `acked` counts stored appends. */
class Editor {
  readonly doc = new Y.Doc();
  readonly writes: Array<Promise<void>> = [];
  acked = 0;
  #log: DocumentLog;

  constructor(log: DocumentLog) {
    this.#log = log;
    this.doc.on('update', (update: Uint8Array) => {
      const written = this.#log.append(update);
      this.writes.push(written);
      void written.then(() => (this.acked += 1), () => undefined);
    });
  }

  type(text: string): void {
    const ytext = this.doc.getText('t');
    ytext.insert(ytext.length, text);
  }

  get text(): string {
    return this.doc.getText('t').toString();
  }

  compact(): Promise<void> {
    return this.#log.compact(Y.encodeStateAsUpdate(this.doc));
  }

  settled(): Promise<void> {
    return Promise.all(this.writes).then(() => undefined);
  }
}

/** What a reopened store holds for `name`, as text. */
async function storedText(store: OpenedStore, name: string): Promise<{ text: string; updates: number; snapshot: boolean }> {
  const { log, snapshot, updates } = await store.open(name);
  try {
    const doc = new Y.Doc();
    if (snapshot) Y.applyUpdate(doc, snapshot);
    for (const update of updates) Y.applyUpdate(doc, update);
    return { text: doc.getText('t').toString(), updates: updates.length, snapshot: snapshot !== null };
  } finally {
    await log.close();
  }
}

for (const backend of backends()) {
  describe(backend.name, { skip: backend.skip }, () => {
    after(() => backend.dispose());

    test('appends resolve in order, once stored, and a reopened store gives them back in order', async () => {
      const place = await backend.place();
      let store = await backend.open(place);
      const { log, snapshot, updates } = await store.open('doc');
      assert.equal(snapshot, null);
      assert.deepEqual(updates, []);
      const editor = new Editor(log);
      const order: number[] = [];
      for (let i = 0; i < 200; i += 1) {
        editor.type(`${i} `);
        const index = i;
        void editor.writes.at(-1)!.then(() => order.push(index));
        // Several batches: yield now and then so the group commit flushes in between.
        if (i % 37 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      assert.notEqual(log.whenDurable(), null, 'writes are pending');
      await editor.settled();
      assert.deepEqual(order, [...order].sort((a, b) => a - b), 'acknowledged in append order');
      assert.equal(log.whenDurable(), null, 'nothing pending once stored');
      assert.equal(log.logLength, 200);
      await log.close();
      await store.close();

      store = await backend.open(place);
      const stored = await storedText(store, 'doc');
      assert.equal(stored.text, editor.text);
      assert.equal(stored.updates, 200);
      const meta = await store.getMeta('doc');
      assert.equal(meta?.nextSeq, 200);
      assert.equal(meta?.logLength, 200);
      await store.close();
    });

    test('one group commit carries many documents; each keeps its own log', async () => {
      const place = await backend.place();
      let store = await backend.open(place);
      const editors = new Map<string, Editor>();
      for (let d = 0; d < 12; d += 1) editors.set(`doc-${d}`, new Editor((await store.open(`doc-${d}`)).log));
      for (let round = 0; round < 30; round += 1) {
        for (const [name, editor] of editors) editor.type(`${name}:${round} `);
        if (round % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all([...editors.values()].map((editor) => editor.settled()));
      await store.close();
      store = await backend.open(place);
      const listed = await store.listDocuments();
      assert.deepEqual(listed.map((meta) => meta.name).sort(), [...editors.keys()].sort());
      for (const [name, editor] of editors) assert.equal((await storedText(store, name)).text, editor.text, name);
      await store.close();
    });

    test('compaction keeps every update appended before, during and after it (seeded interleavings)', async () => {
      const place = await backend.place();
      const store = await backend.open(place);
      let run = 0;
      // Each step: type (appends), compact (not awaited), or yield a turn so batches go out in between.
      await fc.assert(
        fc.asyncProperty(fc.array(fc.constantFrom('type', 'type', 'type', 'compact', 'yield'), { minLength: 5, maxLength: 60 }), async (steps) => {
          run += 1;
          const name = `prop-${run}`;
          const { log } = await store.open(name);
          const editor = new Editor(log);
          const compactions: Array<Promise<void>> = [];
          for (const [i, step] of steps.entries()) {
            if (step === 'type') editor.type(`${i}.`);
            else if (step === 'compact') compactions.push(editor.compact());
            else await new Promise((resolve) => setImmediate(resolve));
          }
          await Promise.all([editor.settled(), ...compactions]);
          await log.close();
          const stored = await storedText(store, name);
          assert.equal(stored.text, editor.text);
          if (compactions.length > 0) assert.equal(stored.snapshot, true);
        }),
        { numRuns: 25, seed: 20261203, verbose: true },
      );
      await store.close();
    });

    test('compaction replaces the log: a reopened document loads the snapshot and only later updates', async () => {
      const place = await backend.place();
      let store = await backend.open(place);
      const { log } = await store.open('doc');
      const editor = new Editor(log);
      for (let i = 0; i < 50; i += 1) editor.type('a');
      await editor.compact();
      editor.type('after');
      await editor.settled();
      assert.equal(log.logLength, 1);
      await log.close();
      await store.close();
      store = await backend.open(place);
      const stored = await storedText(store, 'doc');
      assert.equal(stored.text, editor.text);
      assert.equal(stored.updates, 1);
      assert.equal(stored.snapshot, true);
      const meta = await store.getMeta('doc');
      assert.equal(meta?.logLength, 1);
      assert.equal(meta?.nextSeq, 51);
      await store.close();
    });

    test('documents are listed from their metadata without being loaded; unknown names have none', async () => {
      const place = await backend.place();
      let store = await backend.open(place);
      const { log } = await store.open('listed');
      const editor = new Editor(log);
      editor.type('hello');
      await editor.settled();
      await log.close();
      // Opened but never written: not stored, not listed.
      await (await store.open('empty')).log.close();
      await store.close();
      store = await backend.open(place);
      const listed = await store.listDocuments();
      assert.deepEqual(listed.map((meta) => meta.name), ['listed']);
      const [meta] = listed;
      assert.equal(meta?.logLength, 1);
      assert.ok(meta!.bytes >= 5);
      assert.ok(Date.parse(meta!.createdAt) <= Date.parse(meta!.updatedAt));
      assert.equal(await store.getMeta('empty'), undefined);
      assert.equal(await store.getMeta('nope'), undefined);
      await store.close();
    });

    test('names are kept apart exactly: prefixes, separators, unicode, quotes', async () => {
      const names = ['a', 'a!x', 'a/b', 'ab', "o'brien", 'ünï-cødé 文档', 'x'.repeat(200), '%_'];
      const place = await backend.place();
      let store = await backend.open(place);
      for (const name of names) {
        const { log } = await store.open(name);
        const editor = new Editor(log);
        editor.type(`content of ${name}`);
        await editor.settled();
        await log.close();
      }
      await store.close();
      store = await backend.open(place);
      assert.deepEqual((await store.listDocuments()).map((meta) => meta.name).sort(), [...names].sort());
      for (const name of names) assert.equal((await storedText(store, name)).text, `content of ${name}`);
      await store.close();
    });

    test('a second open of a document waits until the first is closed and sees its writes', async () => {
      const store = await backend.open(await backend.place());
      const first = await store.open('doc');
      const editor = new Editor(first.log);
      editor.type('first');
      let secondOpened = false;
      const second = store.open('doc').then((loaded) => {
        secondOpened = true;
        return loaded;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(secondOpened, false);
      await first.log.close();
      const loaded = await second;
      assert.equal(loaded.updates.length, 1);
      await loaded.log.close();
      await store.close();
    });

    test('deleting a document removes its data and its versions; the name starts empty again', async () => {
      const place = await backend.place();
      let store = await backend.open(place);
      const { log } = await store.open('gone');
      const editor = new Editor(log);
      editor.type('secret');
      await editor.compact();
      editor.type(' more');
      await editor.settled();
      await store.versions.add('gone', editor.doc, { label: 'v', author: null, kind: 'manual' });
      await log.close();
      const { log: keptLog } = await store.open('kept');
      new Editor(keptLog).type('kept');
      await keptLog.close();
      await store.deleteDocument('gone');
      await store.close();
      store = await backend.open(place);
      assert.deepEqual((await store.listDocuments()).map((meta) => meta.name), ['kept']);
      assert.deepEqual(await store.versions.list('gone'), []);
      const reopened = await store.open('gone');
      assert.equal(reopened.snapshot, null);
      assert.deepEqual(reopened.updates, []);
      await reopened.log.close();
      await store.close();
    });

    test('moving a document takes its data, versions and links to the new name in one write and leaves a forward', async () => {
      const place = await backend.place();
      let store = await backend.open(place);
      const { log } = await store.open('old name');
      const editor = new Editor(log);
      editor.type('moved text');
      await editor.compact();
      editor.type(' and a tail');
      await editor.settled();
      const version = await store.versions.add('old name', editor.doc, { label: 'v1', author: null, kind: 'manual' });
      await log.close();
      await store.links.create({ id: 'link-1', document: 'old name', role: 'read', createdBy: 'ann', createdAt: 1, expiresAt: null, revokedAt: null });
      const { log: takenLog } = await store.open('taken');
      const taken = new Editor(takenLog);
      taken.type('someone else');
      await taken.settled();
      await takenLog.close();

      await assert.rejects(store.moveDocument('old name', 'taken', null), { code: 'already-exists' });
      await assert.rejects(store.moveDocument('nobody', 'free', null), { code: 'not-found' });
      const forward = { name: 'old name', kind: 'renamed' as const, to: 'new name', at: 1_700_000_000_000, by: 'ann' };
      await store.moveDocument('old name', 'new name', forward);
      await store.close();

      store = await backend.open(place);
      assert.deepEqual((await store.listDocuments()).map((meta) => meta.name).sort(), ['new name', 'taken']);
      assert.equal((await store.getMeta('new name'))?.name, 'new name');
      assert.equal((await storedText(store, 'new name')).text, 'moved text and a tail');
      assert.equal((await storedText(store, 'taken')).text, 'someone else', 'the refused move touched nothing');
      assert.deepEqual((await store.versions.list('new name')).map((meta) => [meta.id, meta.label]), [[version.id, 'v1']]);
      const restored = new Y.Doc();
      Y.applyUpdate(restored, await store.versions.state('new name', version.id));
      assert.equal(restored.getText('t').toString(), 'moved text and a tail');
      assert.deepEqual(await store.versions.list('old name'), []);
      assert.deepEqual((await store.links.list('new name')).map((link) => link.id), ['link-1']);
      assert.equal((await store.links.get('link-1'))?.document, 'new name');
      assert.deepEqual(await store.links.list('old name'), []);
      assert.deepEqual(await store.forwards.get('old name'), forward);
      assert.equal(await store.forwards.get('new name'), null);

      // Moving back (a restore from the trash does) clears the forward at the name it returns to.
      await store.moveDocument('new name', 'old name', null);
      assert.equal(await store.forwards.get('old name'), null);
      assert.equal((await storedText(store, 'old name')).text, 'moved text and a tail');
      assert.equal(await store.getMeta('new name'), undefined);
      await store.close();
    });

    test('a damaged log record is refused with document-unavailable and left as it was; other documents load', async () => {
      const place = await backend.place();
      let store = await backend.open(place);
      for (const name of ['damaged', 'healthy']) {
        const { log } = await store.open(name);
        const editor = new Editor(log);
        editor.type(`${name} content`);
        await editor.settled();
        await log.close();
      }
      await store.close();
      await backend.damageLog(place, 'damaged');
      store = await backend.open(place);
      const refused = (error: { code?: string; message?: string }) => {
        assert.equal(error.code, 'document-unavailable');
        assert.match(error.message ?? '', /checksum/);
        return true;
      };
      await assert.rejects(store.open('damaged'), refused);
      // Refused again: the failed load changed nothing, and nothing was written over the record.
      await assert.rejects(store.open('damaged'), refused);
      assert.equal((await storedText(store, 'healthy')).text, 'healthy content');
      assert.equal((await store.getMeta('damaged'))?.logLength, 1, 'its metadata is still there for repair');
      await store.close();
    });

    // LevelDB's failure path is driven from inside (test/storage/level-store.test.ts): nothing outside the
    // process can break an open LevelDB without killing it.
    const breakStorage = backend.breakStorage;
    test('when storage fails, appends reject (never resolve), the failure is reported and loads are refused', { skip: !breakStorage && 'no outside way to break this backend' }, async () => {
      const place = await backend.place();
      const store = await backend.open(place);
      const { log } = await store.open('doc');
      const editor = new Editor(log);
      editor.type('stored');
      await editor.settled();
      await breakStorage!(place);
      editor.type('lost');
      await assert.rejects(editor.writes.at(-1)!);
      assert.ok(store.failure, 'the store reports its failure');
      assert.throws(() => log.append(new Uint8Array([0])), /storage/);
      await assert.rejects(store.open('other'), (error: { code?: string }) => error.code === 'storage-failed');
      // Closing reports that the last writes failed, too.
      await assert.rejects(log.close());
      await store.close().catch(() => undefined);
    });
  });
}
