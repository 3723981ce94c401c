// Imports of ProseMirror JSON are checked against the editor's schema (common/editor-extensions.ts) and URL rules.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { checkEditorContent } from '../../server/versions/editor-schema.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const text = (value: string, marks?: Array<{ type: string; attrs?: Record<string, unknown> }>) => ({ type: 'text', text: value, ...(marks ? { marks } : {}) });
const paragraph = (...content: unknown[]) => ({ type: 'paragraph', content });
const doc = (...content: unknown[]) => ({ type: 'doc', content });

const problemOf = (json: unknown): string | null => {
  try {
    checkEditorContent(json);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
};

test('what the editor makes passes: headings, lists, code, quotes, rules, marks and links', () => {
  const content = doc(
    { type: 'heading', attrs: { level: 2 }, content: [text('Title')] },
    paragraph(text('plain '), text('bold', [{ type: 'bold' }]), text(' link', [{ type: 'link', attrs: { href: 'https://example.com' } }])),
    { type: 'bulletList', content: [{ type: 'listItem', content: [paragraph(text('item'))] }] },
    { type: 'codeBlock', attrs: { language: null }, content: [text('x = 1')] },
    { type: 'blockquote', content: [paragraph(text('quoted'), { type: 'hardBreak' }, text('more'))] },
    { type: 'horizontalRule' },
    paragraph(),
  );
  assert.equal(problemOf(content), null);
});

test('unknown node and mark types are refused with the path to them', () => {
  const nested = doc({ type: 'bulletList', content: [{ type: 'listItem', content: [paragraph(text('a')), paragraph(text('b')), { type: 'nope' }] }] });
  assert.equal(problemOf(nested), 'content[0].content[0].content[2]: unknown node type "nope"');
  assert.equal(problemOf(doc(paragraph(text('a'), text('b', [{ type: 'blink' }])))), 'content[0].content[1].marks[0]: unknown mark type "blink"');
  assert.equal(problemOf({ type: 'nope' }), 'doc: unknown node type "nope"');
  assert.equal(problemOf(doc(paragraph(), 'text')), 'content[1]: a node must be an object');
});

test('known types in places the schema does not allow are refused, at the node that holds them', () => {
  assert.match(problemOf(doc(text('loose text'))) ?? '', /^doc: Invalid content for node doc/);
  assert.match(problemOf(doc({ type: 'bulletList', content: [paragraph(text('not in an item'))] })) ?? '', /^content\[0\]: Invalid content for node bulletList/);
  assert.match(problemOf(doc(paragraph(text('x')), paragraph(paragraph(text('nested'))))) ?? '', /^content\[1\]: Invalid content for node paragraph/);
});

const cell = (type: 'tableCell' | 'tableHeader', ...content: unknown[]) => ({ type, content });
const row = (...cells: unknown[]) => ({ type: 'tableRow', content: cells });
const image = (src: unknown) => ({ type: 'image', attrs: { src, alt: 'alt', title: 'title' } });

test('the richer editor passes: tables, task lists (nested), images, alignment and links in cells', () => {
  const content = doc(
    { type: 'heading', attrs: { level: 1, textAlign: 'center' }, content: [text('Centred')] },
    { type: 'paragraph', attrs: { textAlign: 'justify' }, content: [text('justified')] },
    {
      type: 'table',
      content: [
        row(cell('tableHeader', paragraph(text('H', [{ type: 'bold' }]))), cell('tableHeader', paragraph(text('I')))),
        row(cell('tableCell', paragraph(text('a', [{ type: 'link', attrs: { href: '/relative/link' } }])), paragraph(text('b'))), cell('tableCell', paragraph())),
      ],
    },
    {
      type: 'taskList',
      content: [
        { type: 'taskItem', attrs: { checked: true }, content: [paragraph(text('done'))] },
        { type: 'taskItem', attrs: { checked: false }, content: [paragraph(text('open')), { type: 'taskList', content: [{ type: 'taskItem', attrs: { checked: true }, content: [paragraph(text('nested'))] }] }] },
      ],
    },
    image('https://example.com/a.png'),
    image('http://example.com/b.png'),
    { type: 'horizontalRule' },
  );
  assert.equal(problemOf(content), null);
});

test('table parts outside a table, and task items outside a task list, are refused where they stand', () => {
  assert.match(problemOf(doc(paragraph(text('x')), cell('tableCell', paragraph(text('loose cell'))))) ?? '', /^doc: Invalid content for node doc/);
  assert.match(problemOf(doc({ type: 'table', content: [cell('tableCell', paragraph(text('cell without a row')))] })) ?? '', /^content\[0\]: Invalid content for node table/);
  assert.match(problemOf(doc({ type: 'bulletList', content: [{ type: 'taskItem', content: [paragraph(text('task in a bullet list'))] }] })) ?? '', /^content\[0\]: Invalid content for node bulletList/);
  assert.match(problemOf(doc({ type: 'table', content: [row(cell('tableCell', text('bare text in a cell')))] })) ?? '', /^content\[0\]\.content\[0\]\.content\[0\]: Invalid content for node tableCell/);
  // An image is a block: not inside a paragraph.
  assert.match(problemOf(doc(paragraph(text('a'), image('https://example.com/a.png')))) ?? '', /^content\[0\]: Invalid content for node paragraph/);
});

test('images load only from absolute http(s) URLs, and links may not run script: both refused with the path', () => {
  for (const src of ['javascript:alert(1)', 'data:image/png;base64,AAAA', '/api/documents/x/export', 'x.png', 'file:///etc/passwd', '', null, 42]) {
    assert.equal(problemOf(doc(paragraph(text('a')), image(src))), 'content[1]: an image\'s "src" must be an http(s) URL', String(src));
  }
  assert.equal(problemOf(doc({ type: 'image' })), 'content[0]: an image\'s "src" must be an http(s) URL');
  const table = (src: string) => doc({ type: 'table', content: [row(cell('tableCell', paragraph(text('in a cell'))), cell('tableCell', image(src)))] });
  assert.equal(problemOf(table('https://example.com/ok.png')), null);
  assert.equal(problemOf(table('javascript:alert(1)')), 'content[0].content[0].content[1].content[0]: an image\'s "src" must be an http(s) URL');
  for (const href of ['javascript:alert(1)', 'JavaScript:alert(1)', 'data:text/html,<script>1</script>', 'vbscript:msgbox']) {
    assert.equal(problemOf(doc(paragraph(text('a'), text('b', [{ type: 'bold' }, { type: 'link', attrs: { href } }])))), 'content[0].content[1].marks[1]: a link\'s "href" must be a web, mail or relative URL (no javascript: or data:)', href);
  }
  for (const href of ['https://example.com', 'mailto:a@example.com', '#section', '../relative']) {
    assert.equal(problemOf(doc(paragraph(text('a', [{ type: 'link', attrs: { href } }])))), null, href);
  }
});

let server: TestServer;
before(async () => {
  server = await startServer({ logLevel: 'warn' });
});
after(async () => {
  await server.close();
});

test('the import route answers 400 with the path, and stores nothing', async () => {
  const body = doc(paragraph(text('fine')), { type: 'blockquote', content: [paragraph(text('a')), paragraph(text('b')), { type: 'nope' }] });
  const response = await fetch(`${server.url}/api/documents/schema-checked/import`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  assert.equal(response.status, 400);
  const error = ((await response.json()) as { error: { code: string; message: string } }).error;
  assert.deepEqual(error, { code: 'bad-request', message: 'content[1].content[2]: unknown node type "nope"' });
  assert.equal((await fetch(`${server.url}/api/documents/schema-checked`)).status, 404);
  const good = await fetch(`${server.url}/api/documents/schema-checked/import`, { method: 'POST', body: JSON.stringify(doc(paragraph(text('fine')))), headers: { 'content-type': 'application/json' } });
  assert.equal(good.status, 201);
});

test('the import route refuses a script image or a loose table cell with 400 and the path, and stores nothing', async () => {
  const post = (name: string, body: unknown) =>
    fetch(`${server.url}/api/documents/${name}/import`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; message: string } }).error;

  const scriptImage = await post('bad-image', doc(paragraph(text('fine')), { type: 'taskList', content: [{ type: 'taskItem', attrs: { checked: false }, content: [paragraph(text('t')), image('javascript:alert(1)')] }] }));
  assert.equal(scriptImage.status, 400);
  assert.deepEqual(await errorOf(scriptImage), { code: 'bad-request', message: 'content[1].content[0].content[1]: an image\'s "src" must be an http(s) URL' });
  assert.equal((await fetch(`${server.url}/api/documents/bad-image`)).status, 404);

  const looseCell = await post('loose-cell', doc(paragraph(text('fine')), cell('tableCell', paragraph(text('no table')))));
  assert.equal(looseCell.status, 400);
  const error = await errorOf(looseCell);
  assert.equal(error.code, 'bad-request');
  assert.match(error.message, /^doc: Invalid content for node doc/);
  assert.equal((await fetch(`${server.url}/api/documents/loose-cell`)).status, 404);

  const rich = await post('rich-ok', doc({ type: 'table', content: [row(cell('tableHeader', paragraph(text('h')))), row(cell('tableCell', paragraph(text('c'))))] }, image('https://example.com/a.png')));
  assert.equal(rich.status, 201);
});
