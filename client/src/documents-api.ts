// The client side of `GET /api/documents` (fetch, check the shape, order newest first) and of creating one.
import type { DocumentSummary } from '../../common/api-types.ts';
import { ApiError, apiRequest } from './api-request.ts';

export type { DocumentSummary };

/** Fetches the document list, most recently edited first; throws an Error whose message a person can read. */
export async function fetchDocuments(token: string | null, signal?: AbortSignal): Promise<DocumentSummary[]> {
  const response = await apiRequest('/api/documents', token, { signal: signal ?? null });
  return parseDocumentList(await response.json().catch(() => null)).sort(byUpdatedDescending);
}

/** Validates the response body; entries of the wrong shape are dropped rather than breaking the page. */
export function parseDocumentList(body: unknown): DocumentSummary[] {
  const documents = (body as { documents?: unknown } | null)?.documents;
  if (!Array.isArray(documents)) throw new Error('the server sent a document list in an unexpected format');
  return documents.filter(isSummary);
}

export function byUpdatedDescending(a: DocumentSummary, b: DocumentSummary): number {
  return Date.parse(b.updatedAt) - Date.parse(a.updatedAt) || a.name.localeCompare(b.name);
}

function isSummary(value: unknown): value is DocumentSummary {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return typeof entry['name'] === 'string' && typeof entry['updatedAt'] === 'string' && typeof entry['createdAt'] === 'string'
    && typeof entry['bytes'] === 'number' && typeof entry['logLength'] === 'number';
}

export type CreateOutcome = 'created' | 'exists' | 'not-allowed';

/**
 * Creates an empty document (stored, so listed at once). 'exists': the name is taken; 'not-allowed': this
 * token may not create documents over the API (a JWT without admin there), and opening the name creates it.
 */
export async function createDocument(name: string, token: string | null): Promise<CreateOutcome> {
  try {
    await apiRequest(`/api/documents/${encodeURIComponent(name)}`, token, { method: 'POST' });
    return 'created';
  } catch (error) {
    if (error instanceof ApiError && error.code === 'already-exists') return 'exists';
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return 'not-allowed';
    throw error;
  }
}
