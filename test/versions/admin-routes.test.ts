// Admin routes refuse bad input with JSON errors before touching any document.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createAdminRoutes } from '../../server/http/admin-routes.ts';
import { createRoutes } from '../../server/http/routes.ts';
import { createLogger } from '../../server/log.ts';

// No document is reached in these cases: the services are never called.
const admin = createAdminRoutes({ versions: {} as never, creation: {} as never, deletion: {} as never, renaming: {} as never, trash: {} as never, maxImportBytes: 10 });
const app = createRoutes({ store: {} as never, log: createLogger({ level: 'silent' }), clientDist: null, readiness: () => ({ ready: true, reason: '' }), admin });

test('bad version ids, formats, names and oversized imports are JSON errors', async () => {
  const cases: Array<[string, RequestInit, number, string]> = [
    ['/api/documents/x/versions/abc', {}, 400, 'bad-request'],
    ['/api/documents/x/versions/0/diff', {}, 400, 'bad-request'],
    ['/api/documents/x/export?format=pdf', {}, 400, 'bad-request'],
    ['/api/documents/a%01b/versions', {}, 400, 'invalid-document-name'],
    ['/api/documents/x', { method: 'PUT', body: 'x'.repeat(100), headers: { 'content-type': 'application/octet-stream' } }, 413, 'payload-too-large'],
    ['/api/documents/x', { method: 'PUT', body: 'text', headers: { 'content-type': 'text/plain' } }, 415, 'unsupported-data'],
  ];
  for (const [path, init, status, code] of cases) {
    const response = await app.request(path, init);
    assert.equal(response.status, status, path);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, code, path);
  }
});
