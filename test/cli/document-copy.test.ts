// Copying one document and the outbox between real LevelDB stores: an earlier copy completed, others refused.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, test } from 'node:test';
import * as Y from 'yjs';
import { copyDocument, type SourceDocument } from '../../server/cli/document-copy.ts';
import { copyOutbox } from '../../server/cli/outbox-copy.ts';
import { migrateStore } from '../../server/cli/store-migration.ts';
import { logRange } from '../../server/storage/leveldb/keys.ts';
import { LevelDatabase } from '../../server/storage/leveldb/leveldb.ts';
import { LevelDocumentStore } from '../../server/storage/leveldb/level-store.ts';
import type { Delivery } from '../../server/storage/outbox-store.ts';
import { makeTempDir } from '../helpers/server.ts';

const dirs: string[] = [];
after(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

async function emptyStore(dataDir?: string): Promise<LevelDocumentStore> {
  if (!dataDir) {
    dataDir = await makeTempDir('tandem-copy-');
    dirs.push(dataDir);
  }
  return LevelDocumentStore.open({ dataDir, fsync: false });
}

/** A document's states after each of three edits, as the source of a copy with a version at each. */
function history(): { states: Uint8Array[]; source: SourceDocument } {
  const doc = new Y.Doc();
  const text = doc.getText('t');
  const states: Uint8Array[] = [];
  for (const words of ['one two three', 'four', 'five']) {
    text.insert(text.length, ` ${words}`);
    if (words === 'four') text.delete(0, 4);
    states.push(Y.encodeStateAsUpdate(doc));
  }
  const versions = states.map((state, i) => ({
    meta: { id: i * 2 + 1, createdAt: new Date(Date.UTC(2024, 1, i + 1)).toISOString(), label: `v${i}`, author: null, kind: 'manual' as const },
    state: () => Promise.resolve(state),
  }));
  return { states, source: { name: 'doc', state: states.at(-1)!, versions } };
}

async function textOf(store: LevelDocumentStore, name: string): Promise<string> {
  const { log, snapshot, updates } = await store.open(name);
  const doc = new Y.Doc();
  if (snapshot) Y.applyUpdate(doc, snapshot);
  for (const update of updates) Y.applyUpdate(doc, update);
  await log.close();
  return doc.getText('t').toString();
}

test('a target holding an earlier state and the first version is completed; copying again finds it present', async () => {
  const { states, source } = history();
  const target = await emptyStore();
  const { log } = await target.open('doc');
  await log.append(states[0]!);
  await log.close();
  await target.versions.addCopied('doc', source.versions[0]!.meta, states[0]!);

  assert.deepEqual(await copyDocument(target, source), { status: 'completed', versionsCopied: 2 });
  assert.equal(await textOf(target, 'doc'), ' two three four five');
  assert.deepEqual((await target.versions.list('doc')).map((version) => version.id), [1, 3, 5]);
  assert.equal((await target.getMeta('doc'))?.logLength, 0, 'the copy leaves one snapshot, no log');
  assert.deepEqual(await copyDocument(target, source), { status: 'present', versionsCopied: 0 });
  await target.close();
});

test('a target with other content, an extra version, or a later version but not an earlier one is refused unwritten', async () => {
  const { states, source } = history();
  const other = new Y.Doc();
  other.getText('t').insert(0, 'someone else');

  const withOther = await emptyStore();
  const opened = await withOther.open('doc');
  await opened.log.append(Y.encodeStateAsUpdate(other));
  await opened.log.close();
  assert.deepEqual(await copyDocument(withOther, source), { status: 'conflict', reason: 'its content is not an earlier state of the source’s' });
  assert.equal(await textOf(withOther, 'doc'), 'someone else');
  assert.deepEqual(await withOther.versions.list('doc'), []);
  await withOther.close();

  const withExtra = await emptyStore();
  await withExtra.versions.addCopied('doc', { ...source.versions[0]!.meta, id: 2 }, states[0]!);
  assert.deepEqual(await copyDocument(withExtra, source), { status: 'conflict', reason: 'it has a version 2 the source does not' });
  assert.equal(await withExtra.getMeta('doc'), undefined);
  await withExtra.close();

  const withGap = await emptyStore();
  await withGap.versions.addCopied('doc', source.versions[1]!.meta, states[1]!);
  assert.deepEqual(await copyDocument(withGap, source), { status: 'conflict', reason: 'it lacks version 1 but has later ones' });
  await withGap.close();

  const relabelled = await emptyStore();
  await relabelled.versions.addCopied('doc', { ...source.versions[0]!.meta, label: 'renamed' }, states[0]!);
  assert.match(JSON.stringify(await copyDocument(relabelled, source)), /its version 1 differs from the source’s/);
  await relabelled.close();
});

test('the outbox: records copied under their numbers, a second run copies none, a target with records of its own is refused', async () => {
  const delivery = (seq: number, body = `{"seq":${seq}}`): Delivery => ({
    seq,
    target: 'https://hooks.example/',
    eventId: `e${seq}`,
    eventType: 'document.changed',
    document: 'doc',
    body,
    attempts: 0,
    nextAttemptAt: 0,
    createdAt: new Date(Date.UTC(2024, 0, 1, 0, 0, seq)).toISOString(),
  });
  const source = await emptyStore();
  await source.outbox.put([delivery(3), delivery(7), delivery(9)]);
  await source.outbox.bury({ ...delivery(7), lastError: 'HTTP 410', deadAt: new Date(Date.UTC(2024, 0, 2)).toISOString() });

  const target = await emptyStore();
  // An interrupted copy: the pending ones written, the dead letter not yet.
  await target.outbox.put([delivery(3), delivery(9)]);
  assert.deepEqual(await copyOutbox(source.outbox, target.outbox), { pending: 2, deadLetters: 1, copied: 1 });
  assert.deepEqual(await copyOutbox(source.outbox, target.outbox), { pending: 2, deadLetters: 1, copied: 0 });
  assert.deepEqual((await target.outbox.deadLetters(10)).map((letter) => [letter.seq, letter.lastError]), [[7, 'HTTP 410']]);
  assert.equal((await target.outbox.load()).nextSeq, 10);

  const served = await emptyStore();
  await served.outbox.put([delivery(3, '{"another":"event"}')]);
  await assert.rejects(copyOutbox(source.outbox, served.outbox), /the target's webhook outbox holds 1 record\(s\) the source does not \(sequence 3\)/);
  assert.deepEqual((await served.outbox.load()).pending.map((record) => record.body), ['{"another":"event"}']);
  await Promise.all([source.close(), target.close(), served.close()]);
});

test('a source document with a damaged log record is named and not copied; the others are copied and verified', async () => {
  const sourceDir = await makeTempDir('tandem-copy-damaged-');
  dirs.push(sourceDir);
  let source = await emptyStore(sourceDir);
  for (const name of ['a', 'b', 'c']) {
    const doc = new Y.Doc();
    doc.getText('t').insert(0, `text of ${name}`);
    const { log } = await source.open(name);
    await log.append(Y.encodeStateAsUpdate(doc));
    await log.close();
  }
  await source.close();
  const db = await LevelDatabase.open(sourceDir);
  for await (const [key, value] of db.entries(logRange('b'))) {
    value[value.length - 1]! ^= 0xff;
    await db.batch([{ type: 'put', key, value }], false);
  }
  await db.close();

  source = await emptyStore(sourceDir);
  const target = await emptyStore();
  const report = await migrateStore(source, target, () => ({ tick: () => undefined, stop: () => undefined }));
  assert.equal(report.copied, 2);
  assert.match(report.failure()?.message ?? '', /1 document\(s\) have a damaged record and were not copied \(or not verified\):\n {2}"b": document "b" cannot be loaded: log entry 0 of "b": checksum mismatch/);
  assert.deepEqual((await target.listDocuments()).map((meta) => meta.name).sort(), ['a', 'c']);
  assert.equal(await textOf(target, 'c'), 'text of c');
  await Promise.all([source.close(), target.close()]);
});
