// Webhook signatures: `Tandem-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Tandem-Signature';
export const EVENT_ID_HEADER = 'Tandem-Event-Id';
/** Receivers refuse signatures older than this: a captured request cannot be replayed later. */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

/** The header value for `body` sent at `timestampSeconds`. */
export function signPayload(secret: string, timestampSeconds: number, body: string): string {
  return `t=${timestampSeconds},v1=${hmacHex(secret, timestampSeconds, body)}`;
}

export type VerifyResult = { ok: true; timestamp: number } | { ok: false; reason: string };

/** What a receiver does: recompute the HMAC over the raw body and refuse stale timestamps. */
export function verifySignature(
  secret: string,
  header: string | null | undefined,
  body: string,
  nowSeconds = Math.floor(Date.now() / 1000),
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): VerifyResult {
  if (!header) return { ok: false, reason: 'no signature header' };
  const parts = new Map<string, string[]>();
  for (const item of header.split(',')) {
    const at = item.indexOf('=');
    if (at <= 0) continue;
    const key = item.slice(0, at).trim();
    parts.set(key, [...(parts.get(key) ?? []), item.slice(at + 1).trim()]);
  }
  const timestamp = Number(parts.get('t')?.[0]);
  if (!Number.isInteger(timestamp)) return { ok: false, reason: 'no timestamp' };
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return { ok: false, reason: 'timestamp outside the tolerance' };
  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
  // Several v1 values are allowed so a secret can be rotated with two signatures during the change.
  for (const candidate of parts.get('v1') ?? []) {
    const given = Buffer.from(candidate, 'hex');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true, timestamp };
  }
  return { ok: false, reason: 'signature mismatch' };
}

function hmacHex(secret: string, timestampSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
}
