// The one decision on a request's Host and Origin headers, for HTTP routes and WebSocket upgrades alike.
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { hostPolicy, hostProblem, type HostPolicy } from './host-check.ts';
import { originPolicy, originProblem, type OriginPolicy } from './origins.ts';

export interface RequestPolicy {
  host: HostPolicy;
  origin: OriginPolicy;
}

/** The headers the decision reads; Node's IncomingHttpHeaders fits as it is. */
export interface RequestHeaders {
  host?: string | undefined;
  origin?: string | undefined;
}

export function requestPolicy(config: Pick<Config, 'host' | 'allowedHosts' | 'auth' | 'allowedOrigins'>): RequestPolicy {
  return { host: hostPolicy(config), origin: originPolicy(config) };
}

/**
 * The error to refuse a request with, or null when it may proceed. The Host is checked first: the
 * same-origin rule trusts it, and a rebinding page's requests are same-origin by construction.
 */
export function refuseRequest(policy: RequestPolicy, headers: RequestHeaders): AppError | null {
  const hostIssue = hostProblem(policy.host, headers.host);
  if (hostIssue) return new AppError('host-not-allowed', hostIssue);
  const originIssue = originProblem(policy.origin, headers.origin, headers.host);
  if (originIssue) return new AppError('origin-not-allowed', originIssue);
  return null;
}

/** The Access-Control-Allow-Origin value for a request, or null to grant nothing. */
export function corsGrant(policy: RequestPolicy, headers: RequestHeaders): string | null {
  if (headers.origin === undefined || headers.origin === '' || refuseRequest(policy, headers)) return null;
  return headers.origin;
}
