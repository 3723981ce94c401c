// Pure renderers and diff: ProseMirror JSON both ways, HTML, Markdown, text, and block/word diffs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as Y from 'yjs';
import { diffDocuments, diffWords } from '../../server/versions/diff.ts';
import { fromProseMirrorJSON, toProseMirrorJSON, type PmNode } from '../../server/versions/prosemirror-json.ts';
import { toHTML } from '../../server/versions/render-html.ts';
import { toMarkdown, toPlainText } from '../../server/versions/render-text.ts';

const text = (value: string, marks?: PmNode['marks']): PmNode => (marks ? { type: 'text', text: value, marks } : { type: 'text', text: value });
const para = (...content: PmNode[]): PmNode => (content.length > 0 ? { type: 'paragraph', content } : { type: 'paragraph' });

const doc: PmNode = {
  type: 'doc',
  content: [
    { type: 'heading', attrs: { level: 3 }, content: [text('Title <&>')] },
    para(text('plain '), text('bold', [{ type: 'bold' }]), text(' '), text('both', [{ type: 'bold' }, { type: 'italic' }]), { type: 'hardBreak' }, text('next line')),
    para(text('evil', [{ type: 'link', attrs: { href: 'javascript:alert(1)' } }]), text(' and '), text('x*y', [{ type: 'code' }])),
    { type: 'blockquote', content: [para(text('quoted'))] },
    { type: 'orderedList', attrs: { start: 3 }, content: [{ type: 'listItem', content: [para(text('three'))] }, { type: 'listItem', content: [para(text('four'))] }] },
    { type: 'codeBlock', attrs: { language: 'ts' }, content: [text('const a = 1 < 2;')] },
    { type: 'horizontalRule' },
    para(),
  ],
};

test('ProseMirror JSON goes into a Y.XmlFragment and comes back unchanged', () => {
  const ydoc = fromProseMirrorJSON(doc);
  const back = toProseMirrorJSON(ydoc);
  // Tiptap leaves attrs out when there are none; the round trip keeps exactly what was given.
  assert.deepEqual(back, doc);
  // The stored shape is y-prosemirror's: marks as text attributes.
  assert.match(ydoc.getXmlFragment('default').toString(), /<bold>bold<\/bold>/);
});

test('HTML escapes text and drops script links', () => {
  const html = toHTML(doc);
  assert.equal(
    html,
    [
      '<h3>Title &#60;&#38;&#62;</h3>',
      '<p>plain <strong>bold</strong> <strong><em>both</em></strong><br>next line</p>',
      '<p><a href="#">evil</a> and <code>x*y</code></p>',
      '<blockquote><p>quoted</p></blockquote>',
      '<ol start="3"><li><p>three</p></li><li><p>four</p></li></ol>',
      '<pre><code class="language-ts">const a = 1 &#60; 2;</code></pre>',
      '<hr>',
      '<p></p>',
    ].join('\n'),
  );
});

test('Markdown and plain text', () => {
  assert.equal(
    toMarkdown(doc),
    [
      '### Title \\<&\\>',
      'plain **bold** ***both***  \nnext line',
      '[evil](javascript:alert(1)) and `x*y`',
      '> quoted',
      '3. three\n4. four',
      '```ts\nconst a = 1 < 2;\n```',
      '---',
      '',
    ].join('\n\n') + '\n',
  );
  assert.equal(toPlainText(doc), 'Title <&>\n\nplain bold both\nnext line\n\nevil and x*y\n\nquoted\n\nthree\n\nfour\n\nconst a = 1 < 2;\n\n---\n\n');
});

test('diff: blocks added, removed and changed word by word, on every root type', () => {
  const before = fromProseMirrorJSON({ type: 'doc', content: [para(text('One two three.')), para(text('Gone soon.')), para(text('Stays.'))] });
  const after = fromProseMirrorJSON({ type: 'doc', content: [para(text('One 2 three.')), para(text('Stays.')), para(text('Brand new.'))] });
  before.getText('notes').insert(0, 'a\nb');
  after.getText('notes').insert(0, 'a\nc');
  before.getMap('meta').set('k', 1);
  after.getMap('meta').set('k', 2);
  const diff = diffDocuments(before, after);
  assert.deepEqual(diff.summary, { added: 1, removed: 1, changed: 3 });
  assert.deepEqual(
    diff.changes.map((c) => (c.kind === 'changed' ? [c.kind, c.root, c.before, c.after] : [c.kind, c.root, c.text])),
    [
      ['changed', 'default', 'One two three.', 'One 2 three.'],
      ['removed', 'default', 'Gone soon.'],
      ['added', 'default', 'Brand new.'],
      ['changed', 'meta', '1', '2'],
      ['changed', 'notes', 'b', 'c'],
    ],
  );
  assert.deepEqual(diffWords('One two three.', 'One 2 three.'), [
    { op: 'equal', text: 'One ' },
    { op: 'delete', text: 'two' },
    { op: 'insert', text: '2' },
    { op: 'equal', text: ' three.' },
  ]);
  assert.deepEqual(diffDocuments(after, after).changes, []);
});

test('a doc read from an update renders without knowing its root types beforehand', () => {
  const source = fromProseMirrorJSON({ type: 'doc', content: [para(text('from an update'))] });
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(source));
  assert.equal(toPlainText(toProseMirrorJSON(copy)), 'from an update');
});
