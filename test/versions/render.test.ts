// Formats and diff: ProseMirror JSON both ways; HTML and Markdown both ways through Tiptap's serializers on the
// editor's extensions (export → import → export stable on a document with every node and mark of the schema);
// plain text; block and word diffs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { getSchema } from '@tiptap/core';
import * as Y from 'yjs';
import { editorExtensions } from '../../common/editor-extensions.ts';
import { diffDocuments, diffWords } from '../../server/versions/diff.ts';
import { fromProseMirrorJSON, toProseMirrorJSON, type PmNode } from '../../server/versions/prosemirror-json.ts';
import { fromHTML, fromMarkdown, toHTML, toMarkdown } from '../../server/versions/tiptap-formats.ts';
import { toPlainText } from '../../server/versions/text-blocks.ts';

const schema = getSchema([...editorExtensions]);
/** ProseMirror's own form of a document: default attributes filled in, marks in schema order. */
const canonical = (json: PmNode): unknown => schema.nodeFromJSON(json).toJSON();
const rich = JSON.parse(readFileSync(new URL('../fixtures/documents/rich.json', import.meta.url), 'utf8')) as PmNode;

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

test('the rich fixture holds every node and mark type of the editor’s schema', () => {
  const nodes = new Set<string>();
  const marks = new Set<string>();
  const walk = (node: PmNode) => {
    nodes.add(node.type);
    for (const mark of node.marks ?? []) marks.add(mark.type);
    for (const child of node.content ?? []) walk(child);
  };
  walk(rich);
  assert.deepEqual([...nodes].sort(), Object.keys(schema.nodes).sort());
  assert.deepEqual([...marks].sort(), Object.keys(schema.marks).sort());
});

/**
 * What a Markdown export keeps of a document, exactly: Markdown has no text alignment (the attribute goes), and a
 * table cell is one line, so a cell's paragraphs come back as one, joined by hard breaks. Everything else stays.
 */
function whatMarkdownKeeps(node: PmNode): PmNode {
  const copy: PmNode = { ...node };
  if (copy.attrs && 'textAlign' in copy.attrs) {
    const { textAlign: _lost, ...attrs } = copy.attrs;
    if (Object.keys(attrs).length > 0) copy.attrs = attrs;
    else delete copy.attrs;
  }
  if (!node.content) return copy;
  const content = node.content.map(whatMarkdownKeeps);
  const isCell = node.type === 'tableCell' || node.type === 'tableHeader';
  copy.content = isCell && content.length > 1
    ? [para(...content.flatMap((paragraph, i) => [...(i > 0 ? [{ type: 'hardBreak' }] : []), ...(paragraph.content ?? [])]))]
    : content;
  return copy;
}

test('the fixture has what Markdown cannot carry, so the Markdown round trip below checks its losses', () => {
  const kept = JSON.stringify(whatMarkdownKeeps(rich));
  assert.notEqual(kept, JSON.stringify(rich));
  assert.match(JSON.stringify(rich), /"textAlign":"center"/);
  assert.doesNotMatch(kept, /textAlign/);
});

for (const [format, exportAs, importFrom, keeps] of [
  // Markdown loses exactly what whatMarkdownKeeps takes away: alignment, and paragraph seams inside table cells.
  ['Markdown', toMarkdown, fromMarkdown, whatMarkdownKeeps],
  // HTML keeps everything.
  ['HTML', toHTML, fromHTML, (node: PmNode) => node],
] as const) {
  test(`${format}: export → import gives the same document (less only what ${format} cannot say), and export → import → export is stable`, () => {
    const exported = exportAs(rich);
    const imported = importFrom(exported);
    assert.deepEqual(canonical(imported), canonical(keeps(rich)));
    assert.equal(exportAs(imported), exported);
    // And through a Y.Doc, as an import is stored and an export is read.
    assert.equal(exportAs(toProseMirrorJSON(fromProseMirrorJSON(imported))), exported);
  });
}

test('HTML keeps text alignment, checkboxes, tables and images; Markdown writes them its own way', () => {
  const html = toHTML(rich);
  assert.match(html, /<h2 style="text-align: center;?">A centred heading<\/h2>/);
  assert.match(html, /<p style="text-align: right;?">Right-aligned, with <em>italic<\/em><\/p>/);
  assert.match(html, /<li data-checked="true" data-type="taskItem"><label><input type="checkbox" checked="checked">/);
  assert.match(html, /<img src="https:\/\/example.com\/images\/chart.png\?size=2&amp;v=1" alt="A chart of sales" title="Sales, 2024">/);
  assert.match(html, /<tr><th><p>Name<\/p><\/th><th><p><strong>Status<\/strong><\/p><\/th>/);
  const markdown = toMarkdown(rich);
  assert.match(markdown, /^## A centred heading$/m);
  assert.match(markdown, /^- \[x\] Written$/m);
  assert.match(markdown, /^ {2}- \[ \] nested, open$/m);
  assert.match(markdown, /^!\[A chart of sales\]\(https:\/\/example.com\/images\/chart.png\?size=2&v=1 "Sales, 2024"\)$/m);
  assert.match(markdown, /^\| Name +\| \*\*Status\*\* +\| Notes +\|$/m);
  assert.match(markdown, /\| first paragraph<br>second paragraph +\|$/m);
});

test('ProseMirror JSON: export → import → export is stable', () => {
  const once = JSON.stringify(toProseMirrorJSON(fromProseMirrorJSON(rich)));
  assert.equal(JSON.stringify(toProseMirrorJSON(fromProseMirrorJSON(JSON.parse(once) as PmNode))), once);
});

test('text that looks like Markdown block syntax stays text', () => {
  const markdown = toMarkdown(rich);
  for (const line of ['1\\. not a list', '\\- not a bullet either', '\\# second line after a hard break  ', '\\---', '&#32;   four leading spaces']) {
    assert.ok(markdown.split('\n').includes(line), `${JSON.stringify(line)} in:\n${markdown}`);
  }
});

test('HTML escapes text; script links are dropped in every format, their text kept', () => {
  const html = toHTML(doc);
  assert.match(html, /<h3>Title &lt;&amp;&gt;<\/h3>/);
  assert.match(html, /<pre><code class="language-ts">const a = 1 &lt; 2;<\/code><\/pre>/);
  assert.doesNotMatch(html, /javascript/);
  assert.match(html, /<p>evil and <code>x\*y<\/code><\/p>/);
  const markdown = toMarkdown(doc);
  assert.doesNotMatch(markdown, /javascript/);
  assert.match(markdown, /^evil and `x\*y`$/m);
  assert.doesNotMatch(JSON.stringify(fromMarkdown('[evil](javascript:alert(1)) [data](data:text/html,x)')), /javascript|data:/);
  assert.doesNotMatch(JSON.stringify(fromHTML('<p><a href="javascript:alert(1)">evil</a></p>')), /javascript/);
});

test('HTML import runs no script and loads nothing: what is not the editor’s is dropped', () => {
  const imported = fromHTML('<p>kept</p><script>globalThis.__tandemPwned = 1</script><img src="http://127.0.0.1:9/x.png" onerror="globalThis.__tandemPwned = 2"><style>p{}</style>');
  assert.equal((globalThis as { __tandemPwned?: number }).__tandemPwned, undefined);
  // The image is the editor's (a block image by URL): kept, without its handler, and never fetched here.
  assert.deepEqual(canonical(imported), canonical({ type: 'doc', content: [para(text('kept')), { type: 'image', attrs: { src: 'http://127.0.0.1:9/x.png' } }] }));
});

test('images load only from http(s): other sources are dropped on import and export, in every format', () => {
  const unsafe = ['javascript:alert(1)', 'data:image/png;base64,AAAA', '/api/documents/x/export', 'file:///etc/passwd', 'ftp://example.com/x.png'];
  for (const src of unsafe) {
    const withImage: PmNode = { type: 'doc', content: [para(text('before')), { type: 'image', attrs: { src, alt: 'x' } }] };
    assert.doesNotMatch(toHTML(withImage), /<img/, src);
    assert.doesNotMatch(toMarkdown(withImage), /!\[/, src);
    assert.doesNotMatch(JSON.stringify(fromHTML(`<p>before</p><img src="${src}" alt="x">`)), /"image"/, src);
    assert.doesNotMatch(JSON.stringify(fromMarkdown(`before\n\n![x](${src})\n`)), /"image"/, src);
  }
  assert.match(JSON.stringify(fromMarkdown('![ok](https://example.com/ok.png)\n')), /"src":"https:\/\/example.com\/ok.png"/);
});

test('plain text', () => {
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
