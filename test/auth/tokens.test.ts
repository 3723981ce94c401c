// Bad tokens over real sockets: each refused with its reason, nothing applied, nothing stored, nothing logged.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import * as Y from 'yjs';
import { mintToken } from '../../server/cli/token.ts';
import { connectClient, waitFor } from '../helpers/providers.ts';
import { connectRaw, SYNC, syncFrame } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const SECRET = 'test-secret-that-is-long-enough-for-hs256';
const now = () => Math.floor(Date.now() / 1000);
const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Sends `token` for `documentName`, then an edit anyway; returns the auth reply. */
async function attempt(server: TestServer, documentName: string, token: string) {
  const client = await connectRaw(server.wsUrl);
  try {
    const reply = await client.authenticate(documentName, token);
    const doc = new Y.Doc();
    doc.getText('t').insert(0, 'should never be stored');
    client.send(syncFrame(documentName, SYNC.update, Y.encodeStateAsUpdate(doc)));
    return reply;
  } finally {
    client.close();
  }
}

async function assertRefused(server: TestServer, documentName: string, token: string, reason: RegExp) {
  const reply = await attempt(server, documentName, token);
  assert.equal(reply.authType, 1, `expected permission denied, got ${JSON.stringify(reply)}`);
  assert.match(reply.text ?? '', reason);
  assert.equal(await server.app.store.getMeta(documentName), undefined, 'nothing may be stored');
  assert.equal(server.app.hocuspocus.documents.has(documentName), false, 'the document must not even load');
}

describe('HS256 server', () => {
  let server: TestServer;
  const tokens: string[] = [];
  const hs256 = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(SECRET));
  const valid = async (docs: Record<string, string>, extra: Record<string, unknown> = {}) => {
    const token = await hs256({ sub: 'alice', name: 'Alice', docs, exp: now() + 600, ...extra });
    tokens.push(token);
    return token;
  };

  before(async () => {
    server = await startServer({ auth: 'jwt', jwtSecret: SECRET, jwtAudience: 'tandem', jwtIssuer: 'https://issuer.test' });
  });
  after(async () => {
    // Neither tokens nor document content ever reach the logs.
    await server.close();
    const logs = server.rawLogs();
    for (const token of tokens) {
      assert.ok(!logs.includes(token), 'a token appeared in the logs');
      const signature = token.split('.')[2]!;
      if (signature) assert.ok(!logs.includes(signature), 'a token signature appeared in the logs');
    }
    assert.ok(!logs.includes('should never be stored'));
    assert.ok(!logs.includes('secret content'));
    assert.ok(!logs.includes(SECRET));
  });

  const claims = { aud: 'tandem', iss: 'https://issuer.test' };

  test('a valid token opens the document with write access, and the content is saved', async () => {
    const token = await valid({ 'team-*': 'write' }, claims);
    const client = await connectClient(server.wsUrl, 'team-a', { token });
    try {
      client.doc.getText('t').insert(0, 'secret content');
      await waitFor(() => client.provider.unsyncedChanges === 0, 10_000, 'save');
      assert.ok((await server.app.store.getMeta('team-a'))!.bytes > 0);
    } finally {
      client.destroy();
    }
  });

  test('alg "none" is refused', async () => {
    const token = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'mallory', docs: { '*': 'admin' }, exp: now() + 600, ...claims })}.`;
    tokens.push(token);
    await assertRefused(server, 'alg-none', token, /^unauthorized: token (signed with an algorithm|malformed)/);
  });

  test('an expired token is refused', async () => {
    await assertRefused(server, 'expired', await valid({ '*': 'write' }, { ...claims, exp: now() - 60 }), /^unauthorized: token expired/);
  });

  test('a token not valid yet (nbf in the future) is refused', async () => {
    await assertRefused(server, 'nbf', await valid({ '*': 'write' }, { ...claims, nbf: now() + 3600 }), /^unauthorized: token not valid yet/);
  });

  test('a token without exp is refused', async () => {
    const token = await hs256({ sub: 'alice', docs: { '*': 'write' }, ...claims });
    tokens.push(token);
    await assertRefused(server, 'no-exp', token, /^unauthorized: token lacks the required "exp" claim/);
  });

  test('a token for another audience or issuer is refused', async () => {
    await assertRefused(server, 'aud', await valid({ '*': 'write' }, { ...claims, aud: 'someone-else' }), /^unauthorized: token "aud" claim rejected/);
    await assertRefused(server, 'iss', await valid({ '*': 'write' }, { ...claims, iss: 'https://evil.test' }), /^unauthorized: token "iss" claim rejected/);
  });

  test('a token for document A does not open document B', async () => {
    await assertRefused(server, 'doc-b', await valid({ 'doc-a': 'write' }, claims), /^forbidden: the token grants no access to "doc-b"/);
  });

  test('a tampered payload is refused', async () => {
    const token = await valid({ 'doc-a': 'read' }, claims);
    const [header, , signature] = token.split('.');
    const forged = `${header}.${base64url({ sub: 'alice', docs: { '*': 'admin' }, exp: now() + 600, ...claims })}.${signature}`;
    tokens.push(forged);
    await assertRefused(server, 'tampered', forged, /^unauthorized: token signature invalid/);
  });

  test('a 16 KB token is refused before it is parsed', async () => {
    const token = await valid({ '*': 'write' }, { ...claims, padding: 'x'.repeat(16 * 1024) });
    assert.ok(token.length > 16 * 1024);
    await assertRefused(server, 'huge-token', token, /^unauthorized: token longer than 8192 bytes/);
  });

  test('a token signed with a different secret is refused', async () => {
    const token = await mintToken({ secret: 'another-secret-that-is-also-long-enough', user: 'x', docs: ['*:admin'], expiresInSeconds: 600, ...{ audience: 'tandem', issuer: 'https://issuer.test' } });
    tokens.push(token);
    await assertRefused(server, 'other-secret', token, /^unauthorized: token signature invalid/);
  });

  test('the provider hears the reason and applies nothing on the server', async () => {
    const doc = new Y.Doc();
    doc.getText('t').insert(0, 'should never be stored');
    const client = await connectClient(server.wsUrl, 'provider-refused', { doc, token: 'not-a-jwt', waitForSync: false });
    try {
      const reason = await new Promise<string>((resolve) => client.provider.on('authenticationFailed', ({ reason }: { reason: string }) => resolve(reason)));
      assert.match(reason, /^unauthorized: token malformed/);
      assert.equal(await server.app.store.getMeta('provider-refused'), undefined);
    } finally {
      client.destroy();
    }
  });

  test('document-name rules are enforced before the token is looked at', async () => {
    const reply = await attempt(server, 'bad\u0001name', await valid({ '*': 'write' }, claims));
    assert.equal(reply.authType, 1);
    assert.match(reply.text ?? '', /^invalid-document-name: a document name must not contain control characters/);
  });
});

describe('RS256 server', () => {
  let server: TestServer;
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

  before(async () => {
    server = await startServer({ auth: 'jwt', jwtPublicKey: publicPem });
  });
  after(async () => {
    await server.close();
  });

  test('an RS256 token signed with the private key is accepted', async () => {
    const token = await new SignJWT({ docs: { '*': 'write' } }).setProtectedHeader({ alg: 'RS256' }).setSubject('bob').setExpirationTime(now() + 600).sign(privateKey);
    const reply = await attempt(server, 'rs-ok', token);
    assert.equal(reply.authType, 2);
  });

  test('key confusion: HS256 signed with the public key as the secret is refused', async () => {
    const forged = await new SignJWT({ docs: { '*': 'admin' } })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('mallory')
      .setExpirationTime(now() + 600)
      .sign(new TextEncoder().encode(publicPem));
    await assertRefused(server, 'confusion', forged, /^unauthorized: token signed with an algorithm this server does not accept/);
  });
});
