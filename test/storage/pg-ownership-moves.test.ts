// Versions and change-feed events of a document whose ownership moves between two instances on one database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as Y from 'yjs';
import type { SequencedEvent, TandemEvent } from '../../server/events/event-bus.ts';
import { EventSequencer } from '../../server/events/event-sequencer.ts';
import { createLogger } from '../../server/log.ts';
import { FencedOut } from '../../server/storage/fenced-out.ts';
import { PgDocumentStore } from '../../server/storage/postgres/pg-store.ts';
import { postgresMissing, startPostgres, type TestPostgres } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/providers.ts';

const info = { kind: 'manual' as const, label: '', author: null };
const fencedOut = (documents: string[]) => (error: unknown) => error instanceof FencedOut && assert.deepEqual(error.documents, documents) === undefined;

describe('ownership moving on PostgreSQL: versions and events', { skip: postgresMissing() ?? undefined }, () => {
  let postgres: TestPostgres;
  const stores: PgDocumentStore[] = [];
  before(async () => {
    postgres = await startPostgres();
  });
  after(async () => {
    await Promise.all(stores.map((store) => store.close().catch(() => undefined)));
    await postgres.close();
  });

  async function twoInstances(): Promise<{ a: PgDocumentStore; b: PgDocumentStore; url: string }> {
    const url = await postgres.createDatabase('moves');
    const a = await PgDocumentStore.connect({ url, poolSize: 3, versionsFullEvery: 3 });
    const b = await PgDocumentStore.connect({ url, poolSize: 3, versionsFullEvery: 3 });
    stores.push(a, b);
    return { a, b, url };
  }

  /** One document edited over time: each call appends `text` and returns the whole state. */
  function editor(): (text: string) => Uint8Array {
    const doc = new Y.Doc();
    return (text) => {
      const t = doc.getText('t');
      t.insert(t.length, text);
      return Y.encodeStateAsUpdate(doc);
    };
  }

  function textOf(state: Uint8Array): string {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, state);
    return doc.getText('t').toString();
  }

  /** The versions as a store that has cached nothing reads them: id → text. */
  async function versionsRead(url: string, documentName: string): Promise<Array<[number, string]>> {
    const reader = await PgDocumentStore.connect({ url, poolSize: 2, migrate: false, versionsFullEvery: 3 });
    try {
      const metas = await reader.versions.list(documentName);
      return await Promise.all(metas.map(async (meta): Promise<[number, string]> => [meta.id, textOf(await reader.versions.state(documentName, meta.id))]));
    } finally {
      await reader.close();
    }
  }

  test('a version chain goes on where the other owner left it when ownership comes back', async () => {
    const { a, b, url } = await twoInstances();
    const edit = editor();
    const openedA = await a.open('D', { epoch: await a.ownership.claim('D') });
    assert.equal((await a.versions.add('D', edit('one'), info)).id, 1);
    assert.equal((await a.versions.add('D', edit(' two'), info)).id, 2);
    await openedA.log.close();

    const openedB = await b.open('D', { epoch: await b.ownership.claim('D') });
    const three = edit(' three');
    assert.equal((await b.versions.add('D', three, info)).id, 3);
    await b.versions.delete('D', 3);
    assert.equal((await b.versions.add('D', edit(' four'), info)).id, 4);
    await openedB.log.close();

    // A's cached chain (ids 1–2, next 3) is forgotten by its claim: no id is reused, no delta is made
    // against a version it never saw.
    const openedA2 = await a.open('D', { epoch: await a.ownership.claim('D') });
    assert.deepEqual((await a.versions.list('D')).map((meta) => meta.id), [1, 2, 4]);
    assert.equal((await a.versions.add('D', edit(' five'), info)).id, 5);
    await openedA2.log.close();
    assert.deepEqual(await versionsRead(url, 'D'), [
      [1, 'one'],
      [2, 'one two'],
      [4, 'one two three four'],
      [5, 'one two three four five'],
    ]);
  });

  test('the stale owner’s version writes are refused while its log is open with the old epoch', async () => {
    const { a, b, url } = await twoInstances();
    const edit = editor();
    const openedA = await a.open('V', { epoch: await a.ownership.claim('V') });
    await a.versions.add('V', edit('mine'), info);
    await b.ownership.claim('V');
    await assert.rejects(a.versions.add('V', edit(' stale'), info), fencedOut(['V']));
    await assert.rejects(a.versions.delete('V', 1), fencedOut(['V']));
    await openedA.log.close();
    assert.deepEqual(await versionsRead(url, 'V'), [[1, 'mine']]);
  });

  test('unfenced, a version number another instance used fails loudly instead of overwriting its version', async () => {
    const { a, b, url } = await twoInstances();
    const edit = editor();
    await a.versions.add('U', edit('1'), info);
    // B adds version 2; A's cached chain still says the next id is 2.
    assert.equal((await b.versions.add('U', edit('2'), info)).id, 2);
    await assert.rejects(a.versions.add('U', edit('x'), info), fencedOut(['U']));
    // The failure dropped A's cache: its next version reads the chain again.
    assert.equal((await a.versions.add('U', edit('3'), info)).id, 3);

    // B's cache is as stale now; refused once, it reads the chain again too.
    await assert.rejects(b.versions.add('U', edit('x'), info), fencedOut(['U']));
    assert.equal((await b.versions.add('U', edit('4'), info)).id, 4);
    // A number given out and deleted since is not reused either.
    await b.versions.delete('U', 4);
    await assert.rejects(a.versions.add('U', edit('x'), info), fencedOut(['U']));
    assert.equal((await a.versions.add('U', edit('5'), info)).id, 5);
    assert.deepEqual(await versionsRead(url, 'U'), [
      [1, '1'],
      [2, '12'],
      [3, '12x3'],
      [5, '12x3x4x5'],
    ]);
  });

  /** A sequencer over `store`'s events that forgets a document's numbers when the store claims it, as events.ts wires it. */
  function sequencerOn(store: PgDocumentStore): { sequencer: EventSequencer; stored: SequencedEvent[]; lost: string[] } {
    const sequencer = new EventSequencer({ store: store.events, retainedPerDocument: 100, log: createLogger({ level: 'silent' }) });
    const stored: SequencedEvent[] = [];
    const lost: string[] = [];
    sequencer.subscribe({ stored: (event) => stored.push(event), lost: (document) => lost.push(document) });
    store.ownership.onClaimed((document) => sequencer.forget(document));
    return { sequencer, stored, lost };
  }

  let eventCount = 0;
  const event = (document: string, n: string): TandemEvent => ({ id: `evt-${eventCount++}`, type: 'document.changed', ts: new Date().toISOString(), document, data: { n } });

  test('change-feed numbers go on where the other owner left them; a number it used is never taken over', async () => {
    const { a, b, url } = await twoInstances();
    const onA = sequencerOn(a);
    const onB = sequencerOn(b);
    // Held, as the change feed holds a watched document: A's numbers stay in memory.
    onA.sequencer.hold('E');
    onB.sequencer.hold('E');
    await a.ownership.claim('E');
    for (const n of ['a1', 'a2', 'a3']) onA.sequencer.onEvent(event('E', n));
    await waitFor(() => onA.stored.length === 3, 5_000, 'A stores three events');

    await b.ownership.claim('E');
    for (const n of ['b4', 'b5']) onB.sequencer.onEvent(event('E', n));
    await waitFor(() => onB.stored.length === 2, 5_000, 'B stores two events');
    assert.deepEqual(onB.stored.map((sequenced) => sequenced.seq), [4, 5]);

    await a.ownership.claim('E');
    onA.sequencer.onEvent(event('E', 'a6'));
    await waitFor(() => onA.stored.length === 4, 5_000, 'A stores its next event');
    assert.deepEqual(onA.stored.map((sequenced) => sequenced.seq), [1, 2, 3, 6]);
    assert.deepEqual((await a.events.read('E', 0, 10)).map((logged) => (JSON.parse(logged.body) as TandemEvent).data.n), ['a1', 'a2', 'a3', 'b4', 'b5', 'a6']);

    // B claims again: A's events are fenced with the epoch A claimed last, also with no log open, so they
    // are refused (its subscribers told they missed them) and never land under numbers B gives out.
    await b.ownership.claim('E');
    onA.sequencer.onEvent(event('E', 'a7?'));
    await waitFor(() => onA.lost.length === 1, 5_000, 'A is refused');
    for (const n of ['b7', 'b8']) onB.sequencer.onEvent(event('E', n));
    await waitFor(() => onB.stored.length === 4, 5_000, 'B stores two more');
    assert.deepEqual(onB.stored.map((sequenced) => sequenced.seq), [4, 5, 7, 8]);

    // An instance that never claimed the document is not fenced, only checked: its event under a number
    // another stored is refused instead of written over (or silently dropped while subscribers get it), and
    // its next event is numbered above.
    const c = await PgDocumentStore.connect({ url, poolSize: 2, migrate: false });
    stores.push(c);
    const onC = sequencerOn(c);
    onC.sequencer.hold('E');
    onC.sequencer.onEvent(event('E', 'c9'));
    await waitFor(() => onC.stored.length === 1, 5_000, 'C stores an event');
    // B reads its numbers again (as after a claim), so C is the one left behind.
    onB.sequencer.forget('E');
    onB.sequencer.onEvent(event('E', 'b10'));
    await waitFor(() => onB.stored.length === 5, 5_000, 'B stores one more');
    onC.sequencer.onEvent(event('E', 'c10?'));
    await waitFor(() => onC.lost.length === 1, 5_000, 'C is refused');
    onC.sequencer.onEvent(event('E', 'c11'));
    await waitFor(() => onC.stored.length === 2, 5_000, 'C stores above B');
    assert.deepEqual(onC.stored.map((sequenced) => sequenced.seq), [9, 11]);
    assert.deepEqual((await a.events.read('E', 6, 10)).map((logged) => (JSON.parse(logged.body) as TandemEvent).data.n), ['b7', 'b8', 'c9', 'b10', 'c11']);
    await Promise.all([onA.sequencer.close(), onB.sequencer.close(), onC.sequencer.close()]);
  });

  test('the stale owner’s events are refused, while its log is open with the old epoch and after', async () => {
    const { a, b } = await twoInstances();
    const onA = sequencerOn(a);
    const openedA = await a.open('F', { epoch: await a.ownership.claim('F') });
    onA.sequencer.onEvent(event('F', 'a1'));
    await waitFor(() => onA.stored.length === 1, 5_000, 'A stores its event');
    await b.ownership.claim('F');
    onA.sequencer.onEvent(event('F', 'a2'));
    await waitFor(() => onA.lost.length === 1, 5_000, 'A is refused');
    assert.equal(await b.events.highestSeq('F'), 1);
    await openedA.log.close();
    // Closed (clients leaving an unloaded document emit events too): fenced with the epoch A claimed last.
    onA.sequencer.onEvent(event('F', 'a3'));
    await waitFor(() => onA.lost.length === 2, 5_000, 'A is refused again');
    assert.equal(await b.events.highestSeq('F'), 1);
    await onA.sequencer.close();
  });
});
