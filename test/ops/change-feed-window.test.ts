// ChangeFeed without sockets: per-document and total caps, and what a resume is told after eviction.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChangeFeed, type FeedItem } from '../../server/events/change-feed.ts';
import { EventBus } from '../../server/events/event-bus.ts';

function setup(loaded: Set<string>) {
  const bus = new EventBus(() => 1_000);
  const feed = new ChangeFeed({ retainedPerDocument: 5, retainedTotal: 8, startSeq: bus.lastSeq, isLoaded: (name) => loaded.has(name) });
  bus.subscribe(feed.onEvent);
  const emit = (document: string): number => {
    bus.emitEvent('version.created', document);
    return bus.lastSeq;
  };
  const resume = (document: string, lastSeq: number | null) => {
    const { replay, unsubscribe } = feed.subscribe(document, lastSeq, () => undefined);
    unsubscribe();
    return replay;
  };
  return { feed, emit, resume };
}

const seqs = (items: FeedItem[]) => items.map((item) => (item.kind === 'event' ? item.sequenced.seq : 'missed'));

test('the total cap takes events from the least recently active document first', () => {
  const { feed, emit, resume } = setup(new Set(['a', 'b']));
  const a = [emit('a'), emit('a'), emit('a'), emit('a')];
  const b = [emit('b'), emit('b'), emit('b'), emit('b')];
  assert.equal(feed.retained, 8);
  const b5 = emit('b'); // total 9 > 8: a loses its oldest
  assert.equal(feed.retained, 8);
  // A reader that had a[0] missed nothing; one from before it missed a[0].
  assert.deepEqual(seqs(resume('a', a[0] as number)), [a[1], a[2], a[3]]);
  assert.deepEqual(seqs(resume('a', (a[0] as number) - 1)), ['missed', a[1], a[2], a[3]]);
  assert.deepEqual(seqs(resume('b', b[3] as number)), [b5]);
  const b6 = emit('b'); // b now holds 6 > 5 per document: its oldest goes
  assert.deepEqual(seqs(resume('b', b[1] as number)), [b[2], b[3], b5, b6]);
  assert.deepEqual(seqs(resume('b', (b[0] as number) - 1)), ['missed', b[1], b[2], b[3], b5, b6]);
});

test('documents neither loaded nor watched keep nothing; a resume for them reports missed events', () => {
  const loaded = new Set<string>();
  const { feed, emit, resume } = setup(loaded);
  const first = emit('idle');
  emit('idle');
  assert.equal(feed.retained, 0);
  assert.deepEqual(seqs(resume('idle', first)), ['missed']);
  // A fresh subscriber (no Last-Event-ID) is told nothing: it starts from now.
  assert.deepEqual(seqs(resume('idle', null)), []);
  // Ids this run never issued are reported too.
  assert.deepEqual(seqs(resume('idle', first + 1_000)), ['missed']);
});
