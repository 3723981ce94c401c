// REST API for share links under /api/documents/:name/links: create, list, revoke (admin of the document).
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { ShareLinkInfo } from '../../common/api-types.ts';
import type { ApiVariables } from '../auth/rest-auth.ts';
import { AppError } from '../errors.ts';
import { LINK_ROLES } from '../storage/share-link-store.ts';
import { limitJsonBody } from '../http/body-limit.ts';
import { documentNameOf } from '../http/document-name.ts';
import { jsonBody } from '../http/json-body.ts';
import { MAX_LINK_SECONDS, type PublishedLink, type ShareLinks } from './share-links.ts';

const newLinkSchema = z.object({
  role: z.enum(LINK_ROLES),
  expiresInSeconds: z.number().int().positive().max(MAX_LINK_SECONDS).nullable().default(null),
});

/** Null `links`: --auth none, where everyone who reaches the server may already edit every document. */
export function createLinkRoutes(links: ShareLinks | null): Hono<{ Variables: ApiVariables }> {
  const api = new Hono<{ Variables: ApiVariables }>();
  const available = (): ShareLinks => {
    if (links) return links;
    throw new AppError(
      'sharing-unavailable',
      'this server runs with --auth none: everyone who can reach it can read and edit every document, so there is nothing to share; share links need --auth jwt',
    );
  };

  api.post('/api/documents/:name/links', limitJsonBody, async (c) => {
    const sharing = available();
    const document = documentNameOf(c);
    const parsed = newLinkSchema.safeParse(await jsonBody(c));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new AppError('bad-request', `"${issue.path.join('.') || 'body'}": ${issue.message}`);
    }
    const link = await sharing.create({ document, ...parsed.data, createdBy: c.get('caller') });
    return c.json(withUrl(c, link), 201);
  });

  api.get('/api/documents/:name/links', async (c) => {
    const document = documentNameOf(c);
    return c.json({ links: (await available().list(document)).map((link) => withUrl(c, link)) });
  });

  api.delete('/api/documents/:name/links/:id', async (c) => {
    const document = documentNameOf(c);
    return c.json(withUrl(c, await available().revoke(document, c.req.param('id'))));
  });

  return api;
}

/**
 * The link's URL on this server: the editor's page with the token in the fragment, which browsers never send
 * to a server (no access logs, no Referer).
 */
function withUrl(c: Context, link: PublishedLink): ShareLinkInfo {
  // Behind a proxy the request's origin may be an inner one: the editor builds its URL from `path`.
  const path = link.token ? `/d/${encodeURIComponent(link.document)}#share=${link.token}` : null;
  return { ...link, path, url: path ? new URL(c.req.url).origin + path : null };
}
