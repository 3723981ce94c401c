// End to end in Chromium: editors built for an older document schema against a document with a table.
// - An editor as the demo editor was before schema versions (schema 1, StarterKit only, at `/collab`, saying
//   nothing) is refused before it gets any content, so its y-prosemirror never deletes the table it cannot
//   show. The same editor at `/` (not checked: providers there are not editors of this schema) shows what the
//   refusal prevents: the table is deleted for everyone.
// - Today's editor built as if for schema 1 says so, is refused, turns read-only and asks to be reloaded.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { build, type Plugin } from 'vite';
import { makeTempDir, startServer, type TestServer } from '../helpers/server.ts';
import { launchChromium, newPage, personContext } from './browser.ts';

const LEGACY = fileURLToPath(new URL('../fixtures/legacy-editor/', import.meta.url));
const CLIENT_CONFIG = fileURLToPath(new URL('../../client/vite.config.ts', import.meta.url));
const DECLARES_SCHEMA_1 = join(LEGACY, 'declares-schema-1.ts');
const TABLE_MARKDOWN = '| Part | Owner |\n| --- | --- |\n| Engine | Ada |\n\nAfter the table.\n';

let legacySite: Server;
let legacyOrigin: string;
let server: TestServer;
let browser: Browser;
const pageErrors: string[] = [];

/** Today's editor, but importing a stand-in for the extension list that says schema 1. */
const declareSchema1: Plugin = {
  name: 'declare-schema-1',
  enforce: 'pre',
  resolveId(source, importer) {
    return importer?.includes('/client/src/') && source.endsWith('/common/editor-extensions.ts') ? DECLARES_SCHEMA_1 : null;
  },
};

before(async () => {
  const dir = await makeTempDir('tandem-schema-builds-');
  const legacyDist = join(dir, 'legacy');
  const clientDir = join(dir, 'client');
  // One chunk, as the old editor shipped: Tiptap and Yjs together are over Vite's default warning size.
  await build({ root: LEGACY, configFile: false, logLevel: 'warn', base: '/', build: { outDir: legacyDist, emptyOutDir: true, chunkSizeWarningLimit: 1500 } });
  await build({ configFile: CLIENT_CONFIG, logLevel: 'warn', plugins: [declareSchema1], build: { outDir: join(clientDir, 'dist'), emptyOutDir: true } });

  // The old editor comes from a site of its own, which the server is told to allow (as a deployment would).
  legacySite = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const file = join(legacyDist, path === '/' ? 'index.html' : path);
    if (!file.startsWith(legacyDist)) return void response.writeHead(404).end();
    response.setHeader('content-type', extname(file) === '.js' ? 'text/javascript' : 'text/html');
    createReadStream(file).on('error', () => response.writeHead(404).end()).pipe(response);
  });
  await new Promise<void>((resolve) => legacySite.listen(0, '127.0.0.1', resolve));
  legacyOrigin = `http://127.0.0.1:${(legacySite.address() as AddressInfo).port}`;
  // `clientDir` holds only the build above: the server serves it as it stands.
  server = await startServer({ serveClient: true, clientDir, allowedOrigins: [legacyOrigin], logLevel: 'warn', autoVersions: false });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  await new Promise((resolve) => legacySite?.close(resolve));
  assert.deepEqual(pageErrors, [], 'the pages threw no uncaught errors');
});

async function importTable(name: string): Promise<void> {
  const response = await fetch(`${server.url}/api/documents/${name}`, { method: 'PUT', headers: { 'content-type': 'text/markdown' }, body: TABLE_MARKDOWN });
  assert.equal(response.status, 201);
}

async function storedJson(name: string): Promise<string> {
  return (await fetch(`${server.url}/api/documents/${name}/export?format=json`)).text();
}

async function openLegacy(name: string, path?: string): Promise<Page> {
  const context = await personContext(browser, { name: 'Old Tab', color: '#e5484d' });
  const page = await newPage(context, pageErrors);
  const query = new URLSearchParams({ server: server.wsUrl.replace(/\/$/, ''), doc: name, ...(path ? { path } : {}) });
  await page.goto(`${legacyOrigin}/?${query}`);
  return page;
}

test('an editor from before schema versions is refused at /collab before it gets the table; at / it would delete it', async () => {
  await importTable('specs');
  const old = await openLegacy('specs');
  await old.locator('#status', { hasText: 'refused' }).waitFor();
  assert.equal(
    await old.locator('#status').innerText(),
    "refused: outdated-editor: this editor is built for document schema 1 and the server's is 2; reload the page to update it",
  );
  assert.equal(await old.evaluate(() => (window as unknown as { legacy: { editor: { getText(): string } } }).legacy.editor.getText()), '', 'it got none of the content');
  await old.evaluate(() => (window as unknown as { legacy: { editor: { commands: { insertContent(text: string): void } } } }).legacy.editor.commands.insertContent('typed in the old tab'));
  await old.waitForTimeout(500);
  const stored = await storedJson('specs');
  assert.match(stored, /"type":"table"/, 'the table is still there');
  assert.doesNotMatch(stored, /typed in the old tab/, 'nothing of the old editor was taken');
  await old.context().close();

  // The same old editor where nothing checks it: its schema has no table, and y-prosemirror deletes it.
  await importTable('unguarded');
  const unguarded = await openLegacy('unguarded', '/');
  await unguarded.locator('#status', { hasText: 'synced' }).waitFor();
  let json = await storedJson('unguarded');
  for (const deadline = Date.now() + 5_000; json.includes('"type":"table"') && Date.now() < deadline; json = await storedJson('unguarded')) {
    await unguarded.waitForTimeout(100);
  }
  assert.doesNotMatch(json, /"type":"table"/, 'an unchecked old editor deletes the table for everyone');
  assert.match(json, /After the table\./);
  await unguarded.context().close();
});

test('today’s editor built for schema 1 says so, is refused, turns read-only and offers a reload', async () => {
  await importTable('plans');
  const context = await personContext(browser, { name: 'Ada Lovelace', color: '#8e4ec6' });
  const page = await newPage(context, pageErrors);
  await page.goto(`${server.url}/d/plans`);
  const banner = page.locator('[data-testid=error][data-kind=outdated]');
  await banner.waitFor();
  assert.match(await banner.innerText(), /This page is out of date: documents on this server use features it does not know\. Reload the page to update it/);
  assert.equal(await page.locator('[data-testid=banner-action]').innerText(), 'Reload');
  assert.equal(await page.getAttribute('.ProseMirror', 'contenteditable'), 'false');
  assert.match(await storedJson('plans'), /"type":"table"/);
  await context.close();
});
