// REST API access: the admin token, or a JWT with admin on the document (read, to download its export); CORS
// follows the origin allowlist.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mintToken } from '../../server/cli/token.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const SECRET = 'rest-test-secret-that-is-long-enough-hs256';
const ADMIN = 'admin-token-for-tests-0123456789';

describe('jwt mode', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ auth: 'jwt', jwtSecret: SECRET, adminToken: ADMIN, allowedOrigins: 'https://app.example' });
  });
  after(async () => {
    await server.close();
  });
  const get = (path: string, authorization?: string) =>
    fetch(`${server.url}${path}`, { headers: authorization ? { authorization } : {} });
  const jwt = (...docs: string[]) => mintToken({ secret: SECRET, user: 'u', docs, expiresInSeconds: 600 });

  test('health stays open; the API needs a bearer token', async () => {
    assert.equal((await get('/healthz')).status, 200);
    const response = await get('/api/documents');
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('www-authenticate'), 'Bearer');
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'unauthorized');
    assert.equal((await get('/api/documents', 'Bearer wrong')).status, 401);
    assert.equal((await get('/api/documents', 'Basic abc')).status, 401);
  });

  test('the admin token opens every route', async () => {
    assert.equal((await get('/api/documents', `Bearer ${ADMIN}`)).status, 200);
    assert.equal((await get('/api/documents/anything', `Bearer ${ADMIN}`)).status, 404);
  });

  test('a JWT opens per-document routes only where it grants admin', async () => {
    assert.equal((await get('/api/documents/team-a', `Bearer ${await jwt('team-*:admin')}`)).status, 404);
    assert.equal((await get('/api/documents/team-a', `Bearer ${await jwt('team-*:write')}`)).status, 403);
    assert.equal((await get('/api/documents/other', `Bearer ${await jwt('team-*:admin')}`)).status, 403);
    assert.equal((await get('/api/documents', `Bearer ${await jwt('*:admin')}`)).status, 403, 'listing needs the admin token');
    assert.equal((await get('/api/documents/team-a', 'Bearer not.a.jwt')).status, 401);
  });

  test('a JWT that may read a document may download its export, and nothing more', async () => {
    const put = await fetch(`${server.url}/api/documents/team-notes`, { method: 'PUT', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'text/markdown' }, body: '# Notes\n\nRead me.' });
    assert.ok(put.ok, await put.text());
    const reader = `Bearer ${await jwt('team-*:read')}`;
    const exported = await get('/api/documents/team-notes/export?format=md', reader);
    assert.equal(exported.status, 200);
    assert.match(await exported.text(), /Read me\./);
    assert.equal((await get('/api/documents/team-notes/versions', reader)).status, 403);
    assert.equal((await get('/api/documents/team-notes', reader)).status, 403);
    const refused = await fetch(`${server.url}/api/documents/team-notes`, { method: 'PUT', headers: { authorization: reader, 'content-type': 'text/markdown' }, body: 'overwritten' });
    assert.equal(refused.status, 403);
    assert.match(((await refused.json()) as { error: { message: string } }).error.message, /does not grant admin on "team-notes"/);
    assert.equal((await get('/api/documents/other/export?format=md', reader)).status, 403, 'only where it may read');
    assert.match(await (await get('/api/documents/team-notes/export?format=md', `Bearer ${ADMIN}`)).text(), /Read me\./, 'the refused import changed nothing');
  });

  test('CORS answers allowed origins only', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/api/documents`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
    const allowed = await preflight('https://app.example');
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example');
    const refused = await preflight('https://evil.example');
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
  });
});

describe('none mode', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.close();
  });

  test('the API is open (the server listens on loopback)', async () => {
    assert.equal((await fetch(`${server.url}/api/documents`)).status, 200);
    assert.equal((await fetch(`${server.url}/api/documents/bad%01name`)).status, 400);
  });
});
