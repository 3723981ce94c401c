// In Chromium: a page on another origin, or on a rebound name, can neither read nor edit a default Tandem.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import * as Y from 'yjs';
import { connectClient, waitFor, waitForAllSaved, type TestClient } from '../helpers/providers.ts';
import { rawRequest } from '../helpers/raw-http.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { launchChromium, newPage, openDocument, personContext, typeNewParagraph, waitForStatus, waitForText } from './browser.ts';

// Chromium resolves this name to 127.0.0.1, as DNS would once an attacker rebinds it.
const REBOUND = 'rebound.attacker.example';

let server: TestServer;
let browser: Browser;
let attacker: Server;
let attackerOrigin: string;
let writer: TestClient;
let versionId: number;
const pageErrors: string[] = [];

/** What the export, the document list and the version list say now, read as curl would. */
async function serverState(): Promise<string[]> {
  return Promise.all(
    ['/api/documents/secret/export?format=text', '/api/documents', '/api/documents/secret/versions'].map(async (path) => (await rawRequest(`${server.url}${path}`)).body),
  );
}

function paragraph(text: string): Y.XmlElement {
  const element = new Y.XmlElement('paragraph');
  element.insert(0, [new Y.XmlText(text)]);
  return element;
}

/** Everything a hostile page would try, run inside `page`; returns what the page got to see. */
async function attack(page: Page, httpBase: string, wsBase: string): Promise<Record<string, string>> {
  const update = Array.from(Y.encodeStateAsUpdate((() => {
    const doc = new Y.Doc();
    doc.getXmlFragment('default').insert(0, [paragraph('planted by a web page')]);
    return doc;
  })()));
  return page.evaluate(
    async ({ httpBase, wsBase, update, versionId }) => {
      const seen: Record<string, string> = {};
      const read = async (label: string, path: string) => {
        try {
          const response = await fetch(`${httpBase}${path}`);
          seen[label] = `${response.status} ${await response.text()}`;
        } catch (error) {
          seen[label] = `failed: ${(error as Error).name}`;
        }
      };
      await read('list', '/api/documents');
      await read('export', '/api/documents/secret/export?format=text');
      // "Simple" requests: the browser sends them without asking first and only hides the answer.
      const blind = async (label: string, path: string, init: RequestInit) => {
        try {
          seen[label] = (await fetch(`${httpBase}${path}`, { ...init, mode: 'no-cors' })).type;
        } catch (error) {
          seen[label] = `failed: ${(error as Error).name}`;
        }
      };
      await blind('import', '/api/documents/secret/import', { method: 'POST', body: new Uint8Array(update) });
      await blind('plant', '/api/documents/planted/import', { method: 'POST', body: new Uint8Array(update) });
      await blind('restore', `/api/documents/secret/versions/${versionId}/restore`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
      const socket = (label: string, url: string) =>
        new Promise<void>((resolve) => {
          const ws = new WebSocket(url);
          ws.onopen = () => {
            seen[label] = 'open';
            ws.close();
            resolve();
          };
          ws.onclose = (event) => {
            seen[label] ??= `closed ${event.code}`;
            resolve();
          };
        });
      await socket('collab', `${wsBase}/collab`);
      await socket('y-websocket', `${wsBase}/y/secret`);
      return seen;
    },
    { httpBase, wsBase, update, versionId },
  );
}

before(async () => {
  server = await startServer({ serveClient: true, logLevel: 'debug' });
  browser = await launchChromium([`--host-resolver-rules=MAP ${REBOUND} 127.0.0.1`]);
  attacker = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>some other site</title><p>nothing to see');
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  // Written by a Node provider (no Origin), in the editor's own fragment so the page shows it.
  writer = await connectClient(server.wsUrl, 'secret');
  writer.doc.getXmlFragment('default').insert(0, [paragraph('private words')]);
  await waitForAllSaved(writer);
  const created = await rawRequest(`${server.url}/api/documents/secret/versions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"label":"v1"}' });
  versionId = (JSON.parse(created.body) as { version: { id: number } }).version.id;
  // After the version, so that a restore would visibly take it away.
  writer.doc.getXmlFragment('default').insert(1, [paragraph('written after v1')]);
  await waitForAllSaved(writer);
});

afterEach(() => {
  assert.deepEqual(pageErrors.splice(0), [], 'the pages threw no uncaught errors');
});

after(async () => {
  writer?.destroy();
  await browser?.close();
  await new Promise((resolve) => attacker?.close(resolve));
  await server?.close();
});

test('a page on another origin (another local port) can neither read nor write, over fetch or WebSocket', async () => {
  const before = await serverState();
  const context = await browser.newContext();
  try {
    const page = await newPage(context, pageErrors);
    await page.goto(`${attackerOrigin}/`);
    const seen = await attack(page, server.url, server.wsUrl.replace(/\/$/, ''));
    assert.equal(seen.list, 'failed: TypeError', 'no CORS grant: the list is not readable');
    assert.equal(seen.export, 'failed: TypeError');
    assert.equal(seen.collab, 'closed 1006', 'the upgrade is refused');
    assert.equal(seen['y-websocket'], 'closed 1006');
    assert.deepEqual(await serverState(), before, 'nothing was written');
    assert.match(before[0]!, /private words\s+written after v1/);
    // The server refused them itself (403), rather than answering to a reader the browser then hid.
    const refused = server.logs.filter((line) => line.origin === attackerOrigin && line.code === 'origin-not-allowed');
    for (const path of ['/api/documents', '/api/documents/secret/export', '/api/documents/secret/import', '/api/documents/planted/import', `/api/documents/secret/versions/${versionId}/restore`]) {
      assert.ok(refused.some((line) => line.msg === 'HTTP request refused' && line.path === path), `refused ${path}`);
    }
    assert.equal(refused.filter((line) => line.msg === 'WebSocket upgrade refused').length, 2);
  } finally {
    await context.close();
  }
});

test('a DNS-rebinding page (a foreign name pointing at 127.0.0.1) is refused, though it is same-origin with its requests', async () => {
  const before = await serverState();
  const rebound = `http://${REBOUND}:${server.port}`;
  const context = await browser.newContext();
  try {
    const page = await newPage(context, pageErrors);
    // Loaded straight from Tandem under that name, even the editor is refused.
    const response = await page.goto(`${rebound}/`);
    assert.equal(response?.status(), 403);
    assert.match(await page.content(), /host-not-allowed/);
    // Script on that origin stands for the attacker's page once the name points here: its requests are
    // same-origin and loopback-to-loopback, so neither CORS nor Chromium's private-network rules stop them.
    const seen = await attack(page, rebound, `ws://${REBOUND}:${server.port}`);
    assert.match(seen.list!, /^403 .*"code":"host-not-allowed"/, 'same-origin, so readable, and refused');
    assert.doesNotMatch(seen.export!, /private words/);
    assert.equal(seen.collab, 'closed 1006');
    assert.equal(seen['y-websocket'], 'closed 1006');
    assert.deepEqual(await serverState(), before, 'nothing was written');
  } finally {
    await context.close();
  }
});

test('the demo editor on Tandem\'s own origin and a Node provider keep working', async () => {
  const context = await personContext(browser, { name: 'Ada Lovelace', color: '#8e4ec6' });
  try {
    const page = await openDocument(context, server.url, 'secret', pageErrors);
    await waitForText(page, 'private words');
    await typeNewParagraph(page, 'Typed in the editor.');
    await waitForStatus(page, 'saved');
    await waitFor(() => writer.doc.getXmlFragment('default').toString().includes('Typed in the editor.'), 5_000, 'the edit at the Node provider');
    writer.doc.getXmlFragment('default').insert(0, [paragraph('From Node.')]);
    await waitForText(page, 'From Node.');
    // The editor lists documents through the API on its own origin.
    const home = await newPage(context, pageErrors);
    await home.goto(`${server.url}/`);
    await home.getByText('secret', { exact: true }).first().waitFor();
  } finally {
    await context.close();
  }
});
