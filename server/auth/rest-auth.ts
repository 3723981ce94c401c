// Hono middleware for /api/* (the admin token, or a JWT with admin on the route's document; read is enough to
// download its export) and for /metrics.
import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { decodeDocumentName } from '../../common/names.ts';
import { AppError } from '../errors.ts';
import { allows, permissionFor } from './permissions.ts';
import type { TokenVerifier } from './tokens.ts';

export interface ApiAuthOptions {
  /** Null in `none` mode: the API is open (the server then listens on loopback unless told otherwise). */
  verifier: TokenVerifier | null;
  adminToken?: string;
}

// Per-document routes: /api/documents/:name and everything below it.
const DOCUMENT_ROUTE = /^\/api\/documents\/([^/]+)/;
// Anyone who may open a document may download it: its export shows no more than the editor does.
const EXPORT_ROUTE = /^\/api\/documents\/[^/]+\/export$/;

/** What the API middleware tells the routes after it: who is calling (for "created by"). */
export interface ApiVariables {
  /** The token's `sub`, `admin-token`, or `anonymous` in `none` mode. */
  caller: string;
}

/** Refuses with 401 (no or bad credentials) or 403 (valid, but not enough here); errors render in routes.ts. */
export function apiAuth(options: ApiAuthOptions): MiddlewareHandler<{ Variables: ApiVariables }> {
  return async (c, next) => {
    const { verifier, adminToken } = options;
    c.set('caller', 'anonymous');
    if (!verifier) return next();
    if (c.req.method === 'OPTIONS') return next();
    const token = bearerToken(c, 'admin token or JWT');
    if (adminToken !== undefined && sameSecret(token, adminToken)) {
      c.set('caller', 'admin-token');
      return next();
    }

    // Bad credentials are 401 whatever the route; valid ones without the right grant are 403.
    const identity = await verifier.verify(token);
    // The raw path: Hono's `c.req.path` is already partly decoded, and the name is decoded exactly once here.
    const path = new URL(c.req.url).pathname;
    const documentMatch = DOCUMENT_ROUTE.exec(path);
    if (!documentMatch) throw new AppError('forbidden', 'this route needs the admin token');
    const { name, problem } = decodeDocumentName(documentMatch[1] as string);
    if (name === null) throw new AppError('invalid-document-name', problem);
    const needed = c.req.method === 'GET' && EXPORT_ROUTE.test(path) ? 'read' : 'admin';
    if (!allows(permissionFor(identity.grants, name), needed)) {
      throw new AppError('forbidden', `the token does not grant ${needed} on "${name}"`);
    }
    c.set('caller', identity.userId);
    return next();
  };
}

export interface MetricsAuthOptions {
  auth: 'none' | 'jwt';
  adminToken?: string;
  metricsToken?: string;
}

/**
 * GET /metrics: open in `none` mode (like the API) unless --metrics-token is set; otherwise the metrics token
 * or the admin token. A JWT never opens it: the figures cover every document, not the ones a token grants.
 */
export function metricsAuth(options: MetricsAuthOptions): MiddlewareHandler {
  const accepted = [options.metricsToken, options.adminToken].filter((token): token is string => token !== undefined);
  const required = options.auth === 'jwt' || options.metricsToken !== undefined;
  return async (c, next) => {
    if (!required) return next();
    const token = bearerToken(c, 'metrics token or admin token');
    if (!accepted.some((secret) => sameSecret(token, secret))) {
      c.header('WWW-Authenticate', 'Bearer');
      const hint = accepted.length === 0 ? '; in jwt mode, set --metrics-token or --admin-token to scrape' : '';
      throw new AppError('unauthorized', `/metrics needs the metrics token or the admin token${hint}`);
    }
    return next();
  };
}

/** The request's bearer token; 401 with a WWW-Authenticate challenge when there is none. */
function bearerToken(c: Context, expected: string): string {
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
  if (!match) {
    c.header('WWW-Authenticate', 'Bearer');
    throw new AppError('unauthorized', `send Authorization: Bearer <${expected}>`);
  }
  return match[1] as string;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  // Compare in constant time so the token cannot be guessed byte by byte from response times.
  return a.length === b.length && timingSafeEqual(a, b);
}

