// A thread's anchor under concurrent edits: two replicas edit around, inside and across an anchored range with
// seeded random edits taken from a real editing trace, then sync. Both resolve the anchor alike, and to the
// text expected: the range untouched by edits around it, grown by insertions inside it, shrunk to what survives
// of it by deletions across it, detached when all of it is deleted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as Y from 'yjs';
import { anchorAt, anchorOfQuote, resolveAnchor } from '../../server/comments/anchors.ts';
import { seededRandom, testSeed } from '../helpers/edits.ts';
import { loadTrace } from '../helpers/traces.ts';

// Private-use characters: found nowhere in the trace, so the marker's survivors can be told apart.
const MARKER = Array.from({ length: 12 }, (_, i) => String.fromCharCode(0xe000 + i)).join('');
const isMarker = (char: string) => char >= '\ue000' && char <= '\ue00b';
const trace = loadTrace('automerge-paper');
const inserts = trace.ops.map(([, , insert]) => insert).filter((text) => text.length > 0);

type Scenario = 'around' | 'inside' | 'across' | 'all';

function paragraphDoc(text: string): Y.Doc {
  const doc = new Y.Doc();
  const paragraph = new Y.XmlElement('paragraph');
  paragraph.insert(0, [new Y.XmlText(text)]);
  doc.getXmlFragment('default').insert(0, [paragraph]);
  return doc;
}

function textOf(doc: Y.Doc): Y.XmlText {
  return (doc.getXmlFragment('default').get(0) as Y.XmlElement).get(0) as Y.XmlText;
}

function markerSpan(text: string): [number, number] | null {
  const chars = [...text];
  let first = -1;
  let last = -1;
  chars.forEach((char, i) => {
    if (isMarker(char)) {
      if (first < 0) first = i;
      last = i;
    }
  });
  return first < 0 ? null : [first, last + 1];
}

/** One edit of the scenario's kind, at a random place, with text from the trace. */
function edit(doc: Y.Doc, scenario: Scenario, random: () => number): void {
  const node = textOf(doc);
  const text = node.toString();
  const span = markerSpan(text);
  const insert = inserts[Math.floor(random() * inserts.length)]!;
  const at = (from: number, to: number) => from + Math.floor(random() * (to - from + 1));
  if (!span) return void node.insert(at(0, text.length), insert);
  const [first, end] = span;
  switch (scenario) {
    case 'around': {
      // Before the range or after it, never touching it: inserts, and deletes that stop short of it.
      const before = random() < 0.5;
      const position = before ? at(0, first) : at(end, text.length);
      if (random() < 0.6) return void node.insert(position, insert);
      const room = before ? first - position : text.length - position;
      if (room > 0) node.delete(position, at(1, Math.min(room, 20)));
      return;
    }
    case 'inside':
      return void node.insert(at(first + 1, end - 1), insert);
    case 'across': {
      // Deletes that take one end of the range with some text beside it; no inserts inside.
      if (random() < 0.5 && first > 0) {
        const from = at(Math.max(0, first - 10), first - 1);
        node.delete(from, at(first + 1, Math.min(end - 1, first + 3)) - from);
      } else if (end < text.length) {
        const to = at(end + 1, Math.min(text.length, end + 10));
        const from = at(Math.max(first + 1, end - 3), end - 1);
        node.delete(from, to - from);
      } else {
        node.insert(at(0, first), insert);
      }
      return;
    }
    case 'all':
      return void node.delete(Math.max(0, first - 2), Math.min(text.length, end + 2) - Math.max(0, first - 2));
  }
}

function sync(a: Y.Doc, b: Y.Doc): void {
  const toB = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b));
  const toA = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a));
  Y.applyUpdate(b, toB);
  Y.applyUpdate(a, toA);
}

function run(scenario: Scenario, seed: number, rounds: number): void {
  const random = seededRandom(seed);
  const start = Math.floor(random() * (trace.finalText.length - 3_000));
  const a = paragraphDoc(`${trace.finalText.slice(start, start + 1_000)}${MARKER}${trace.finalText.slice(start + 1_000, start + 2_000)}`);
  const b = new Y.Doc();
  Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
  const anchor = JSON.parse(JSON.stringify(anchorOfQuote(a, MARKER))) as NonNullable<ReturnType<typeof anchorOfQuote>>;
  assert.deepEqual(resolveAnchor(b, anchor), { state: 'attached', text: MARKER });

  for (let round = 0; round < rounds; round++) {
    // Concurrent: each replica edits before they exchange.
    edit(a, scenario, random);
    edit(b, scenario === 'all' ? 'around' : scenario, random);
    if (random() < 0.5) sync(a, b);
  }
  sync(a, b);
  const text = textOf(a).toString();
  assert.equal(textOf(b).toString(), text, 'the replicas converged');
  const onA = resolveAnchor(a, anchor);
  assert.deepEqual(resolveAnchor(b, anchor), onA, 'both resolve the anchor alike');
  const span = markerSpan(text);
  const chars = [...text];
  switch (scenario) {
    case 'around':
      assert.deepEqual(onA, { state: 'attached', text: MARKER });
      break;
    case 'inside': {
      assert.equal(onA?.state, 'attached');
      assert.equal(onA?.text, chars.slice(span![0], span![1]).join(''), 'the range grew by what was typed inside it');
      assert.equal([...onA!.text].filter(isMarker).join(''), MARKER);
      break;
    }
    case 'across':
      if (!span) assert.equal(onA?.state, 'detached');
      else assert.deepEqual(onA, { state: 'attached', text: chars.slice(span[0], span[1]).join('') }, 'the range shrank to what survives of it');
      break;
    case 'all':
      assert.deepEqual(onA, { state: 'detached', text: '' }, 'all of it deleted: detached, not lost');
      break;
  }
}

for (const scenario of ['around', 'inside', 'across', 'all'] as const) {
  test(`an anchor under concurrent edits ${scenario} it resolves alike on both replicas, to the expected text`, () => {
    const seed = testSeed(`anchors ${scenario}`);
    for (let trial = 0; trial < 25; trial++) run(scenario, seed + trial, 40);
  });
}

test('an anchor across blocks joins them with a newline; made from offsets, it reads what was there', () => {
  const doc = new Y.Doc();
  const fragment = doc.getXmlFragment('default');
  for (const words of ['First block here', 'second block there']) {
    const paragraph = new Y.XmlElement('paragraph');
    paragraph.insert(0, [new Y.XmlText(words)]);
    fragment.push([paragraph]);
  }
  const anchor = anchorAt(doc, 6, 16 + 6);
  assert.deepEqual(resolveAnchor(doc, anchor), { state: 'attached', text: 'block here\nsecond' });
  assert.equal(anchorOfQuote(doc, 'not in it'), null);
  assert.equal(resolveAnchor(doc, null), null, 'a thread on the whole document has no range');
});

test('typing right before or right after an anchored range does not grow it', () => {
  const doc = paragraphDoc('one two three');
  const anchor = anchorOfQuote(doc, 'two');
  textOf(doc).insert(4, 'X');
  textOf(doc).insert(8, 'Y');
  assert.equal(textOf(doc).toString(), 'one XtwoY three');
  assert.deepEqual(resolveAnchor(doc, anchor), { state: 'attached', text: 'two' });
});
