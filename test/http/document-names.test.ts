// Document names in REST paths are decoded strictly: malformed percent-encoding is 400 on every route.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as Y from 'yjs';
import { startServer, type TestServer } from '../helpers/server.ts';

const ADMIN = 'admin-token-for-name-tests-0123';

/** Every route under /api/documents/:name, with a body where the route reads one. */
const ROUTES: Array<[method: string, suffix: string, body?: 'update' | 'json']> = [
  ['GET', ''],
  ['PUT', '', 'update'],
  ['DELETE', ''],
  ['GET', '/export'],
  ['POST', '/import', 'json'],
  ['GET', '/versions'],
  ['POST', '/versions', 'json'],
  ['GET', '/versions/1'],
  ['GET', '/versions/1/diff'],
  ['POST', '/versions/1/restore', 'json'],
  ['DELETE', '/versions/1'],
  ['GET', '/events'],
];

function helloUpdate(): Uint8Array<ArrayBuffer> {
  const doc = new Y.Doc();
  const paragraph = new Y.XmlElement('paragraph');
  doc.getXmlFragment('default').insert(0, [paragraph]);
  paragraph.insert(0, [new Y.XmlText('hello')]);
  return new Uint8Array(Y.encodeStateAsUpdate(doc));
}

function request(server: TestServer, method: string, path: string, body: 'update' | 'json' | undefined, authorization?: string): Promise<Response> {
  const headers: Record<string, string> = authorization ? { authorization } : {};
  if (body === 'json') headers['content-type'] = 'application/json';
  if (body === 'update') headers['content-type'] = 'application/octet-stream';
  const payload = body === 'json' ? JSON.stringify({ type: 'doc', content: [] }) : body === 'update' ? helloUpdate() : undefined;
  return fetch(`${server.url}${path}`, { method, headers, body: payload });
}

for (const mode of ['none', 'jwt with the admin token'] as const) {
  describe(`--auth ${mode}`, () => {
    let server: TestServer;
    const authorization = mode === 'none' ? undefined : `Bearer ${ADMIN}`;
    before(async () => {
      server = await startServer(
        mode === 'none' ? { logLevel: 'warn' } : { logLevel: 'warn', auth: 'jwt', jwtSecret: 'name-test-secret-that-is-long-enough-hs256', adminToken: ADMIN },
      );
    });
    after(async () => {
      await server.close();
    });

    test('a name that is not valid percent-encoded UTF-8 is 400 invalid-document-name on every route', async () => {
      for (const segment of ['%ff%fe', '%ED%A0%80', 'ok%C3']) {
        for (const [method, suffix, body] of ROUTES) {
          const path = `/api/documents/${segment}${suffix}`;
          const response = await request(server, method, path, body, authorization);
          assert.equal(response.status, 400, `${method} ${path}`);
          const error = ((await response.json()) as { error: { code: string; message: string } }).error;
          assert.equal(error.code, 'invalid-document-name', `${method} ${path}`);
          assert.match(error.message, /not valid percent-encoded UTF-8/);
        }
      }
      const listed = (await (await request(server, 'GET', '/api/documents', undefined, authorization)).json()) as { documents: Array<{ name: string }> };
      assert.deepEqual(listed.documents.map((d) => d.name), [], 'nothing was created');
    });

    test('%25ff%25fe is the legitimate name "%ff%fe" and stays allowed', async () => {
      const imported = await request(server, 'PUT', '/api/documents/%25ff%25fe', 'update', authorization);
      assert.equal(imported.status, 201);
      const meta = await request(server, 'GET', '/api/documents/%25ff%25fe', undefined, authorization);
      assert.equal(meta.status, 200);
      assert.equal(((await meta.json()) as { name: string }).name, '%ff%fe');
      const exported = await request(server, 'GET', '/api/documents/%25ff%25fe/export?format=text', undefined, authorization);
      assert.equal((await exported.text()).trim(), 'hello');
    });
  });
}
