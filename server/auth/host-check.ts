// Which names in a request's Host header the server answers to: the defence against DNS rebinding.
import { isIP } from 'node:net';

/**
 * A DNS-rebinding page runs on the attacker's own name, re-pointed at 127.0.0.1: the browser then treats
 * Tandem as same-origin with it. Only the Host header tells such a request apart, so names are checked.
 */
export interface HostPolicy {
  /** False when every Host is served: a non-loopback address without --allowed-hosts, or `*` in it. */
  enforced: boolean;
  /** The listening address (--host), always served. */
  boundHost: string;
  /** --allowed-hosts: `name`, `name:port`, or `.domain` for the domain and its subdomains. */
  allowed: readonly string[];
}

export function hostPolicy(config: { host: string; allowedHosts: readonly string[] }): HostPolicy {
  const enforced = !config.allowedHosts.includes('*') && (isLoopback(config.host) || config.allowedHosts.length > 0);
  return { enforced, boundHost: normalizeName(config.host), allowed: config.allowedHosts.map((entry) => entry.toLowerCase()) };
}

/** localhost, *.localhost, 127.0.0.0/8 and ::1: names that can only ever mean this machine. */
export function isLoopback(host: string): boolean {
  const name = normalizeName(host);
  return name === 'localhost' || name.endsWith('.localhost') || name === '::1' || (isIP(name) === 4 && name.startsWith('127.'));
}

/**
 * Why a request addressed to `header` is not served, or null when it is. An IP address is always served:
 * rebinding needs a name the attacker controls, and a page on an IP address is not on one. A request with
 * no Host at all (HTTP/1.0) is served too: every browser sends one.
 */
export function hostProblem(policy: HostPolicy, header: string | undefined): string | null {
  if (!policy.enforced || header === undefined) return null;
  const parsed = parseHost(header);
  if (!parsed) return 'the Host header is not a valid host name';
  const { name, port } = parsed;
  if (isLoopback(name) || isIP(name) !== 0 || name === policy.boundHost) return null;
  const listed = policy.allowed.some((entry) => {
    if (entry.startsWith('.')) return name === entry.slice(1) || name.endsWith(entry);
    return entry === name || entry === `${name}:${port}` || entry === `[${name}]:${port}`;
  });
  if (listed) return null;
  return `this server does not answer to the name "${name}"; if it should, add it to --allowed-hosts`;
}

/** The lowercase name (no brackets, no trailing dot) and port of a Host header; null when malformed. */
export function parseHost(header: string): { name: string; port: string } | null {
  // URL parsing would read `evil@x` or `x/y` as the host `x`: refuse anything a host cannot contain.
  if (header === '' || /[\s/?#@\\]/.test(header)) return null;
  try {
    const url = new URL(`http://${header}`);
    return { name: normalizeName(url.hostname), port: url.port };
  } catch {
    return null;
  }
}

function normalizeName(host: string): string {
  return host.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}
