// EDITOR_SCHEMA_VERSION must change whenever the editor's schema does: the server refuses editors built for an
// older version (server/auth/editor-schema-gate.ts), and that only protects documents if the number moves with
// the schema. The schema's signature (node and mark types, their attributes and content) is recorded with the
// version it belongs to; a changed signature under the same version fails here.
//
// After raising the version: UPDATE_SCHEMA_SIGNATURE=1 node --test test/versions/schema-version.test.ts
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { getSchema } from '@tiptap/core';
import { EDITOR_SCHEMA_VERSION, editorExtensions } from '../../common/editor-extensions.ts';

const RECORD = new URL('../fixtures/editor-schema.json', import.meta.url);

interface Signature {
  version: number;
  nodes: Record<string, { content: string; group: string; attrs: string[] }>;
  marks: Record<string, { attrs: string[] }>;
}

function signature(): Signature {
  const schema = getSchema([...editorExtensions]);
  const nodes: Signature['nodes'] = {};
  for (const [name, type] of Object.entries(schema.nodes)) {
    nodes[name] = { content: type.spec.content ?? '', group: type.spec.group ?? '', attrs: Object.keys(type.spec.attrs ?? {}).sort() };
  }
  const marks: Signature['marks'] = {};
  for (const [name, type] of Object.entries(schema.marks)) marks[name] = { attrs: Object.keys(type.spec.attrs ?? {}).sort() };
  return { version: EDITOR_SCHEMA_VERSION, nodes, marks };
}

test('the recorded schema signature belongs to EDITOR_SCHEMA_VERSION', async () => {
  const current = signature();
  const recorded = JSON.parse(await readFile(RECORD, 'utf8')) as Signature;
  if (process.env.UPDATE_SCHEMA_SIGNATURE === '1' && current.version > recorded.version) {
    await writeFile(RECORD, `${JSON.stringify(current, null, 2)}\n`);
    return;
  }
  assert.equal(current.version, recorded.version, `EDITOR_SCHEMA_VERSION is ${current.version}, the signature on record is for ${recorded.version}: record it (see the top of this file)`);
  assert.deepEqual(
    current,
    recorded,
    `the editor's schema changed without a new EDITOR_SCHEMA_VERSION: raise it in common/editor-extensions.ts, then record the signature (see the top of this file)`,
  );
});

test('the signature sees what matters: a node type, an attribute', () => {
  const current = signature();
  assert.ok(current.nodes.table && current.nodes.taskItem?.attrs.includes('checked'), 'tables and task items are in schema 2');
  assert.ok(current.nodes.paragraph?.attrs.includes('textAlign'), 'alignment is an attribute of paragraphs');
  assert.ok(current.marks.link?.attrs.includes('href'));
});
