// transformTo: a live doc ends equal to the target on every root type, by forward edits only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import * as Y from 'yjs';
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
