// The version-history admin API sits behind the same /api auth as the rest (checked after merging both).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startServer, type TestServer } from '../helpers/server.ts';

const ADMIN_TOKEN = 'admin-token-for-the-versions-api-test';
let server: TestServer;
before(async () => {
  server = await startServer({ auth: 'jwt', jwtSecret: 'admin-routes-auth-test-secret-32-chars!', adminToken: ADMIN_TOKEN });
});
after(async () => {
  await server.close();
});

test('version routes refuse requests without the admin token and accept it', async () => {
  const routes: Array<[string, string]> = [
    ['GET', '/api/documents/some-doc/versions'],
    ['POST', '/api/documents/some-doc/versions'],
    ['GET', '/api/documents/some-doc/export?format=json'],
    ['DELETE', '/api/documents/some-doc'],
  ];
  for (const [method, path] of routes) {
    const response = await fetch(`${server.url}${path}`, { method });
    assert.equal(response.status, 401, `${method} ${path} without a token`);
    const wrong = await fetch(`${server.url}${path}`, { method, headers: { authorization: 'Bearer not-the-admin-token' } });
    assert.equal(wrong.status, 401, `${method} ${path} with a wrong token`);
  }
  const listed = await fetch(`${server.url}/api/documents/some-doc/versions`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  assert.notEqual(listed.status, 401);
  assert.notEqual(listed.status, 403);
});
