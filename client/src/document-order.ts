// Which documents the list shows, in which order: a name filter and a sort, applied on the client.
import type { DocumentSummary } from './documents-api.ts';

export const SORTS = {
  edited: 'Recently edited',
  name: 'Name',
  created: 'Recently created',
  size: 'Largest',
} as const;

export type SortKey = keyof typeof SORTS;

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** The documents whose name contains `query` (any case, any accents), in `sort` order; ties by name. */
export function arrangeDocuments(documents: readonly DocumentSummary[], query: string, sort: SortKey): DocumentSummary[] {
  const needle = fold(query.trim());
  const kept = needle === '' ? [...documents] : documents.filter((doc) => fold(doc.name).includes(needle));
  const byName = (a: DocumentSummary, b: DocumentSummary) => collator.compare(a.name, b.name);
  const newest = (key: 'updatedAt' | 'createdAt') => (a: DocumentSummary, b: DocumentSummary) => Date.parse(b[key]) - Date.parse(a[key]) || byName(a, b);
  const order = {
    edited: newest('updatedAt'),
    created: newest('createdAt'),
    name: byName,
    size: (a: DocumentSummary, b: DocumentSummary) => b.bytes - a.bytes || byName(a, b),
  }[sort];
  return kept.sort(order);
}

function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase();
}
