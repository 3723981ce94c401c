// The document list response: shape checks and newest-first order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byUpdatedDescending, parseDocumentList, type DocumentSummary } from '../../client/src/documents-api.ts';

const entry = (name: string, updatedAt: string): DocumentSummary => ({
  name,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt,
  bytes: 10,
  logLength: 1,
});

test('entries of the wrong shape are dropped, the rest kept as they are', () => {
  const good = entry('notes', '2026-01-02T00:00:00.000Z');
  const body = { documents: [good, { ...good, name: 7 }, { ...good, bytes: '10' }, null, 'notes', { name: 'partial' }] };
  assert.deepEqual(parseDocumentList(body), [good]);
});

test('a body that is not a document list is an error a person can read', () => {
  for (const body of [null, {}, { documents: 'many' }, [], 'documents']) {
    assert.throws(() => parseDocumentList(body), /unexpected format/, JSON.stringify(body));
  }
});

test('newest edit first; equal times by name, so the order is stable', () => {
  const list = [
    entry('b', '2026-01-01T10:00:00.000Z'),
    entry('old', '2025-12-31T23:59:59.000Z'),
    entry('a', '2026-01-01T10:00:00.000Z'),
    entry('new', '2026-01-02T08:00:00.000Z'),
  ];
  assert.deepEqual(list.sort(byUpdatedDescending).map((summary) => summary.name), ['new', 'a', 'b', 'old']);
});
