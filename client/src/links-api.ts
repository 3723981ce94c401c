// The client side of the share-link API: list, create and revoke a document's links.
import type { ShareLinkInfo } from '../../common/api-types.ts';
import { ApiError, apiRequest } from './api-request.ts';

export type { ShareLinkInfo };

/** Why links cannot be managed here: the server has no access control, or this user is not an admin. */
export class LinksUnavailable extends Error {
  readonly reason: 'open-server' | 'not-admin';

  constructor(reason: 'open-server' | 'not-admin', message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface LinksApi {
  list(): Promise<ShareLinkInfo[]>;
  create(role: ShareLinkInfo['role'], expiresInSeconds: number | null): Promise<ShareLinkInfo>;
  revoke(id: string): Promise<ShareLinkInfo>;
}

export function linksApi(documentName: string, token: string | null): LinksApi {
  const base = `/api/documents/${encodeURIComponent(documentName)}/links`;
  const request = async (path: string, init: RequestInit = {}): Promise<ShareLinkInfo & { links?: ShareLinkInfo[] }> => {
    try {
      return (await (await apiRequest(`${base}${path}`, token, init)).json()) as ShareLinkInfo & { links?: ShareLinkInfo[] };
    } catch (error) {
      if (error instanceof ApiError && error.code === 'sharing-unavailable') throw new LinksUnavailable('open-server', error.message);
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) throw new LinksUnavailable('not-admin', error.message);
      throw error;
    }
  };
  return {
    async list() {
      return (await request('')).links ?? [];
    },
    create(role, expiresInSeconds) {
      return request('', { method: 'POST', body: JSON.stringify({ role, expiresInSeconds }) });
    },
    revoke(id) {
      return request(`/${encodeURIComponent(id)}`, { method: 'DELETE' });
    },
  };
}
