// Mints HS256 development tokens in the claims format Tandem verifies (`sub`, `name`, `docs`, `exp`).
import { SignJWT } from 'jose';
import { parseGrant, type Grants, type Permission } from '../auth/permissions.ts';

export interface MintOptions {
  /** The HS256 secret the server was started with (--jwt-secret). */
  secret: string;
  user: string;
  name?: string;
  /** Grants as `pattern:permission`, e.g. `team-*:write`. */
  docs: readonly string[];
  /** Lifetime in seconds. */
  expiresInSeconds: number;
  audience?: string;
  issuer?: string;
  /** Seconds since the epoch; tests pass a fixed clock. */
  now?: number;
}

/** A signed token; throws on a malformed grant or a secret too short for HS256. */
export async function mintToken(options: MintOptions): Promise<string> {
  if (options.secret.length < 32) throw new Error('the secret must be at least 32 characters (as --jwt-secret requires)');
  if (!options.user) throw new Error('--user is required');
  const docs: Record<string, Permission> = {};
  for (const grant of options.docs) {
    const [pattern, permission] = parseGrant(grant);
    docs[pattern] = permission;
  }
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ name: options.name ?? options.user, docs: docs satisfies Grants })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.user)
    .setIssuedAt(now)
    .setExpirationTime(now + options.expiresInSeconds);
  if (options.audience) jwt.setAudience(options.audience);
  if (options.issuer) jwt.setIssuer(options.issuer);
  return jwt.sign(new TextEncoder().encode(options.secret));
}

/** Parses durations like `90s`, `30m`, `12h`, `7d` (a bare number is seconds). */
export function parseDuration(text: string): number {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration such as 30m, 12h or 7d`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * unit;
  if (seconds <= 0) throw new Error('a token must live at least one second');
  return seconds;
}
