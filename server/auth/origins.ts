// The browser-origin allowlist shared by WebSocket upgrades and the REST API's CORS.

/**
 * True when a request from `origin` may proceed. An empty list allows every origin; a request without an
 * Origin header (not a browser) is allowed too, since only browsers send one and tokens, not origins,
 * authenticate. Comparison ignores case and a trailing slash.
 */
export function originAllowed(allowed: readonly string[], origin: string | undefined): boolean {
  if (allowed.length === 0 || origin === undefined || allowed.includes('*')) return true;
  const wanted = normalize(origin);
  return allowed.some((entry) => normalize(entry) === wanted);
}

function normalize(origin: string): string {
  return origin.trim().toLowerCase().replace(/\/+$/, '');
}
