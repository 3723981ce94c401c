// The client side of `GET /api/documents` (fetch, check the shape, order newest first) and of creating one.
import type { DocumentSummary, TrashedDocument } from '../../common/api-types.ts';
import { ApiError, apiRequest } from './api-request.ts';

export type { DocumentSummary, TrashedDocument };

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

const documentUrl = (name: string) => `/api/documents/${encodeURIComponent(name)}`;

/** Renames a document; throws an ApiError (`already-exists` when the new name is taken). */
export async function renameDocument(name: string, to: string, token: string | null): Promise<void> {
  await apiRequest(`${documentUrl(name)}/rename`, token, { method: 'POST', body: JSON.stringify({ to }) });
}

/** Moves a document to the trash; resolves with until when it can be restored. */
export async function deleteDocument(name: string, token: string | null): Promise<TrashedDocument> {
  return (await (await apiRequest(documentUrl(name), token, { method: 'DELETE' })).json()) as TrashedDocument;
}

/** The trash, most recently deleted first; null when this token may not see it (only admins may). */
export async function fetchTrash(token: string | null, signal?: AbortSignal): Promise<TrashedDocument[] | null> {
  try {
    const body = (await (await apiRequest('/api/trash', token, { signal: signal ?? null })).json()) as { documents?: unknown };
    if (!Array.isArray(body.documents)) throw new Error('the server sent the trash in an unexpected format');
    return body.documents as TrashedDocument[];
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) return null;
    throw error;
  }
}

/** Brings a deleted document back (the one deleted at `deletedAt`); throws an ApiError (`already-exists`, `not-found`). */
export async function restoreDocument(name: string, deletedAt: string, token: string | null): Promise<void> {
  await apiRequest(`${documentUrl(name)}/restore`, token, { method: 'POST', body: JSON.stringify({ deletedAt }) });
}
