// ChangeFeed and EventSequencer without sockets, over a real LevelDB store: memory caps, resumes from storage,
// numbers that continue after a restart, trimming, and events that could not be stored.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { afterEach, test } from 'node:test';
import { ChangeFeed, type FeedItem } from '../../server/events/change-feed.ts';
import { EventBus } from '../../server/events/event-bus.ts';
import { EventSequencer } from '../../server/events/event-sequencer.ts';
import { createLogger } from '../../server/log.ts';
import { LevelDocumentStore } from '../../server/storage/leveldb/level-store.ts';
import { waitFor } from '../helpers/providers.ts';
import { makeTempDir } from '../helpers/server.ts';

const dirs: string[] = [];
const stores: LevelDocumentStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function setup(loaded: Set<string>, options: { dataDir?: string; retainedPerDocument?: number } = {}) {
  const dataDir = options.dataDir ?? (await makeTempDir('tandem-feed-'));
  if (!options.dataDir) dirs.push(dataDir);
  const store = await LevelDocumentStore.open({ dataDir, fsync: false });
  stores.push(store);
  const logs: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: 'warn', destination: { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) } });
  const retainedPerDocument = options.retainedPerDocument ?? 5;
  const bus = new EventBus();
  const sequencer = new EventSequencer({ store: store.events, retainedPerDocument, log });
  const feed = new ChangeFeed({ retainedPerDocument, retainedTotal: 8, isLoaded: (name) => loaded.has(name), sequencer, store: store.events, log });
  bus.subscribe(sequencer.onEvent);
  sequencer.subscribe(feed);
  // Everything a watcher of `document` has been sent, live.
  const watch = (document: string) => {
    const items: FeedItem[] = [];
    const { unsubscribe } = feed.subscribe(document, null, (item) => items.push(item));
    return { items, unsubscribe };
  };
  let stored = 0;
  sequencer.subscribe({ stored: () => (stored += 1), lost: () => undefined });
  let emitted = 0;
  /** Emits an event and resolves with its number once it is stored. */
  const emit = async (document: string, data: Record<string, unknown> = {}): Promise<number> => {
    emitted += 1;
    const target = emitted;
    const seen = watch(document);
    bus.emitEvent('version.created', document, data);
    await waitFor(() => stored >= target, 5_000, `event ${target} to be stored`);
    seen.unsubscribe();
    const item = seen.items.at(-1);
    assert.equal(item?.kind, 'event');
    return item.kind === 'event' ? item.sequenced.seq : -1;
  };
  const resume = async (document: string, lastSeq: number | null) => {
    const items: FeedItem[] = [];
    const { ready, unsubscribe } = feed.subscribe(document, lastSeq, (item) => items.push(item));
    await ready;
    unsubscribe();
    return items;
  };
  return { store, bus, sequencer, feed, emit, resume, watch, logs, dataDir };
}

const seqs = (items: FeedItem[]) => items.map((item) => (item.kind === 'event' ? item.sequenced.seq : 'missed'));

test('each document is numbered 1, 2, 3, … on its own', async () => {
  const { emit } = await setup(new Set(['a', 'b']));
  assert.deepEqual([await emit('a'), await emit('b'), await emit('a'), await emit('a'), await emit('b')], [1, 1, 2, 3, 2]);
});

test('the memory cap takes events from the least recently active document first; resumes then read the store', async () => {
  const { feed, emit, resume } = await setup(new Set(['a', 'b']));
  const a = [await emit('a'), await emit('a'), await emit('a'), await emit('a')];
  const b = [await emit('b'), await emit('b'), await emit('b'), await emit('b')];
  assert.equal(feed.retained, 8);
  const b5 = await emit('b'); // 9 in memory > 8: a loses its oldest
  assert.equal(feed.retained, 8);
  // From memory, and from the store for the event memory no longer has: nothing is missed either way.
  assert.deepEqual(seqs(await resume('a', a[0]!)), [a[1], a[2], a[3]]);
  assert.deepEqual(seqs(await resume('a', 0)), a);
  assert.deepEqual(seqs(await resume('b', b[3]!)), [b5]);
  const b6 = await emit('b'); // six of b: more than the five retained per document
  assert.deepEqual(seqs(await resume('b', b[1]!)), [b[2], b[3], b5, b6]);
  // From before the retained window: told so, then the window.
  assert.deepEqual(seqs(await resume('b', b[0]!)), [b[1], b[2], b[3], b5, b6]);
  assert.deepEqual(seqs(await resume('b', 0)), ['missed', b[1], b[2], b[3], b5, b6]);
});

test('a document neither loaded nor watched keeps nothing in memory; a resume reads the store', async () => {
  const { feed, emit, resume } = await setup(new Set());
  const first = await emit('idle');
  const second = await emit('idle');
  assert.equal(feed.retained, 0);
  assert.deepEqual(seqs(await resume('idle', first)), [second]);
  assert.deepEqual(seqs(await resume('idle', second)), []);
  // A fresh subscriber (no Last-Event-ID) is told nothing: it starts from now.
  assert.deepEqual(seqs(await resume('idle', null)), []);
  // Ids never issued for this document are reported, then the window follows.
  assert.deepEqual(seqs(await resume('idle', second + 1_000)), ['missed', first, second]);
  assert.deepEqual(seqs(await resume('idle', -3)), ['missed', first, second]);
});

test('numbers continue above the stored ones after a restart, and storage keeps about the retained count', async () => {
  const first = await setup(new Set(['doc']), { retainedPerDocument: 4 });
  for (let i = 1; i <= 20; i += 1) assert.equal(await first.emit('doc', { i }), i);
  await first.sequencer.close();
  await first.store.close();
  const stored = await (async () => {
    const again = await setup(new Set(['doc']), { dataDir: first.dataDir, retainedPerDocument: 4 });
    return { again, events: await again.store.events.read('doc', 0, 100) };
  })();
  // Trimmed to 4 once more than 4 + 1 were stored: never more than five.
  assert.ok(stored.events.length >= 4 && stored.events.length <= 5, `${stored.events.length} stored`);
  assert.equal(stored.events.at(-1)?.seq, 20);
  const { again } = stored;
  assert.equal(await again.emit('doc'), 21);
  assert.deepEqual(seqs(await again.resume('doc', 18)), [19, 20, 21]);
  const resumed = await again.resume('doc', 19);
  assert.deepEqual(resumed.map((item) => item.kind === 'event' && item.sequenced.event.data), [{ i: 20 }, {}]);
});

test('an event reaches subscribers only once stored; one that cannot be stored is never sent, and watchers are told', async () => {
  const { bus, emit, store, watch, logs } = await setup(new Set(['doc']));
  await emit('doc');
  const watcher = watch('doc');
  bus.emitEvent('version.created', 'doc');
  assert.deepEqual(watcher.items, [], 'nothing before the commit');
  await waitFor(() => watcher.items.length === 1, 5_000, 'the stored event');
  assert.deepEqual(seqs(watcher.items), [2]);
  // A store that stopped writing: the event has no number anyone saw, and the watcher learns it missed it.
  await store.close();
  bus.emitEvent('version.created', 'doc');
  await waitFor(() => watcher.items.length === 2, 5_000, 'the notice');
  assert.deepEqual(watcher.items[1], { kind: 'missed', afterSeq: 2 });
  assert.ok(logs.some((line) => line.doc === 'doc' && /could not be stored/.test(String(line.msg))));
  watcher.unsubscribe();
});
