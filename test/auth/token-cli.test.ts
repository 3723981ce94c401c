// `tandem token` mints tokens the server's verifier accepts, with the grants and lifetime asked for.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Command } from 'commander';
import { exportJWK, SignJWT } from 'jose';
import { loadVerificationKey } from '../../server/auth/keys.ts';
import { TokenVerifier } from '../../server/auth/tokens.ts';
import { registerTokenCommand } from '../../server/cli/token-command.ts';
import { mintToken, parseDuration } from '../../server/cli/token.ts';
import { makeConfig } from '../../server/config.ts';

const SECRET = 'token-cli-test-secret-long-enough-for-hs256';

async function run(args: string[], env: Record<string, string | undefined>): Promise<string> {
  let out = '';
  const program = new Command('tandem').exitOverride();
  registerTokenCommand(program, env, { write: (text) => (out += text) });
  await program.parseAsync(args, { from: 'user' });
  return out.trim();
}

test('tandem token --user alice --doc team-*:write', async () => {
  const token = await run(['token', '--user', 'alice', '--name', 'Alice A.', '--doc', 'team-*:write', '--doc', 'notes:read', '--expires-in', '2h'], { TANDEM_JWT_SECRET: SECRET });
  const verifier = new TokenVerifier({ key: loadVerificationKey(makeConfig({ auth: 'jwt', jwtSecret: SECRET })) });
  const identity = await verifier.verify(token);
  assert.equal(identity.userId, 'alice');
  assert.equal(identity.name, 'Alice A.');
  assert.deepEqual(identity.grants, { 'team-*': 'write', notes: 'read' });
  const lifetime = identity.expiresAt - Date.now();
  assert.ok(lifetime > 7_100_000 && lifetime <= 7_200_000, `lifetime ${lifetime}`);
});

test('the command refuses without a secret and with bad grants', async () => {
  await assert.rejects(run(['token', '--user', 'a'], {}), /TANDEM_JWT_SECRET/);
  await assert.rejects(run(['token', '--user', 'a', '--doc', 'x:owner'], { TANDEM_JWT_SECRET: SECRET }), /read, comment, write or admin/);
  await assert.rejects(mintToken({ secret: 'short', user: 'a', docs: [], expiresInSeconds: 60 }), /at least 32/);
});

test('durations', () => {
  assert.equal(parseDuration('90s'), 90);
  assert.equal(parseDuration('30m'), 1800);
  assert.equal(parseDuration('12h'), 43_200);
  assert.equal(parseDuration('7d'), 604_800);
  assert.equal(parseDuration('45'), 45);
  assert.throws(() => parseDuration('soon'), /duration/);
  assert.throws(() => parseDuration('0s'), /at least one second/);
});

test('JWKS and EC public keys verify their own tokens and pin their algorithms', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tandem-keys-'));
  try {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const ecKey = loadVerificationKey(makeConfig({ auth: 'jwt', jwtPublicKey: pem }));
    assert.deepEqual(ecKey.algorithms, ['ES256']);
    const ecToken = await new SignJWT({ docs: { '*': 'read' } }).setProtectedHeader({ alg: 'ES256' }).setSubject('e').setExpirationTime('1h').sign(ec.privateKey);
    assert.equal((await new TokenVerifier({ key: ecKey }).verify(ecToken)).userId, 'e');

    const ed = generateKeyPairSync('ed25519');
    const jwk = { ...(await exportJWK(ed.publicKey)), kid: 'k1' };
    const jwksFile = join(dir, 'jwks.json');
    await writeFile(jwksFile, JSON.stringify({ keys: [jwk] }));
    const jwksKey = loadVerificationKey(makeConfig({ auth: 'jwt', jwtJwksFile: jwksFile }));
    assert.deepEqual(jwksKey.algorithms, ['EdDSA']);
    const edToken = await new SignJWT({ docs: {} }).setProtectedHeader({ alg: 'EdDSA', kid: 'k1' }).setSubject('d').setExpirationTime('1h').sign(ed.privateKey);
    assert.equal((await new TokenVerifier({ key: jwksKey }).verify(edToken)).userId, 'd');

    await writeFile(jwksFile, JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0', alg: 'HS256' }] }));
    assert.throws(() => loadVerificationKey(makeConfig({ auth: 'jwt', jwtJwksFile: jwksFile })), /symmetric/);
    assert.throws(() => loadVerificationKey(makeConfig({ auth: 'jwt', jwtPublicKey: join(dir, 'missing.pem') })), /cannot read/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
