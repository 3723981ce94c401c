// Export, import, diff, restore and delete through the `tandem` CLI and the admin API of a running server;
// export and backup straight on the data directory once it is stopped.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import * as Y from 'yjs';
import { connectClient, waitFor, waitForAllSaved } from '../helpers/providers.ts';
import { killAndWait, startServerProcess, exitWithin, type ServerProcess } from '../helpers/server-process.ts';
import { makeTempDir } from '../helpers/server.ts';

const TANDEM = fileURLToPath(new URL('../../bin/tandem.js', import.meta.url));
const run = promisify(execFile);

let server: ServerProcess;
let dataDir: string;
let workDir: string;

before(async () => {
  dataDir = await makeTempDir('tandem-cli-data-');
  workDir = await makeTempDir('tandem-cli-work-');
  server = await startServerProcess({ dataDir, args: ['--auto-versions', 'off'] });
});
after(async () => {
  await killAndWait(server);
  await rm(dataDir, { recursive: true, force: true });
  await rm(workDir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [TANDEM, '--server', server.url, ...args], { env: { ...process.env, TANDEM_ADMIN_TOKEN: 'unused' } });
}

async function cliFails(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await cli(...args);
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, stderr: failed.stderr };
  }
  throw new Error(`tandem ${args.join(' ')} succeeded; it should have failed`);
}

const draft = {
  type: 'doc',
  content: [
    { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Plan' }] },
    { type: 'paragraph', content: [{ type: 'text', text: 'Ship the ' }, { type: 'text', text: 'version', marks: [{ type: 'bold' }] }, { type: 'text', text: ' panel.' }] },
  ],
};

test('Markdown and HTML import through the CLI and the API; what an export says, the import reads back', { timeout: 60_000 }, async () => {
  const markdown = '# Launch\n\nShip **on Monday**, see [the plan](https://example.com/plan).\n\n- one\n  - nested\n\n1\\. not a list\n';
  const file = join(workDir, 'launch.md');
  await writeFile(file, markdown);
  assert.match((await cli('import', 'md doc', file)).stdout, /as version 1/);
  assert.equal((await cli('export', 'md doc', '--format', 'md')).stdout, markdown);

  const html = (await cli('export', 'md doc', '--format', 'html')).stdout;
  const imported = await fetch(`${server.url}/api/documents/html%20doc`, { method: 'PUT', headers: { 'content-type': 'text/html; charset=utf-8' }, body: html });
  assert.equal(imported.status, 201);
  assert.equal((await cli('export', 'html doc', '--format', 'md')).stdout, markdown, 'HTML carried the same document');

  // JSON the editor could not show is refused with the place it fails, and nothing is stored.
  const bad = await fetch(`${server.url}/api/documents/bad%20doc`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'spreadsheet' }] }] }),
  });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: { message: string } }).error.message, /^content\[0\]\.content\[0\]: unknown node type "spreadsheet"$/);
  assert.equal((await fetch(`${server.url}/api/documents/bad%20doc`)).status, 404);
  // The next test counts the server's documents.
  for (const name of ['md doc', 'html doc']) await cli('documents', 'delete', name, '--permanent');
});

test('CLI and API: import, export, versions, diff, restore, delete; then export and backup offline', { timeout: 120_000 }, async () => {
  const name = 'cli doc';
  const file = join(workDir, 'draft.json');
  await writeFile(file, JSON.stringify(draft));
  assert.match((await cli('import', name, file, '--label', 'first draft')).stdout, /as version 1/);

  assert.equal((await cli('export', name, '--format', 'md')).stdout, '## Plan\n\nShip the **version** panel.\n');
  const html = await fetch(`${server.url}/api/documents/${encodeURIComponent(name)}/export?format=html`);
  assert.equal(html.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(await html.text(), '<div style="white-space: pre-wrap"><h2>Plan</h2><p>Ship the <strong>version</strong> panel.</p></div>');
  const json = (await (await fetch(`${server.url}/api/documents/${encodeURIComponent(name)}/export?format=json`)).json()) as unknown;
  assert.deepEqual(json, draft);
  assert.match((await cli('documents', 'list')).stdout, /^cli doc\t/m);

  // An editor changes the text; the diff against now shows it word by word.
  const editor = await connectClient(server.wsUrl, name);
  try {
    const paragraph = editor.doc.getXmlFragment('default').get(1) as Y.XmlElement;
    (paragraph.get(0) as Y.XmlText).insert(0, 'Please ');
    await waitForAllSaved(editor);
    const diffText = (await cli('versions', 'diff', name, '1')).stdout;
    assert.match(diffText, /0 added, 0 removed, 1 changed/);
    assert.match(diffText, /~ \[default\] paragraph: \{\+Please \+\}Ship the version panel\./);
    const diff = (await (await fetch(`${server.url}/api/documents/${encodeURIComponent(name)}/versions/1/diff`)).json()) as {
      changes: Array<{ kind: string; before: string; after: string }>;
    };
    assert.deepEqual(
      diff.changes.map((c) => [c.kind, c.before, c.after]),
      [['changed', 'Ship the version panel.', 'Please Ship the version panel.']],
    );

    assert.match((await cli('versions', 'create', name, '--label', 'with please', '--author', 'ada')).stdout, /created version 2/);
    assert.match((await cli('versions', 'show', name, '2', '--format', 'text')).stdout, /^Plan\n\nPlease Ship/);
    const between = JSON.parse((await cli('versions', 'diff', name, '1', '--to', '2', '--json')).stdout) as { from: number; to: number; summary: object };
    assert.deepEqual([between.from, between.to, between.summary], [1, 2, { added: 0, removed: 0, changed: 1 }]);

    // Restore version 1 through the CLI: the connected editor converges without reloading.
    const restored = (await cli('versions', 'restore', name, '1')).stdout;
    assert.match(restored, /^restored version 1; undo with: tandem versions restore 'cli doc' 3$/m);
    await waitFor(() => !editor.doc.getXmlFragment('default').toString().includes('Please'), 1_000, 'the editor to show version 1');
    const listed = (await cli('versions', 'list', name, '--json')).stdout;
    assert.deepEqual(
      (JSON.parse(listed) as Array<{ id: number; kind: string }>).map((v) => [v.id, v.kind]),
      [[1, 'imported'], [2, 'manual'], [3, 'before-restore']],
    );

    // Errors are JSON with a code, and the CLI reports the server's message.
    const missing = await fetch(`${server.url}/api/documents/${encodeURIComponent(name)}/versions/42`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: { code: 'not-found', message: 'document "cli doc" has no version 42' } });
    const failed = await cliFails('versions', 'show', name, '42');
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /tandem: document "cli doc" has no version 42/);
    assert.equal((await fetch(`${server.url}/api/documents/${encodeURIComponent(name)}/export?format=pdf`)).status, 400);

    // A raw Yjs update round-trips through export and import into another document.
    const yjs = join(workDir, 'state.yjs');
    await cli('export', name, '--format', 'yjs', '--out', yjs);
    await cli('import', 'copy', yjs);
    assert.equal((await cli('export', 'copy', '--format', 'md')).stdout, '## Plan\n\nShip the **version** panel.\n');

    assert.match((await cli('versions', 'delete', name, '2')).stdout, /deleted version 2/);
    assert.deepEqual(
      (JSON.parse((await cli('versions', 'list', name, '--json')).stdout) as Array<{ id: number }>).map((v) => v.id),
      [1, 3],
    );
    assert.equal((await cli('versions', 'show', name, '3', '--format', 'md')).stdout, '## Plan\n\nPlease Ship the **version** panel.\n');

    // Deleting a document closes its editors' connections first (this one then leaves instead of reconnecting).
    const other = await connectClient(server.wsUrl, 'copy');
    let closed = false;
    other.provider.on('close', () => {
      closed = true;
      other.destroy();
    });
    assert.match((await cli('documents', 'delete', 'copy')).stdout, /^moved copy to the trash; restorable until \d{4}-.*\(tandem documents restore "copy"\)\n$/);
    assert.ok(closed, 'the connected editor was disconnected');
    assert.equal((await fetch(`${server.url}/api/documents/copy`)).status, 404);
    assert.equal((await fetch(`${server.url}/api/documents/copy/versions`)).status, 404);
    assert.match((await cli('documents', 'trash')).stdout, /^copy\tdeleted \S+ by anonymous\tpurged \S+\t\d+ bytes\n$/);
    assert.equal((await cli('documents', 'restore', 'copy')).stdout, 'restored copy\n');
    assert.equal((await cli('documents', 'rename', 'copy', 'copy 2')).stdout, 'renamed copy to copy 2\n');
    assert.equal((await fetch(`${server.url}/api/documents/copy%202`)).status, 200);
    // Gone for good: the backup below counts one document.
    assert.equal((await cli('documents', 'delete', 'copy 2', '--permanent')).stdout, 'deleted copy 2 for good\n');
    assert.equal((await cli('documents', 'trash')).stdout, 'the trash is empty\n');
  } finally {
    editor.destroy();
  }

  // With the server running, the data directory is locked.
  const locked = await cliFails('export', name, '--data-dir', dataDir);
  assert.match(locked.stderr, /another Tandem server/);

  server.kill('SIGTERM');
  assert.equal((await exitWithin(server, 20_000)).code, 0);

  const offline = await run(process.execPath, [TANDEM, 'export', name, '--format', 'md', '--data-dir', dataDir]);
  assert.equal(offline.stdout, '## Plan\n\nShip the **version** panel.\n');
  const offlineVersion = await run(process.execPath, [TANDEM, 'export', name, '--version', '3', '--format', 'text', '--data-dir', dataDir]);
  assert.match(offlineVersion.stdout, /Please Ship/);

  const copy = join(workDir, 'backup-copy');
  const backup = await run(process.execPath, [TANDEM, 'backup', '--data-dir', dataDir, '--out', copy]);
  assert.match(backup.stderr, /backup: \d+\/\d+ files/);
  assert.ok((await readdir(copy)).includes('CURRENT'));
  const fromCopy = await run(process.execPath, [TANDEM, 'export', name, '--format', 'md', '--data-dir', copy]);
  assert.equal(fromCopy.stdout, offline.stdout);

  const dump = join(workDir, 'dump.jsonl');
  const dumped = await run(process.execPath, [TANDEM, 'backup', '--data-dir', dataDir, '--out', dump, '--format', 'jsonl']);
  assert.match(dumped.stderr, /backup: 1\/1 documents/);
  type DumpLine = { name: string; state: string; versions: Array<{ id: number; state: string }> } | { forward: { name: string; kind: string; to: string } };
  const all = (await readFile(dump, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as DumpLine);
  const lines = all.filter((line) => 'name' in line);
  assert.deepEqual(lines.map((line) => [line.name, line.versions.map((v) => v.id)]), [[name, [1, 3]]]);
  // The renamed name's forward is in the dump too (a document deleted for good leaves none).
  assert.deepEqual(
    all.flatMap((line) => ('forward' in line ? [[line.forward.name, line.forward.kind, line.forward.to]] : [])),
    [['copy', 'renamed', 'copy 2']],
  );
  const restoredDoc = new Y.Doc();
  Y.applyUpdate(restoredDoc, Buffer.from(lines[0]!.state, 'base64'));
  assert.match(restoredDoc.getXmlFragment('default').toString(), /Ship the/);
});

