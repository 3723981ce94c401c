// `tandem links create|list|revoke` against a running server, and `tandem import` of a missing file.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { connectRaw } from '../helpers/raw-client.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const TANDEM = fileURLToPath(new URL('../../bin/tandem.js', import.meta.url));
const SECRET = 'links-cli-test-secret-long-enough-for-hs256';
const ADMIN_TOKEN = 'links-cli-admin-token';

let server: TestServer;
before(async () => {
  server = await startServer({ auth: 'jwt', jwtSecret: SECRET, adminToken: ADMIN_TOKEN });
});
after(() => server.close());

async function tandem(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [TANDEM, '--server', server.url, '--admin-token', ADMIN_TOKEN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

test('links create prints a working URL; list shows it; revoke ends it', async () => {
  const made = await tandem('links', 'create', 'cli-doc', '--role', 'edit', '--expires', '2h');
  assert.equal(made.code, 0, made.stderr);
  const url = made.stdout.trim();
  assert.match(url, new RegExp(`^${server.url}/d/cli-doc#share=`));
  const id = /link (\S+): edit cli-doc, expires /.exec(made.stderr)?.[1];
  assert.ok(id, made.stderr);
  assert.match(made.stderr, new RegExp(`revoke with: tandem links revoke cli-doc ${id}`));

  const token = url.split('#share=')[1]!;
  const raw = await connectRaw(server.wsUrl);
  try {
    assert.equal((await raw.authenticate('cli-doc', token)).authType, 2, 'the printed link opens the document (Authenticated)');
  } finally {
    raw.close();
  }

  const listed = await tandem('links', 'list', 'cli-doc');
  assert.equal(listed.code, 0);
  assert.match(listed.stdout, new RegExp(`^${id}\\twrite\\texpires \\S+\\tadmin-token\\t${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));

  assert.equal((await tandem('links', 'revoke', 'cli-doc', id)).stdout.trim(), `revoked link ${id} of cli-doc`);
  const json = JSON.parse((await tandem('links', 'list', 'cli-doc', '--json')).stdout) as Array<{ revokedAt: number | null; url: string | null }>;
  assert.ok(json[0]!.revokedAt !== null && json[0]!.url === null);
});

test('bad durations and missing files get a clear message and exit 1', async () => {
  const badDuration = await tandem('links', 'create', 'cli-other', '--expires', 'soon');
  assert.equal(badDuration.code, 1);
  assert.match(badDuration.stderr, /^tandem: --expires "soon": give a duration such as 30m, 12h or 7d$/m);
  const missing = await tandem('import', 'cli-other', '/nonexistent/notes.json');
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim(), 'tandem: /nonexistent/notes.json: no such file');
  assert.equal((await tandem('links', 'list', 'cli-other')).stdout.trim(), '', 'nothing was made');
});
