// transformTo: a live doc ends equal to the target on every root type, by forward edits only.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import * as Y from 'yjs';
import { fromProseMirrorJSON, toProseMirrorJSON, type PmNode } from '../../server/versions/prosemirror-json.ts';
import { transformTo } from '../../server/versions/restore.ts';
import { contentOf, randomEdit, seededRandom, testSeed } from '../helpers/edits.ts';

/** A copy of `doc` as a server would hold it: root types known only from the update. */
function reloaded(doc: Y.Doc): Y.Doc {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  return copy;
}

test('random histories: the live doc ends equal to the version, and the version\'s own copies agree', async () => {
  const seed = testSeed('transform property');
  fc.assert(
    fc.property(fc.integer(), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), (editSeed, before, afterCount) => {
      const random = seededRandom(editSeed);
      const history = new Y.Doc();
      for (let i = 0; i < before; i += 1) randomEdit(history, random);
      const version = reloaded(history);
      const expected = contentOf(history);
      for (let i = 0; i < afterCount; i += 1) randomEdit(history, random);
      const live = reloaded(history);
      const peer = reloaded(history);
      const updates: Uint8Array[] = [];
      live.on('update', (update: Uint8Array) => updates.push(update));
      live.transact(() => transformTo(live, reloaded(version)));
      assert.deepEqual(contentOf(live), expected);
      assert.ok(updates.length <= 1, 'one transaction');
      for (const update of updates) Y.applyUpdate(peer, update);
      assert.deepEqual(contentOf(peer), expected, 'a peer applying the restore converges');
    }),
    { seed, numRuns: 200 },
  );
});

test('formatted text, nested types and XML are restored exactly', () => {
  const version = new Y.Doc();
  version.getText('rich').insert(0, 'bold', { bold: true });
  version.getText('rich').insert(4, ' plain');
  const nested = new Y.Map<unknown>();
  version.getMap('settings').set('nested', nested);
  nested.set('deep', [1, 2]);
  const fragment = version.getXmlFragment('default');
  const heading = new Y.XmlElement('heading');
  fragment.insert(0, [heading]);
  heading.setAttribute('level', '2');
  heading.insert(0, [new Y.XmlText('Kept')]);

  const live = reloaded(version);
  live.getText('rich').format(0, 4, { bold: null });
  live.getText('rich').insert(0, 'NEW ');
  (live.getMap('settings').get('nested') as Y.Map<unknown>).set('deep', 'changed');
  live.getXmlFragment('default').insert(0, [new Y.XmlElement('paragraph')]);
  live.getArray('extra').push(['only now']);

  const target = reloaded(version);
  live.transact(() => transformTo(live, target));
  assert.deepEqual(live.getText('rich').toDelta(), version.getText('rich').toDelta());
  assert.deepEqual(live.getMap('settings').toJSON(), { nested: { deep: [1, 2] } });
  assert.equal(live.getXmlFragment('default').toString(), '<heading level="2">Kept</heading>');
  assert.deepEqual(live.getArray('extra').toJSON(), []);
});

test('a root whose type differs between the version and now refuses the restore and changes nothing', () => {
  const version = new Y.Doc();
  version.getText('a').insert(0, 'text');
  version.getText('b').insert(0, 'version');
  const live = new Y.Doc();
  live.getText('b').insert(0, 'live');
  live.getMap('a').set('k', 1);
  assert.throws(() => live.transact(() => transformTo(reloaded(live), reloaded(version))), /root "a" is a map now but a text/);
  const copy = reloaded(live);
  assert.throws(() => copy.transact(() => transformTo(copy, reloaded(version))));
  assert.equal(copy.getText('b').toString(), 'live');
});

const WORDS = ['alpha', 'beta', 'γάμμα', 'd🎉lta', 'e', ' ', ' ', 'zeta.'];
const MARKS = [[], [{ type: 'bold' }], [{ type: 'italic' }], [{ type: 'bold' }, { type: 'italic' }], [{ type: 'link', attrs: { href: 'https://x.org' } }]];

function randomInline(random: () => number): PmNode[] {
  const nodes: PmNode[] = [];
  for (let i = Math.floor(random() * 5); i > 0; i -= 1) {
    const marks = MARKS[Math.floor(random() * MARKS.length)]!;
    const text = WORDS[Math.floor(random() * WORDS.length)]!;
    const last = nodes.at(-1);
    // ProseMirror JSON joins neighbouring text with the same marks; so must the generator.
    if (last && JSON.stringify(last.marks ?? []) === JSON.stringify(marks)) last.text += text;
    else nodes.push(marks.length > 0 ? { type: 'text', text, marks } : { type: 'text', text });
  }
  return nodes;
}

function randomBlock(random: () => number, depth = 0): PmNode {
  const pick = random();
  if (pick < 0.15 && depth < 2) {
    const items = Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({ type: 'listItem', content: [randomBlock(random, depth + 1)] }));
    return { type: 'bulletList', content: items };
  }
  const content = randomInline(random);
  const node: PmNode = pick < 0.3 ? { type: 'heading', attrs: { level: 1 + Math.floor(random() * 3) } } : { type: 'paragraph' };
  if (content.length > 0) node.content = content;
  return node;
}

/** Mark order carries no meaning (ProseMirror sorts marks by schema rank when it loads them). */
function normalized(node: PmNode): PmNode {
  const copy: PmNode = { ...node };
  if (node.marks) copy.marks = [...node.marks].sort((a, b) => (a.type < b.type ? -1 : 1));
  if (node.content) copy.content = node.content.map(normalized);
  return copy;
}

function randomDocument(random: () => number, base?: PmNode): PmNode {
  // Often a variation of `base`: a few blocks changed, added or dropped, as between real versions.
  const blocks = base ? [...(base.content ?? [])] : Array.from({ length: 1 + Math.floor(random() * 6) }, () => randomBlock(random));
  if (base) {
    for (let changes = 1 + Math.floor(random() * 3); changes > 0; changes -= 1) {
      const at = Math.floor(random() * (blocks.length + 1));
      const what = random();
      if (what < 0.4 && at < blocks.length) blocks[at] = { ...blocks[at]!, content: randomInline(random) };
      else if (what < 0.7) blocks.splice(at, 0, randomBlock(random));
      else blocks.splice(at, 1);
    }
  }
  return { type: 'doc', content: blocks.map((block) => (block.content?.length === 0 ? { type: block.type, ...(block.attrs ? { attrs: block.attrs } : {}) } : block)) };
}

test('editor content: restoring a version after random rich-text changes gives the version back exactly', () => {
  const seed = testSeed('xml restore property');
  fc.assert(
    fc.property(fc.integer(), (docSeed) => {
      const random = seededRandom(docSeed);
      const version = randomDocument(random);
      const live = reloaded(fromProseMirrorJSON(version));
      const peer = reloaded(live);
      const updates: Uint8Array[] = [];
      live.on('update', (update: Uint8Array) => updates.push(update));
      let now = version;
      for (let round = 0; round < 3; round += 1) {
        now = randomDocument(random, now);
        live.transact(() => transformTo(live, fromProseMirrorJSON(now)));
        assert.deepEqual(normalized(toProseMirrorJSON(live)), normalized(now), `round ${round}`);
      }
      live.transact(() => transformTo(live, reloaded(fromProseMirrorJSON(version))));
      assert.deepEqual(normalized(toProseMirrorJSON(live)), normalized(version), 'back to the version');
      for (const update of updates) Y.applyUpdate(peer, update);
      assert.deepEqual(normalized(toProseMirrorJSON(peer)), normalized(version));
    }),
    { seed, numRuns: 150 },
  );
});

test('a block changed only inside is edited in place: an offline edit elsewhere in it survives', () => {
  const version = fromProseMirrorJSON({ type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'One two three.' }] }] });
  const live = reloaded(version);
  const paragraphText = () => ((live.getXmlFragment('default').get(0) as Y.XmlElement).get(0) as Y.XmlText);
  paragraphText().insert(7, ' and a half');
  const offline = reloaded(live);
  ((offline.getXmlFragment('default').get(0) as Y.XmlElement).get(0) as Y.XmlText).insert(0, 'Offline: ');
  live.transact(() => transformTo(live, reloaded(version)));
  assert.equal(paragraphText().toString(), 'One two three.');
  Y.applyUpdate(live, Y.encodeStateAsUpdate(offline));
  assert.equal(paragraphText().toString(), 'Offline: One two three.');
});

test('each new node type comes back from any other document: tables, task items, images, alignment, links', () => {
  const rich = JSON.parse(readFileSync(new URL('../fixtures/documents/rich.json', import.meta.url), 'utf8')) as PmNode;
  const byType = (type: string) => (node: PmNode) => node.type === type;
  const taskList = rich.content!.find(byType('taskList'))!;
  const others: Array<[string, PmNode]> = [
    ['empty', { type: 'doc', content: [{ type: 'paragraph' }] }],
    // The same blocks with every attribute changed: checkboxes flipped, other image, other alignment, other link.
    ['changed attributes', JSON.parse(JSON.stringify(rich)
      .replaceAll('"checked":true', '"checked":"was true"').replaceAll('"checked":false', '"checked":true').replaceAll('"checked":"was true"', '"checked":false')
      .replaceAll('https://example.com/images/chart.png', 'https://example.net/x.png')
      .replaceAll('"textAlign":"right"', '"textAlign":"left"')
      .replaceAll('https://example.com/alpha', 'https://example.net/beta')) as PmNode],
    // A table with a row and a column fewer, a task list only, an image without its title.
    ['structure changed', {
      type: 'doc',
      content: [
        { type: 'table', content: [{ type: 'tableRow', content: [{ type: 'tableCell', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Name' }] }] }] }] },
        { ...taskList, content: taskList.content!.slice(1) },
        { type: 'image', attrs: { src: 'https://example.com/plain.jpg', alt: 'other' } },
      ],
    }],
  ];
  for (const [what, other] of others) {
    assert.notDeepEqual(normalized(other), normalized(rich), what);
    const live = reloaded(fromProseMirrorJSON(other));
    live.transact(() => transformTo(live, reloaded(fromProseMirrorJSON(rich))));
    assert.deepEqual(toProseMirrorJSON(live), toProseMirrorJSON(fromProseMirrorJSON(rich)), what);
  }
});
