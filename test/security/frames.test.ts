// The frame validator, without sockets: real provider messages pass, and each refusal names its problem.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as Y from 'yjs';
import { TokenBucket, SlidingWindow } from '../../server/ws/rate-limits.ts';
import { checkClientFrame } from '../../server/ws/client-frames.ts';
import { seededRandom } from '../helpers/edits.ts';
import { HOSTILE_UPDATES, validTemplates } from '../helpers/hostile-frames.ts';
import { SYNC, syncFrame } from '../helpers/raw-client.ts';
import { loadTrace } from '../helpers/traces.ts';

const limits = { maxAwarenessBytes: 16 * 1024 };

test('every message a provider sends passes, with its document and update size', () => {
  for (const frame of validTemplates('doc\u0000session', seededRandom(1))) {
    const checked = checkClientFrame(frame, limits);
    assert.equal(checked.documentName, 'doc');
  }
  assert.deepEqual(checkClientFrame(new Uint8Array([10]), limits), { documentName: null, address: '', type: 10, updateBytes: 0, sync: null, awareness: null });
  const update = new Uint8Array([0, 0]);
  const checked = checkClientFrame(syncFrame('doc\u0000s1', SYNC.update, update), limits);
  assert.deepEqual([checked.address, checked.sync?.step, checked.updateBytes], ['doc\u0000s1', SYNC.update, 2]);
});

test('hostile updates of yjs#479, #687 and #498 are refused, except #687’s V2 bytes, an empty V1 update', () => {
  for (const [name, update] of Object.entries(HOSTILE_UPDATES)) {
    const check = () => checkClientFrame(syncFrame('d', SYNC.update, update), limits);
    if (name === 'yjs#687 V2 bytes') assert.equal(check().updateBytes, update.length);
    else if (name.startsWith('yjs#')) assert.throws(check, /Yjs update does not decode/, name);
  }
});

test('updates that decode but would make Y.applyUpdate throw are refused (issue 12)', () => {
  const issue12 = Object.entries(HOSTILE_UPDATES).filter(([name]) => name.startsWith('issue 12'));
  assert.equal(issue12.length, 6);
  for (const [name, update] of issue12) {
    // The premise: Yjs decodes each of them, and applying it (or, for the pending one, filling its gap) throws.
    assert.doesNotThrow(() => Y.decodeUpdate(update), name);
    const doc = new Y.Doc();
    assert.throws(() => {
      Y.applyUpdate(doc, update);
      Y.applyUpdate(doc, Uint8Array.from([1, 1, 5, 0, 0x04, 1, 1, 0x41, 1, 0x42, 0]));
    }, name);
    for (const type of [SYNC.update, SYNC.step2]) {
      assert.throws(() => checkClientFrame(syncFrame('d', type, update), limits), /Yjs update.*(not before it|empty item)/, name);
    }
  }
});

test('real edits pass the struct check: a trace typed by one client, and editor blocks', () => {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  // One client typing: nearly every item's left origin is its own previous character.
  const text = doc.getText('t');
  for (const [position, deleteCount, insert] of loadTrace('automerge-paper').ops.slice(0, 20_000)) {
    if (deleteCount > 0) text.delete(position, deleteCount);
    if (insert !== '') text.insert(position, insert);
  }
  // Nested elements: children whose parent is an item of the same client.
  const fragment = doc.getXmlFragment('default');
  for (let i = 0; i < 20; i++) {
    const paragraph = new Y.XmlElement('paragraph');
    fragment.insert(fragment.length, [paragraph]);
    paragraph.insert(0, [new Y.XmlText(`p${i}`)]);
    (paragraph.get(0) as Y.XmlText).insert(1, 'more', { bold: true });
  }
  updates.push(Y.encodeStateAsUpdate(doc));
  for (const update of updates) checkClientFrame(syncFrame('d', SYNC.update, update), limits);
});

test('a token bucket refills at its rate and bursts up to it', () => {
  let now = 0;
  const bucket = new TokenBucket(10, () => now);
  for (let i = 0; i < 10; i++) assert.ok(bucket.take());
  assert.ok(!bucket.take());
  now += 100;
  assert.ok(bucket.take());
  assert.ok(!bucket.take());
  now += 10_000;
  for (let i = 0; i < 10; i++) assert.ok(bucket.take());
  assert.ok(!bucket.take(), 'never more than one second’s worth');
});

test('an empty token bucket says how long until its next token', () => {
  let now = 0;
  const bucket = new TokenBucket(4, () => now);
  for (let i = 0; i < 4; i++) assert.equal(bucket.waitMs(), 0);
  assert.equal(bucket.waitMs(), 250);
  now += 100;
  assert.equal(bucket.waitMs(), 150);
  now += 150;
  assert.equal(bucket.waitMs(), 0);
});

test('a sliding window counts attempts per key and says when to retry', () => {
  let now = 0;
  const window = new SlidingWindow(3, 60_000, () => now);
  assert.equal(window.attempt('a'), 0);
  now = 10_000;
  assert.equal(window.attempt('a'), 0);
  assert.equal(window.attempt('a'), 0);
  assert.equal(window.attempt('a'), 50, 'the first attempt leaves the window in 50 s');
  assert.equal(window.attempt('b'), 0, 'keys are independent');
  now = 60_000;
  assert.equal(window.attempt('a'), 0);
});
