// Cross-site pages and DNS rebinding against a real server: refused on HTTP, upgrades, /y/ and SSE alike.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as Y from 'yjs';
import { connectClient, type TestClient } from '../helpers/providers.ts';
import { rawRequest, upgrade } from '../helpers/raw-http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const EVIL = 'https://evil.example';
const SECRET = 'origins-test-secret-that-is-long-enough!';
const ADMIN = 'origins-test-admin-token';
const errorCode = (body: string) => (JSON.parse(body) as { error: { code: string } }).error.code;

function replacement(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

describe('the default mode (auth none, loopback, no --allowed-origins)', () => {
  let server: TestServer;
  let writer: TestClient;
  let versionId: number;
  const ownOrigin = () => server.url;
  const storedText = () => server.app.hocuspocus.documents.get('private')!.getText('t').toString();

  before(async () => {
    server = await startServer({ logLevel: 'warn' });
    // A Node provider sends no Origin: it keeps working.
    writer = await connectClient(server.wsUrl, 'private');
    writer.doc.getText('t').insert(0, 'private words');
    const created = await rawRequest(`${server.url}/api/documents/private/versions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"label":"v1"}' });
    assert.equal(created.status, 201, created.body);
    versionId = (JSON.parse(created.body) as { version: { id: number } }).version.id;
  });
  after(async () => {
    writer.destroy();
    await server.close();
  });

  test('REST from another origin: 403 with a reason, and no CORS grant, preflight included', async () => {
    for (const method of ['GET', 'OPTIONS']) {
      const refused = await rawRequest(`${server.url}/api/documents`, {
        method,
        headers: { origin: EVIL, 'access-control-request-method': 'GET' },
      });
      assert.equal(refused.status, 403, method);
      assert.equal(refused.headers['access-control-allow-origin'], undefined, method);
      assert.equal(errorCode(refused.body), 'origin-not-allowed');
      assert.match(refused.body, /https:\/\/evil\.example may not connect: only a page served by this server may/);
    }
    const own = await rawRequest(`${server.url}/api/documents`, { headers: { origin: ownOrigin() } });
    assert.equal(own.status, 200);
    assert.match(own.body, /"name":"private"/);
    const native = await rawRequest(`${server.url}/api/documents`);
    assert.equal(native.status, 200, 'no Origin: curl, scripts');
    const export_ = await rawRequest(`${server.url}/api/documents/private/export?format=text`, { headers: { origin: EVIL } });
    assert.equal(export_.status, 403);
    assert.doesNotMatch(export_.body, /private words/);
  });

  test('state-changing "simple" requests from another origin (CSRF) change nothing', async () => {
    const before = (await rawRequest(`${server.url}/api/documents`)).body;
    const versionsBefore = (await rawRequest(`${server.url}/api/documents/private/versions`)).body;
    const attempts: Array<[string, string, Record<string, string>, string | Uint8Array | undefined]> = [
      ['POST', '/api/documents/private/import', {}, replacement('wiped')],
      ['PUT', '/api/documents/private', {}, replacement('wiped')],
      ['POST', '/api/documents/fresh/import', {}, replacement('planted')],
      ['POST', `/api/documents/private/versions/${versionId}/restore`, { 'content-type': 'text/plain' }, '{}'],
      ['POST', '/api/documents/private/versions', { 'content-type': 'text/plain' }, '{"label":"x"}'],
      ['DELETE', '/api/documents/private', {}, undefined],
    ];
    for (const [method, path, headers, body] of attempts) {
      const refused = await rawRequest(`${server.url}${path}`, { method, headers: { origin: EVIL, ...headers }, body });
      assert.equal(refused.status, 403, `${method} ${path}`);
      assert.equal(errorCode(refused.body), 'origin-not-allowed');
    }
    assert.equal(storedText(), 'private words');
    assert.equal((await rawRequest(`${server.url}/api/documents`)).body, before, 'no document created or deleted');
    assert.equal((await rawRequest(`${server.url}/api/documents/private/versions`)).body, versionsBefore, 'no version created');
  });

  test('upgrades from another origin are refused with 403 on /, /collab and /y/<doc>; own origin and no Origin pass', async () => {
    for (const path of ['/', '/collab', '/y/private']) {
      const refused = await upgrade(`${server.url}${path}`, { origin: EVIL });
      assert.equal(refused.status, 403, path);
      assert.match(refused.body, /^origin-not-allowed: https:\/\/evil\.example may not connect/, path);
      assert.equal((await upgrade(`${server.url}${path}`, { origin: ownOrigin() })).status, 101, path);
      assert.equal((await upgrade(`${server.url}${path}`)).status, 101, path);
    }
    // A page on another port of the same machine is another origin too.
    assert.equal((await upgrade(server.wsUrl, { origin: 'http://127.0.0.1:5173' })).status, 403);
    assert.ok(server.logs.some((line) => line.msg === 'WebSocket upgrade refused' && line.origin === EVIL && line.code === 'origin-not-allowed'));
  });

  test('the SSE change feed: refused from another origin, served to its own', async () => {
    const refused = await rawRequest(`${server.url}/api/documents/private/events`, { headers: { origin: EVIL } });
    assert.equal(refused.status, 403);
    assert.equal(refused.headers['access-control-allow-origin'], undefined);
    const own = await rawRequest(`${server.url}/api/documents/private/events`, { headers: { origin: ownOrigin() } });
    assert.equal(own.status, 200);
    assert.match(String(own.headers['content-type']), /^text\/event-stream/);
  });

  test('a forged Host (DNS rebinding) is refused on every route and every upgrade, before its Origin is looked at', async () => {
    const host = `attacker.example:${server.port}`;
    for (const path of ['/', '/healthz', '/metrics', '/api/documents', '/api/documents/private/events', '/api/documents/private/export?format=text']) {
      const refused = await rawRequest(`${server.url}${path}`, { headers: { host } });
      assert.equal(refused.status, 403, path);
      assert.equal(errorCode(refused.body), 'host-not-allowed', path);
      assert.doesNotMatch(refused.body, /private words/);
    }
    // The rebinding page's own requests are same-origin with the forged name.
    const rebound = await rawRequest(`${server.url}/api/documents/private/import`, { method: 'POST', headers: { host, origin: `http://${host}` }, body: replacement('wiped') });
    assert.equal(rebound.status, 403);
    assert.equal(errorCode(rebound.body), 'host-not-allowed');
    for (const path of ['/', '/collab', '/y/private']) {
      const refused = await upgrade(`${server.url}${path}`, { host, origin: `http://${host}` });
      assert.equal(refused.status, 403, path);
      assert.match(refused.body, /^host-not-allowed: this server does not answer to the name "attacker\.example"/, path);
    }
    assert.equal(storedText(), 'private words');
    // Loopback names are this machine, whatever the port says.
    assert.equal((await rawRequest(`${server.url}/healthz`, { headers: { host: `localhost:${server.port}` } })).status, 200);
    assert.ok(server.logs.some((line) => line.msg === 'HTTP request refused' && line.host === host && line.code === 'host-not-allowed'));
  });
});

describe('opting out: --allowed-origins * and --allowed-hosts', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ logLevel: 'warn', allowedOrigins: '*', allowedHosts: 'tandem.test' });
  });
  after(async () => {
    await server.close();
  });

  test('any origin is served and granted CORS, with a warning at start-up', async () => {
    const answered = await rawRequest(`${server.url}/api/documents`, { headers: { origin: EVIL } });
    assert.equal(answered.status, 200);
    assert.equal(answered.headers['access-control-allow-origin'], EVIL);
    assert.equal((await upgrade(server.wsUrl, { origin: EVIL })).status, 101);
    assert.ok(server.logs.some((line) => line.level === 40 && String(line.msg).startsWith('--allowed-origins * with --auth none')));
  });

  test('a name in --allowed-hosts is served; others still are not', async () => {
    assert.equal((await rawRequest(`${server.url}/healthz`, { headers: { host: `tandem.test:${server.port}` } })).status, 200);
    assert.equal((await upgrade(server.wsUrl, { host: `tandem.test:${server.port}` })).status, 101);
    assert.equal((await rawRequest(`${server.url}/healthz`, { headers: { host: 'attacker.example' } })).status, 403);
  });
});

describe('jwt mode without --allowed-origins: embedding from any origin, as before', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ logLevel: 'warn', auth: 'jwt', jwtSecret: SECRET, adminToken: ADMIN });
  });
  after(async () => {
    await server.close();
  });

  test('another origin is served and granted CORS; the token, not the origin, decides', async () => {
    const answered = await rawRequest(`${server.url}/api/documents`, { headers: { origin: EVIL, authorization: `Bearer ${ADMIN}` } });
    assert.equal(answered.status, 200);
    assert.equal(answered.headers['access-control-allow-origin'], EVIL);
    assert.equal((await rawRequest(`${server.url}/api/documents`, { headers: { origin: EVIL } })).status, 401);
    assert.equal((await upgrade(server.wsUrl, { origin: EVIL })).status, 101);
    // The Host check does not depend on the mode.
    assert.equal((await rawRequest(`${server.url}/healthz`, { headers: { host: 'attacker.example' } })).status, 403);
    assert.ok(!server.logs.some((line) => String(line.msg).startsWith('--allowed-origins *')));
  });
});
