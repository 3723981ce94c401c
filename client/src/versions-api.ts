// The client side of the version-history API: list, save, preview, diff and restore versions of a document.
import type { Change, RestoreResult, VersionDiff, VersionMeta } from '../../common/api-types.ts';
import type { Thread } from '../../common/comments.ts';
import { apiRequest } from './api-request.ts';

export type { Change, VersionMeta };

/** A comment thread as it was in a version, with where it was anchored in that version's text. */
export type VersionThread = Thread & { anchored: { state: 'attached' | 'detached'; text: string } | null };

export interface VersionsApi {
  list(): Promise<VersionMeta[]>;
  save(label: string, author: string): Promise<VersionMeta>;
  /** The version rendered as HTML by the server (text escaped, script links dropped). */
  previewHTML(id: number): Promise<string>;
  changesSince(id: number): Promise<Change[]>;
  /** The comment threads the document had at that version. */
  threadsAt(id: number): Promise<VersionThread[]>;
  restore(id: number, author: string): Promise<RestoreResult>;
  /** Deletes one version for good (the document and its other versions stay). */
  remove(id: number): Promise<void>;
}

export function versionsApi(documentName: string, token: string | null): VersionsApi {
  const base = `/api/documents/${encodeURIComponent(documentName)}/versions`;
  const request = (path: string, init: RequestInit = {}): Promise<Response> => apiRequest(`${base}${path}`, token, init);
  return {
    async list() {
      const body = (await (await request('')).json()) as { versions: VersionMeta[] };
      return body.versions;
    },
    async save(label, author) {
      const body = (await (await request('', { method: 'POST', body: JSON.stringify({ label, author }) })).json()) as { version: VersionMeta };
      return body.version;
    },
    async previewHTML(id) {
      return (await request(`/${id}?format=html`)).text();
    },
    async changesSince(id) {
      const body = (await (await request(`/${id}/diff?to=now`)).json()) as VersionDiff;
      return body.changes;
    },
    async threadsAt(id) {
      const body = (await (await request(`/${id}`)).json()) as { threads?: VersionThread[] };
      // A server from before comments sends none.
      return body.threads ?? [];
    },
    async restore(id, author) {
      return (await (await request(`/${id}/restore`, { method: 'POST', body: JSON.stringify({ author }) })).json()) as RestoreResult;
    },
    async remove(id) {
      await request(`/${id}`, { method: 'DELETE' });
    },
  };
}

const KIND_NAMES: Record<VersionMeta['kind'], string> = {
  manual: 'Saved version',
  auto: 'Automatic version',
  'before-restore': 'Before a restore',
  imported: 'Imported',
};

/** The name a version is shown under: its label, or what kind of version it is. */
export function versionTitle(version: VersionMeta): string {
  return version.label.trim() !== '' ? version.label : KIND_NAMES[version.kind];
}
