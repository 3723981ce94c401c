// HTTP middleware in front of every route: refuses a forged Host (DNS rebinding) or a foreign page's Origin.
import type { MiddlewareHandler } from 'hono';
import { refuseRequest, type RequestPolicy } from '../auth/request-guard.ts';
import type { Logger } from '../log.ts';

// A hostile page can repeat a refused request in a loop: warn once per origin or host, then log at debug.
const MAX_REMEMBERED = 1_000;

/**
 * Every request, not only the API: a refused page must get nothing, and a state-changing "simple" request
 * (a form post, a `no-cors` fetch) must not reach its route, since CORS only hides the answer.
 */
export function requestGuard(policy: RequestPolicy, log: Logger): MiddlewareHandler {
  const warned = new Set<string>();
  return async (c, next) => {
    const headers = { host: c.req.header('host'), origin: c.req.header('origin') };
    const refusal = refuseRequest(policy, headers);
    if (refusal) {
      const key = `${refusal.code} ${refusal.code === 'host-not-allowed' ? headers.host : headers.origin}`;
      const first = warned.size < MAX_REMEMBERED && !warned.has(key);
      if (first) warned.add(key);
      log[first ? 'warn' : 'debug']({ ...headers, code: refusal.code, method: c.req.method, path: c.req.path }, 'HTTP request refused');
      throw refusal;
    }
    await next();
  };
}
