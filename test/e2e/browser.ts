// Drives Tandem in headless Chromium: launch, a context per person, and waits on what the page shows.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, afterEach, before } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import * as Y from 'yjs';
import { startServer, type TestServer } from '../helpers/server.ts';

const CHROMIUM = '/usr/bin/chromium';

export interface Person {
  name: string;
  color: string;
}

/** What the init script adds to each page, for reading state without reaching into the app. */
interface PageProbe {
  __statuses: string[];
  __documentText(): string;
}

/** Headless Chromium; `extraArgs` adds flags, e.g. `--host-resolver-rules` to point a name at 127.0.0.1. */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install it with apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...extraArgs,
    ],
  });
}

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

/** A browser context (its own storage, so its own IndexedDB and identity) for one person. */
export async function personContext(
  browser: Browser,
  person: Person,
  viewport = { width: 900, height: 700 },
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport });
  await context.addInitScript(probe, JSON.stringify(person));
  return context;
}

/** A new page that reports uncaught errors to `errors`, with timeouts short enough to fail fast. */
export async function newPage(context: BrowserContext, errors: string[]): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
  return page;
}

/** Opens `/d/<name>` and waits until the server has acknowledged the sync. */
export async function openDocument(context: BrowserContext, baseUrl: string, name: string, errors: string[]): Promise<Page> {
  const page = await newPage(context, errors);
  await page.goto(`${baseUrl}/d/${encodeURIComponent(name)}`);
  await waitForStatus(page, 'saved');
  return page;
}

export async function waitForStatus(page: Page, status: string, timeout = 10_000): Promise<void> {
  try {
    await page.waitForSelector(`[data-testid=status][data-status="${status}"]`, { timeout });
  } catch (error) {
    const shown = await statusHistory(page).catch(() => []);
    throw new Error(`the badge did not say "${status}" within ${timeout} ms; it went ${shown.join(' → ')}`, { cause: error });
  }
}

export async function documentText(page: Page): Promise<string> {
  return page.evaluate(() => (window as unknown as PageProbe).__documentText());
}

export async function waitForText(page: Page, expected: string, timeout = 5_000): Promise<void> {
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

export async function waitForNoText(page: Page, gone: string, timeout = 5_000): Promise<void> {
  await page.waitForFunction((text) => !(window as unknown as PageProbe).__documentText().includes(text), gone, {
    timeout,
    polling: 25,
  });
}

/** Puts the caret at the very end of the document, in a new paragraph. */
export async function typeNewParagraph(page: Page, text: string): Promise<void> {
  await page.click('.ProseMirror');
  // Not Control+End: another person's caret label (a non-editable widget) often sits at the end of the
  // text, and the browser can put the caret inside it, which ProseMirror maps elsewhere. Put the caret
  // after the last editable character instead, as a click there would.
  await page.evaluate(() => {
    const root = document.querySelector('.ProseMirror');
    if (!root) throw new Error('no editor on the page');
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: (node) => (node.parentElement?.closest('[contenteditable=false]') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
    });
    let last: Text | null = null;
    while (walker.nextNode()) last = walker.currentNode as Text;
    const selection = window.getSelection();
    if (last && selection) selection.collapse(last, last.length);
  });
  await page.keyboard.press('Enter');
  await page.keyboard.type(text);
}

/** Selects the first occurrence of a word in the editor, as a double-click would. */
export async function selectText(page: Page, word: string): Promise<void> {
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

export async function statusHistory(page: Page): Promise<string[]> {
  return page.evaluate(() => [...(window as unknown as PageProbe).__statuses]);
}

/** The document text held in the page's IndexedDB copy, decoded here with Yjs. */
export async function localCopyText(page: Page, documentName: string): Promise<string> {
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

export async function waitForLocalCopy(page: Page, documentName: string, expected: string, timeout = 5_000): Promise<void> {
  const deadline = Date.now() + timeout;
  let text = await localCopyText(page, documentName);
  while (!text.includes(expected)) {
    if (Date.now() > deadline) throw new Error(`the IndexedDB copy never held "${expected}"; it holds ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
    text = await localCopyText(page, documentName);
  }
}


/** Waits until the page's service worker is active: it has cached the app shell by then. */
export async function waitForServiceWorker(page: Page, timeout = 10_000): Promise<void> {
  await page.evaluate(async (ms) => {
    const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no active service worker within ${ms} ms`)), ms));
    await Promise.race([navigator.serviceWorker.ready, late]);
  }, timeout);
}

export interface BrowserSuite {
  readonly server: TestServer;
  readonly browser: Browser;
  /** Uncaught page errors (newPage and openDocument report there); each test must end with none. */
  readonly pageErrors: string[];
}

/**
 * For one test file: a server serving the editor (auto-versions off, `serverOptions` on top) and one Chromium,
 * started before its tests and stopped after them; after each test, no page may have thrown.
 */
export function browserSuite(serverOptions: Parameters<typeof startServer>[0] = {}): BrowserSuite {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const pageErrors: string[] = [];
  before(async () => {
    server = await startServer({ serveClient: true, logLevel: 'warn', autoVersions: false, ...serverOptions });
    browser = await launchChromium();
  });
  afterEach(() => {
    assert.deepEqual(pageErrors.splice(0), [], 'the pages threw no uncaught errors');
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get server() {
      if (!server) throw new Error('the suite’s server starts in before()');
      return server;
    },
    get browser() {
      if (!browser) throw new Error('the suite’s browser starts in before()');
      return browser;
    },
    pageErrors,
  };
}
