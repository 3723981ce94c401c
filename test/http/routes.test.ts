// HTTP surface of the real server: health, readiness, document listing, JSON errors.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectClient, waitForAllSaved } from '../helpers/providers.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.close();
});

test('/healthz and /readyz answer 200 while serving', async () => {
  const health = await fetch(`${server.url}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'ok' });
  const ready = await fetch(`${server.url}/readyz`);
  assert.equal(ready.status, 200);
  assert.equal(((await ready.json()) as { status: string }).status, 'ready');
});

test('documents are listed with metadata once written', async () => {
  const client = await connectClient(server.wsUrl, 'listed-doc');
  client.doc.getText('t').insert(0, 'hello');
  await waitForAllSaved(client);
  client.destroy();
  const response = await fetch(`${server.url}/api/documents`);
  const body = (await response.json()) as { documents: Array<{ name: string; bytes: number; logLength: number; updatedAt: string }> };
  const listed = body.documents.find((d) => d.name === 'listed-doc');
  assert.ok(listed);
  assert.ok(listed.bytes > 0);
  assert.ok(!Number.isNaN(Date.parse(listed.updatedAt)));
  const one = await fetch(`${server.url}/api/documents/listed-doc`);
  assert.equal(one.status, 200);
  assert.equal(((await one.json()) as { name: string }).name, 'listed-doc');
});

test('unknown routes, unknown documents and bad names get JSON errors with a code', async () => {
  const cases: Array<[string, number, string]> = [
    ['/nope', 404, 'not-found'],
    ['/api/documents/never-written', 404, 'not-found'],
    // fetch() resolves a literal ".." segment itself, so path tricks are tested with other names.
    [`/api/documents/${encodeURIComponent('nul\u0000byte')}`, 400, 'invalid-document-name'],
    [`/api/documents/${'x'.repeat(201)}`, 400, 'invalid-document-name'],
    [`/api/documents/${encodeURIComponent(' padded ')}`, 400, 'invalid-document-name'],
  ];
  for (const [path, status, code] of cases) {
    const response = await fetch(`${server.url}${path}`);
    assert.equal(response.status, status, path);
    const body = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, code, path);
    assert.ok(body.error.message.length > 0);
  }
});

test('a WebSocket upgrade on an unknown path is refused with 404 and the server keeps serving', async () => {
  const refused = await new Promise<number>((resolve) => {
    const socket = new WebSocket(`${server.wsUrl}not-here`);
    socket.onerror = () => resolve(-1);
    socket.onopen = () => resolve(1);
  });
  assert.equal(refused, -1);
  const client = await connectClient(server.wsUrl, 'after-refusal');
  client.destroy();
});
