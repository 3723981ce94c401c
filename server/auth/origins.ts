// Which browser origins may use the server: the rule shared by WebSocket upgrades, the REST API and its CORS.

export interface OriginPolicy {
  /** Every origin may connect: jwt mode without a list (tokens authenticate, embedding is the point), or `*`. */
  anyOrigin: boolean;
  /** --allowed-origins; pages served by the server itself (same origin) are allowed besides. */
  allowed: readonly string[];
}

export function originPolicy(config: { auth: 'none' | 'jwt'; allowedOrigins: readonly string[] }): OriginPolicy {
  const anyOrigin = config.allowedOrigins.includes('*') || (config.auth === 'jwt' && config.allowedOrigins.length === 0);
  return { anyOrigin, allowed: config.allowedOrigins };
}

/**
 * Why a request from `origin`, sent to `host`, is refused, or null when it may proceed. No Origin header
 * means no browser (curl, a Node provider), and no page to forge anything on the user's behalf.
 */
export function originProblem(policy: OriginPolicy, origin: string | undefined, host: string | undefined): string | null {
  if (origin === undefined || policy.anyOrigin) return null;
  if (sameOrigin(origin, host) || originListed(policy.allowed, origin)) return null;
  const listed = policy.allowed.length > 0 ? ' or one in --allowed-origins' : '';
  return `${origin} may not connect: only a page served by this server${listed} may (see --allowed-origins)`;
}

/**
 * True when `origin` is the page origin a browser would have for a request sent to `host`: the same
 * host and port, over http or https. The Host header is the only view of the address a browser used;
 * X-Forwarded-Host is not read, since without a proxy anyone can send it (a proxy that rewrites Host
 * needs --allowed-origins, or to rewrite Origin as well, as client/vite.config.ts does).
 */
export function sameOrigin(origin: string, host: string | undefined): boolean {
  // As in parseHost: URL parsing would read `x@y` as the host `y`.
  if (host === undefined || /[\s/?#@\\]/.test(host)) return false;
  let page: URL;
  try {
    page = new URL(origin);
  } catch {
    // `null` (a sandboxed frame, a file: page) and other opaque origins are never anyone's own.
    return false;
  }
  if (page.protocol !== 'http:' && page.protocol !== 'https:') return false;
  if (page.origin !== origin.toLowerCase().replace(/\/$/, '')) return false;
  try {
    // Parsed with the page's scheme so a default port compares equal whether or not Host spells it out.
    return new URL(`${page.protocol}//${host}`).host === page.host;
  } catch {
    return false;
  }
}

/** True when `origin` is on the list (case-insensitive, ignoring a trailing slash) or the list has `*`. */
export function originListed(allowed: readonly string[], origin: string): boolean {
  const wanted = normalize(origin);
  return allowed.some((entry) => entry === '*' || normalize(entry) === wanted);
}

function normalize(origin: string): string {
  return origin.trim().toLowerCase().replace(/\/+$/, '');
}
