// Pure codec for the proof a relay connection carries: an HMAC of the document and a timestamp, keyed with the
// cluster secret, so only instances of this cluster can open relays, and a captured header expires.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const RELAY_PATH = '/cluster/relay';
export const RELAY_PROOF_HEADER = 'x-tandem-relay';

// Covers clock skew between instances and the time an upgrade takes.
const MAX_AGE_MS = 60_000;

export function relayProof(secret: string, documentName: string, now = Date.now()): string {
  return `${now}.${sign(secret, documentName, now)}`;
}

/** Whether `proof` was made with `secret` for `documentName` within the last minute. */
export function relayProofValid(secret: string, documentName: string, proof: string | undefined, now = Date.now()): boolean {
  if (!proof) return false;
  const dot = proof.indexOf('.');
  const at = Number(proof.slice(0, dot));
  if (dot <= 0 || !Number.isSafeInteger(at) || Math.abs(now - at) > MAX_AGE_MS) return false;
  const expected = Buffer.from(sign(secret, documentName, at));
  const given = Buffer.from(proof.slice(dot + 1));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function relayUrl(ownerUrl: string, documentName: string): string {
  const url = new URL(RELAY_PATH, ownerUrl);
  url.searchParams.set('document', documentName);
  return url.toString();
}

function sign(secret: string, documentName: string, at: number): string {
  return createHmac('sha256', secret).update(`${documentName}\n${at}`).digest('base64url');
}
