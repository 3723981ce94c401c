// The document list's search and sort.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { arrangeDocuments } from '../../client/src/document-order.ts';
import type { DocumentSummary } from '../../client/src/documents-api.ts';

const doc = (name: string, createdAt: string, updatedAt: string, bytes: number): DocumentSummary => ({ name, createdAt, updatedAt, bytes, logLength: 1 });
const docs = [
  doc('Plan 10', '2026-01-03T00:00:00Z', '2026-01-05T00:00:00Z', 300),
  doc('plan 2', '2026-01-01T00:00:00Z', '2026-01-09T00:00:00Z', 100),
  doc('Café notes', '2026-01-04T00:00:00Z', '2026-01-04T00:00:00Z', 300),
  doc('Budget', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z', 50),
];
const names = (list: DocumentSummary[]) => list.map((d) => d.name);

test('sorts by last edit, creation, name (numbers as numbers, any case) and size (ties by name)', () => {
  assert.deepEqual(names(arrangeDocuments(docs, '', 'edited')), ['plan 2', 'Plan 10', 'Café notes', 'Budget']);
  assert.deepEqual(names(arrangeDocuments(docs, '', 'created')), ['Café notes', 'Plan 10', 'Budget', 'plan 2']);
  assert.deepEqual(names(arrangeDocuments(docs, '', 'name')), ['Budget', 'Café notes', 'plan 2', 'Plan 10']);
  assert.deepEqual(names(arrangeDocuments(docs, '', 'size')), ['Café notes', 'Plan 10', 'plan 2', 'Budget']);
});

test('search keeps names containing the words, whatever the case and accents; the input is not changed', () => {
  assert.deepEqual(names(arrangeDocuments(docs, ' PLAN ', 'name')), ['plan 2', 'Plan 10']);
  assert.deepEqual(names(arrangeDocuments(docs, 'cafe', 'name')), ['Café notes']);
  assert.deepEqual(arrangeDocuments(docs, 'nothing like it', 'name'), []);
  assert.equal(docs[0]!.name, 'Plan 10');
});
