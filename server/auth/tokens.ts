// Verifies a JWT (pinned algorithm, exp required, aud/iss when configured) into the caller's identity.
import { errors, jwtVerify } from 'jose';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { PERMISSIONS, type Grants } from './permissions.ts';
import type { VerificationKey } from './keys.ts';

/** Longer tokens are refused before any parsing: a provider's token is a few hundred bytes. */
export const MAX_TOKEN_LENGTH = 8 * 1024;

export interface Identity {
  /** The `sub` claim. */
  userId: string;
  /** The `name` claim, or `sub` when absent: what other clients see in presence. */
  name: string;
  grants: Grants;
  /** When the token stops being valid (ms since the epoch). */
  expiresAt: number;
}

export interface TokenVerifierOptions {
  key: VerificationKey;
  audience?: string;
  issuer?: string;
}

const claimsSchema = z.object({
  sub: z.string().min(1).max(256),
  name: z.string().min(1).max(100).optional(),
  exp: z.number(),
  docs: z
    .record(z.string().min(1).max(256), z.enum(PERMISSIONS))
    .refine((docs) => Object.keys(docs).length <= 256, 'at most 256 document patterns'),
});

export class TokenVerifier {
  #options: TokenVerifierOptions;

  constructor(options: TokenVerifierOptions) {
    this.#options = options;
  }

  /** The identity a token proves; rejects with an `unauthorized` AppError whose message never quotes the token. */
  async verify(token: string): Promise<Identity> {
    if (token.length === 0) throw new AppError('unauthorized', 'a token is required');
    if (token.length > MAX_TOKEN_LENGTH) throw new AppError('unauthorized', `token longer than ${MAX_TOKEN_LENGTH} bytes`);
    const { key, algorithms } = this.#options.key;
    const checks = { algorithms, audience: this.#options.audience, issuer: this.#options.issuer, requiredClaims: ['exp', 'sub'] };
    let payload: unknown;
    try {
      // A key set picks its key by the token's `kid`; jose has one overload for each kind of key.
      ({ payload } = typeof key === 'function' ? await jwtVerify(token, key, checks) : await jwtVerify(token, key, checks));
    } catch (error) {
      throw new AppError('unauthorized', describeJoseError(error), { cause: error });
    }
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) {
      const path = claims.error.issues[0]?.path.join('.') ?? '';
      throw new AppError('unauthorized', `token claims invalid${path ? ` at "${path}"` : ''}`);
    }
    const { sub, name, exp, docs } = claims.data;
    return { userId: sub, name: name ?? sub, grants: docs, expiresAt: exp * 1000 };
  }
}

function describeJoseError(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'token not valid yet (nbf)';
    if (error.reason === 'missing') return `token lacks the required "${error.claim}" claim`;
    return `token "${error.claim}" claim rejected`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return 'token signed with an algorithm this server does not accept';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'token signature invalid';
  if (error instanceof errors.JWKSNoMatchingKey) return 'token signed with an unknown key';
  return 'token malformed';
}
