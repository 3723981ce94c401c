// End to end in Chromium: two people co-editing one document through a real Tandem server.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import * as Y from 'yjs';
import { startServer, type TestServer } from '../helpers/server.ts';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = fileURLToPath(new URL('../../docs/screenshot.png', import.meta.url));

interface Person {
  name: string;
  color: string;
}
const ADA: Person = { name: 'Ada Lovelace', color: '#8e4ec6' };
const GRACE: Person = { name: 'Grace Hopper', color: '#12a594' };

/** What the init script adds to each page, for reading state without reaching into the app. */
interface PageProbe {
  __statuses: string[];
  __documentText(): string;
}

let server: TestServer;
let browser: Browser;
// Uncaught exceptions in any page; each test checks that none happened while it ran.
const pageErrors: string[] = [];

function assertNoPageErrors(): void {
  const errors = pageErrors.splice(0);
  assert.deepEqual(errors, [], 'the pages threw no uncaught errors');
}

before(async () => {
  server = await startServer({ serveClient: true, logLevel: 'warn' });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

afterEach(assertNoPageErrors);

after(async () => {
  await browser?.close();
  await server?.close();
});

// Runs in the page before the app: fixes the person's identity and records every badge status shown.
function probe(identity: string): void {
  localStorage.setItem('tandem:identity', identity);
  const probeWindow = window as unknown as PageProbe;
  probeWindow.__statuses = [];
  // Other people's carets live inside the text; leave them out so only the words are compared.
  probeWindow.__documentText = () => {
    const root = document.querySelector('.ProseMirror');
    if (!root) return '';
    const clone = root.cloneNode(true) as Element;
    for (const caret of clone.querySelectorAll('.collaboration-carets__caret')) caret.remove();
    return [...clone.children].map((block) => block.textContent ?? '').join('\n');
  };
  new MutationObserver(() => {
    const status = document.querySelector('[data-testid=status]')?.getAttribute('data-status');
    if (status && probeWindow.__statuses.at(-1) !== status) probeWindow.__statuses.push(status);
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
}

async function personContext(person: Person, viewport = { width: 900, height: 700 }): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport });
  await context.addInitScript(probe, JSON.stringify(person));
  return context;
}

function documentUrl(name: string): string {
  return `${server.url}/d/${encodeURIComponent(name)}`;
}

/** Opens the document and waits until the server has acknowledged the sync. */
async function openDocument(context: BrowserContext, name: string): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.message}`));
  await page.goto(documentUrl(name));
  await waitForStatus(page, 'saved');
  return page;
}

async function waitForStatus(page: Page, status: string, timeout = 10_000): Promise<void> {
  try {
    await page.waitForSelector(`[data-testid=status][data-status="${status}"]`, { timeout });
  } catch (error) {
    const shown = await statusHistory(page).catch(() => []);
    throw new Error(`the badge did not say "${status}" within ${timeout} ms; it went ${shown.join(' → ')}`, { cause: error });
  }
}

async function documentText(page: Page): Promise<string> {
  return page.evaluate(() => (window as unknown as PageProbe).__documentText());
}

async function waitForText(page: Page, expected: string, timeout = 5_000): Promise<void> {
  try {
    await page.waitForFunction((text) => (window as unknown as PageProbe).__documentText().includes(text), expected, {
      timeout,
      polling: 25,
    });
  } catch (error) {
    throw new Error(`"${expected}" did not appear within ${timeout} ms; the page shows:\n${await documentText(page)}`, {
      cause: error,
    });
  }
}

async function waitForNoText(page: Page, gone: string, timeout = 5_000): Promise<void> {
  await page.waitForFunction((text) => !(window as unknown as PageProbe).__documentText().includes(text), gone, {
    timeout,
    polling: 25,
  });
}

/** Puts the caret at the very end of the document, in a new paragraph. */
async function typeNewParagraph(page: Page, text: string): Promise<void> {
  await page.click('.ProseMirror');
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.type(text);
}

/** Selects the first occurrence of a word in the editor, as a double-click would. */
async function selectText(page: Page, word: string): Promise<void> {
  await page.evaluate((target) => {
    const root = document.querySelector('.ProseMirror');
    if (!root) throw new Error('no editor on the page');
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.textContent?.indexOf(target) ?? -1;
      if (at < 0) continue;
      (root as HTMLElement).focus();
      document.getSelection()?.setBaseAndExtent(node, at, node, at + target.length);
      return;
    }
    throw new Error(`"${target}" is not in the editor`);
  }, word);
  // ProseMirror picks the DOM selection up on selectionchange; wait until it has.
  await page.waitForFunction((target) => document.getSelection()?.toString() === target, word);
}

async function statusHistory(page: Page): Promise<string[]> {
  return page.evaluate(() => [...(window as unknown as PageProbe).__statuses]);
}

test('text typed in one window appears in the other within 2 s, with the typist’s caret label and avatar', async () => {
  const [adaContext, graceContext] = await Promise.all([personContext(ADA), personContext(GRACE)]);
  try {
    const [ada, grace] = await Promise.all([openDocument(adaContext, 'co-editing'), openDocument(graceContext, 'co-editing')]);

    await ada.click('.ProseMirror');
    await ada.keyboard.type('Hello from Ada.');
    await waitForText(grace, 'Hello from Ada.', 2_000);

    await typeNewParagraph(grace, 'Grace was here.');
    await waitForText(ada, 'Grace was here.', 2_000);

    const graceCaret = ada.locator('.collaboration-carets__label', { hasText: GRACE.name });
    await graceCaret.waitFor({ state: 'visible', timeout: 2_000 });
    await ada.locator(`[data-testid=avatars] [data-testid=avatar][title="${GRACE.name}"]`).waitFor({ state: 'visible' });
    await grace.locator(`[data-testid=avatars] [data-testid=avatar][title="${ADA.name}"]`).waitFor({ state: 'visible' });
    assert.equal(await ada.locator('[data-testid=avatar]').count(), 2, 'Ada sees herself and Grace');
    assert.equal(await ada.locator('[data-testid=avatar][title="Grace Hopper"]').textContent(), 'GH');
  } finally {
    await Promise.all([adaContext.close(), graceContext.close()]);
  }
});

test('a reload keeps the content', async () => {
  const context = await personContext(ADA);
  try {
    const page = await openDocument(context, 'reload');
    await page.click('.ProseMirror');
    await page.keyboard.type('Still here after a reload.');
    await waitForStatus(page, 'saved');
    await page.reload();
    await waitForStatus(page, 'saved');
    await waitForText(page, 'Still here after a reload.');
    // And from the server, not only this browser's copy: a fresh browser sees it too.
    const fresh = await personContext(GRACE);
    try {
      await waitForText(await openDocument(fresh, 'reload'), 'Still here after a reload.');
    } finally {
      await fresh.close();
    }
  } finally {
    await context.close();
  }
});

/** The document text held in the page's IndexedDB copy, decoded here with Yjs. */
async function localCopyText(page: Page, documentName: string): Promise<string> {
  const updates = await page.evaluate(
    (dbName) =>
      new Promise<number[][]>((resolve, reject) => {
        const open = indexedDB.open(dbName);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction('updates').objectStore('updates').getAll();
          request.onerror = () => reject(request.error);
          request.onsuccess = () => {
            resolve((request.result as Uint8Array[]).map((update) => [...update]));
            open.result.close();
          };
        };
      }),
    `tandem:${documentName}`,
  );
  const doc = new Y.Doc();
  for (const update of updates) Y.applyUpdate(doc, Uint8Array.from(update));
  return doc.getXmlFragment('default').toString();
}

async function waitForLocalCopy(page: Page, documentName: string, expected: string, timeout = 5_000): Promise<void> {
  const deadline = Date.now() + timeout;
  let text = await localCopyText(page, documentName);
  while (!text.includes(expected)) {
    if (Date.now() > deadline) throw new Error(`the IndexedDB copy never held "${expected}"; it holds ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
    text = await localCopyText(page, documentName);
  }
}

/**
 * Serves only index.html and its assets on the stopped server's port, as a CDN or cache would while the
 * collaboration server is down; WebSocket upgrades go unanswered. Same origin, so the same IndexedDB.
 */
async function serveAppShellOnly(port: number, shell: Map<string, { body: Buffer; contentType: string }>): Promise<() => Promise<void>> {
  const http = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://shell').pathname;
    const file = shell.get(path.startsWith('/d/') ? '/' : path);
    response.writeHead(file ? 200 : 404, { 'content-type': file?.contentType ?? 'text/plain' });
    response.end(file?.body ?? 'not found');
  });
  http.on('upgrade', (_request, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => http.once('error', reject).listen(port, '127.0.0.1', resolve));
  return () =>
    new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    });
}

/** index.html and its assets, fetched while the server is up. */
async function captureAppShell(): Promise<Map<string, { body: Buffer; contentType: string }>> {
  const shell = new Map<string, { body: Buffer; contentType: string }>();
  const index = await fetch(`${server.url}/`);
  const html = await index.text();
  shell.set('/', { body: Buffer.from(html), contentType: 'text/html; charset=utf-8' });
  for (const [, path] of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) {
    if (path === undefined) continue;
    const response = await fetch(server.url + path);
    shell.set(path, { body: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type') ?? '' });
  }
  return shell;
}

test('while the server restarts, pages show Offline, keep edits on the device, and converge when it is back', async () => {
  const [adaContext, graceContext] = await Promise.all([personContext(ADA), personContext(GRACE)]);
  let serverDown = false;
  try {
    const [ada, grace] = await Promise.all([openDocument(adaContext, 'restart'), openDocument(graceContext, 'restart')]);
    await ada.click('.ProseMirror');
    await ada.keyboard.type('Written before the restart.');
    await waitForText(grace, 'Written before the restart.');
    await Promise.all([waitForStatus(ada, 'saved'), waitForStatus(grace, 'saved')]);
    const shell = await captureAppShell();

    await server.stop();
    serverDown = true;
    await Promise.all([waitForStatus(ada, 'offline'), waitForStatus(grace, 'offline')]);
    await typeNewParagraph(ada, 'Ada typed this offline.');
    await typeNewParagraph(grace, 'Grace typed this offline.');
    assert.ok(!(await documentText(grace)).includes('Ada typed this offline.'), 'no server, so nothing can travel yet');
    // IndexedDB writes are asynchronous; a reload in the same instant as the last keystroke could cut them off.
    await waitForLocalCopy(grace, 'restart', 'Grace typed this offline.');

    // A reload while the server is down: the text comes back from the browser's own copy (IndexedDB).
    const stopShell = await serveAppShellOnly(server.port, shell);
    try {
      await grace.reload();
      await waitForText(grace, 'Grace typed this offline.');
      await waitForText(grace, 'Written before the restart.');
      await waitForStatus(grace, 'offline');
      await typeNewParagraph(grace, 'Grace typed this after reloading.');
    } finally {
      await stopShell();
    }

    await server.restart();
    serverDown = false;
    await Promise.all([waitForStatus(ada, 'saved', 20_000), waitForStatus(grace, 'saved', 20_000)]);
    for (const page of [ada, grace]) {
      await waitForText(page, 'Ada typed this offline.');
      await waitForText(page, 'Grace typed this offline.');
      await waitForText(page, 'Grace typed this after reloading.');
    }
    assert.equal(await documentText(ada), await documentText(grace));

    // Ada's page stayed open throughout: it went Offline, then back to Saved.
    const history = await statusHistory(ada);
    const offlineAt = history.indexOf('offline');
    assert.ok(offlineAt >= 0, `Ada's badge never said Offline: ${history.join(' → ')}`);
    assert.ok(history.indexOf('saved', offlineAt) > offlineAt, `Ada's badge never came back to Saved: ${history.join(' → ')}`);
  } finally {
    await Promise.all([adaContext.close(), graceContext.close()]);
    // Later tests need a running server even when this one failed half-way.
    if (serverDown) await server.restart();
  }
});

test('undo in one window undoes only that window’s change', async () => {
  const [adaContext, graceContext] = await Promise.all([personContext(ADA), personContext(GRACE)]);
  try {
    const [ada, grace] = await Promise.all([openDocument(adaContext, 'undo'), openDocument(graceContext, 'undo')]);
    await ada.click('.ProseMirror');
    await ada.keyboard.type('Ada wrote this.');
    await waitForText(grace, 'Ada wrote this.');
    await typeNewParagraph(grace, 'Grace wrote this.');
    await waitForText(ada, 'Grace wrote this.');

    await ada.click('[data-testid=tb-undo]');
    for (const page of [ada, grace]) {
      await waitForNoText(page, 'Ada wrote this.');
      await waitForText(page, 'Grace wrote this.');
    }

    await ada.click('[data-testid=tb-redo]');
    await waitForText(grace, 'Ada wrote this.');

    // The keyboard shortcut does the same for Grace, and leaves Ada's text alone.
    await grace.keyboard.press('Control+z');
    for (const page of [ada, grace]) {
      await waitForNoText(page, 'Grace wrote this.');
      await waitForText(page, 'Ada wrote this.');
    }
  } finally {
    await Promise.all([adaContext.close(), graceContext.close()]);
  }
});

test('the list shows documents newest first and opens a new one by a valid name', async () => {
  const context = await personContext(ADA);
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('pageerror', (error) => pageErrors.push(`list: ${error.message}`));
    await page.goto(`${server.url}/`);
    const links = page.locator('[data-testid=doc-link]');
    await links.first().waitFor();
    const shown = await page.locator('[data-testid=doc-link] .doc-link__name').allTextContents();
    const response = (await (await fetch(`${server.url}/api/documents`)).json()) as {
      documents: Array<{ name: string; updatedAt: string }>;
    };
    const newestFirst = [...response.documents].sort(
      (a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt) || a.name.localeCompare(b.name),
    );
    assert.deepEqual(shown, newestFirst.map((entry) => entry.name));
    assert.ok(shown.includes('co-editing'), 'documents from earlier tests are listed');

    // The server's own name rules, in the server's words.
    await page.fill('[data-testid=new-doc-name]', ' padded');
    await page.click('[data-testid=new-doc-create]');
    await page.getByText('A document name must not start or end with whitespace.').waitFor();
    assert.equal(new URL(page.url()).pathname, '/');

    await page.fill('[data-testid=new-doc-name]', 'Notes: 50% done?');
    await page.click('[data-testid=new-doc-create]');
    await waitForStatus(page, 'saved');
    assert.equal(new URL(page.url()).pathname, `/d/${encodeURIComponent('Notes: 50% done?')}`);
    assert.equal(await page.textContent('[data-testid=doc-title]'), 'Notes: 50% done?');

    // History-API navigation: Back shows the list again, and a list entry opens its document.
    await page.goBack();
    await page.locator('[data-testid=doc-link]', { hasText: 'undo' }).click();
    await waitForStatus(page, 'saved');
    await waitForText(page, 'Ada wrote this.');
  } finally {
    await context.close();
  }
});

test('an edit larger than the server accepts is explained on the page', async () => {
  const small = await startServer({ serveClient: true, logLevel: 'warn', maxMessageBytes: 4096 });
  const context = await personContext(ADA);
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${small.url}/d/huge`);
    await waitForStatus(page, 'saved');
    await page.click('.ProseMirror');
    await page.keyboard.insertText('All work and no play. '.repeat(500));
    const banner = page.locator('[data-testid=error]');
    await banner.waitFor({ state: 'visible' });
    assert.match((await banner.textContent()) ?? '', /This document is too large/);
    // The text stays on this device rather than vanishing.
    await waitForText(page, 'All work and no play.');
  } finally {
    await context.close();
    await small.close();
  }
});

test('saves a screenshot of two windows co-editing to docs/screenshot.png', async () => {
  const viewport = { width: 606, height: 704 };
  const [adaContext, graceContext] = await Promise.all([personContext(ADA, viewport), personContext(GRACE, viewport)]);
  try {
    const [ada, grace] = await Promise.all([openDocument(adaContext, 'Team offsite'), openDocument(graceContext, 'Team offsite')]);
    await ada.click('.ProseMirror');
    await ada.keyboard.type('Team offsite plan');
    await ada.click('[data-testid=tb-h1]');
    await ada.keyboard.press('End');
    await ada.keyboard.press('Enter');
    await ada.keyboard.type('Two days in Lisbon to plan the next release. Everyone brings one idea worth shipping.');
    await waitForText(grace, 'worth shipping.');

    await grace.click('.ProseMirror');
    await grace.keyboard.press('Control+End');
    await grace.keyboard.press('Enter');
    await grace.click('[data-testid=tb-bullet-list]');
    await grace.keyboard.type('Day 1: roadmap review');
    await grace.keyboard.press('Enter');
    await grace.keyboard.type('Day 2: hack day and demos');
    await waitForText(ada, 'hack day and demos');

    // Ada selects a phrase and bolds it, so Grace's window shows her highlighted selection.
    await selectText(ada, 'Lisbon');
    await ada.keyboard.press('Control+b');
    await grace.waitForSelector('.ProseMirror strong');
    await ada.locator('.collaboration-carets__label', { hasText: GRACE.name }).waitFor({ state: 'visible' });
    await grace.locator('.collaboration-carets__label', { hasText: ADA.name }).waitFor({ state: 'visible' });
    // Park the pointer off the toolbar so no button shows its hover state.
    await Promise.all([ada.mouse.move(5, 690), grace.mouse.move(5, 690)]);
    await Promise.all([ada, grace].map((page) => page.waitForFunction(() => !document.querySelector('.toolbar__button:hover'))));
    await Promise.all([waitForStatus(ada, 'saved'), waitForStatus(grace, 'saved')]);

    const [left, right] = await Promise.all([ada.screenshot(), grace.screenshot()]);
    const png = await composeWindows([
      { title: `${ADA.name} — Tandem`, image: left },
      { title: `${GRACE.name} — Tandem`, image: right },
    ]);
    await mkdir(fileURLToPath(new URL('../../docs/', import.meta.url)), { recursive: true });
    await writeFile(SCREENSHOT, png);
    assert.ok(png.length > 10_000, 'the screenshot has content');
  } finally {
    await Promise.all([adaContext.close(), graceContext.close()]);
  }
});

/** Draws screenshots side by side as two desktop windows, using the browser itself as the canvas. */
async function composeWindows(windows: Array<{ title: string; image: Buffer }>): Promise<Buffer> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const frames = windows
      .map(
        ({ title, image }) => `
        <figure>
          <figcaption><i></i><i></i><i></i><span>${title}</span></figcaption>
          <img src="data:image/png;base64,${image.toString('base64')}" alt="">
        </figure>`,
      )
      .join('');
    await page.setContent(`<!doctype html><style>
      body { margin: 0; height: 800px; display: flex; gap: 20px; justify-content: center; align-items: center;
             background: linear-gradient(135deg, #e0e7ff 0%, #fde7c8 100%); font: 13px system-ui, sans-serif; }
      figure { margin: 0; border-radius: 12px; overflow: hidden; background: #fff;
               box-shadow: 0 1px 2px rgb(0 0 0 / .08), 0 20px 40px -12px rgb(30 30 60 / .35); }
      figcaption { height: 32px; display: flex; align-items: center; gap: 7px; padding: 0 12px;
                   background: #ecebe8; border-bottom: 1px solid #dcdbd6; color: #55554f; }
      figcaption i { width: 11px; height: 11px; border-radius: 50%; background: #d4d3ce; }
      figcaption i:nth-child(1) { background: #ff5f57; } figcaption i:nth-child(2) { background: #febc2e; }
      figcaption i:nth-child(3) { background: #28c840; }
      figcaption span { flex: 1; text-align: center; margin-right: 44px; }
      img { display: block; }
    </style>${frames}`);
    await page.waitForFunction(() => [...document.images].every((image) => image.complete));
    return await page.screenshot();
  } finally {
    await context.close();
  }
}
