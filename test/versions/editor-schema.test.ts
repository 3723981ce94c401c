// Imports of ProseMirror JSON are checked against the editor's schema (common/editor-extensions.ts).
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
