// Loads the key tokens are verified with (HS256 secret, public key PEM or JWKS file) and pins its algorithms.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';

export interface VerificationKey {
  key: Uint8Array | KeyObject | JWTVerifyGetKey;
  /** The only `alg` values accepted: never `none`, never HS* for a public key (key confusion). */
  algorithms: string[];
}

/** The verification key of jwt mode; throws a `config-invalid` AppError naming the setting. */
export function loadVerificationKey(config: Config): VerificationKey {
  if (config.jwtSecret !== undefined) {
    return { key: new TextEncoder().encode(config.jwtSecret), algorithms: ['HS256'] };
  }
  if (config.jwtPublicKey !== undefined) return publicKeyFrom(config.jwtPublicKey);
  if (config.jwtJwksFile !== undefined) return jwksFrom(config.jwtJwksFile);
  throw new AppError('config-invalid', '--auth jwt needs --jwt-secret, --jwt-public-key or --jwt-jwks-file');
}

function publicKeyFrom(value: string): VerificationKey {
  const pem = value.trimStart().startsWith('-----BEGIN') ? value : readSetting('--jwt-public-key', value);
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new AppError('config-invalid', '--jwt-public-key / TANDEM_JWT_PUBLIC_KEY: not a PEM public key', { cause: error });
  }
  const algorithm = algorithmOfKey(key.asymmetricKeyType, key.asymmetricKeyDetails?.namedCurve);
  if (!algorithm) {
    throw new AppError('config-invalid', `--jwt-public-key: unsupported key type ${key.asymmetricKeyType ?? 'unknown'}`);
  }
  return { key, algorithms: [algorithm] };
}

function jwksFrom(path: string): VerificationKey {
  let jwks: JSONWebKeySet;
  try {
    jwks = JSON.parse(readSetting('--jwt-jwks-file', path)) as JSONWebKeySet;
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('config-invalid', `--jwt-jwks-file: ${path} is not JSON`, { cause: error });
  }
  if (!Array.isArray(jwks.keys) || jwks.keys.length === 0) {
    throw new AppError('config-invalid', `--jwt-jwks-file: ${path} has no "keys"`);
  }
  const algorithms = new Set<string>();
  for (const jwk of jwks.keys) {
    // A shared secret in a key set would let anyone holding the set sign tokens.
    if (jwk.kty === 'oct') throw new AppError('config-invalid', '--jwt-jwks-file: symmetric ("oct") keys are not accepted');
    const algorithm = jwk.alg ?? algorithmOfJwk(jwk);
    if (!algorithm || algorithm.startsWith('HS') || algorithm === 'none') {
      throw new AppError('config-invalid', `--jwt-jwks-file: key ${jwk.kid ?? '(no kid)'} has no usable "alg"`);
    }
    algorithms.add(algorithm);
  }
  return { key: createLocalJWKSet(jwks), algorithms: [...algorithms] };
}

function algorithmOfKey(type: string | undefined, curve: string | undefined): string | null {
  if (type === 'rsa') return 'RS256';
  if (type === 'rsa-pss') return 'PS256';
  if (type === 'ed25519') return 'EdDSA';
  if (type === 'ec') return curve === 'prime256v1' ? 'ES256' : curve === 'secp384r1' ? 'ES384' : curve === 'secp521r1' ? 'ES512' : null;
  return null;
}

function algorithmOfJwk(jwk: JWK): string | null {
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  if (jwk.kty === 'EC') return jwk.crv === 'P-256' ? 'ES256' : jwk.crv === 'P-384' ? 'ES384' : jwk.crv === 'P-521' ? 'ES512' : null;
  return null;
}

function readSetting(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new AppError('config-invalid', `${flag}: cannot read ${path}`, { cause: error });
  }
}
