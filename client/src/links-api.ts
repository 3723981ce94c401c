// The client side of the share-link API: list, create and revoke a document's links.
import type { ShareLinkInfo } from '../../common/api-types.ts';

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
    const headers: Record<string, string> = { accept: 'application/json' };
    if (token !== null) headers['authorization'] = `Bearer ${token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, { ...init, headers });
    } catch (error) {
      throw new Error('the server could not be reached', { cause: error });
    }
    const body: unknown = await response.json().catch(() => null);
    if (response.ok) return body as ShareLinkInfo & { links?: ShareLinkInfo[] };
    const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const message = typeof error?.message === 'string' && error.message !== '' ? error.message : `the server answered ${response.status}`;
    if (error?.code === 'sharing-unavailable') throw new LinksUnavailable('open-server', message);
    if (response.status === 401 || response.status === 403) throw new LinksUnavailable('not-admin', message);
    throw new Error(message);
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
