// Who a request comes from: the socket's peer, or, when that peer is a trusted proxy, the address it forwarded.
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/** The client's IP address for rate limits and logs. */
export type ClientAddress = (request: IncomingMessage) => string;

/**
 * A resolver that believes X-Forwarded-For only from `trustedProxies` (addresses, CIDR ranges, or proxy-addr's
 * `loopback`, `linklocal`, `uniquelocal`). Walking the header from the nearest hop, the first address that is
 * not a trusted proxy is the client: entries before it were written by whoever sent the request, so a
 * client cannot spoof its way past a rate limit. With no trusted proxies the header is never read.
 */
export function createClientAddress(trustedProxies: readonly string[]): ClientAddress {
  if (trustedProxies.length === 0) return socketAddress;
  // Compiled once: the parsed ranges are matched per request.
  const trust = proxyaddr.compile([...trustedProxies]);
  return (request) => (request.socket.remoteAddress === undefined ? socketAddress(request) : proxyaddr(request, trust));
}

/** The peer of the socket; a socket closed before it was asked has none. */
export function socketAddress(request: IncomingMessage): string {
  return request.socket.remoteAddress ?? 'unknown';
}
