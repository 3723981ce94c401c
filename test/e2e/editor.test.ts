// End to end in Chromium: two people co-editing one document through a real Tandem server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startServer } from '../helpers/server.ts';
import {
  documentText,
  browserSuite,
  newPage,
  openDocument,
  personContext,
  selectText,
  statusHistory,
  typeNewParagraph,
  waitForLocalCopy,
  waitForNoText,
  waitForServiceWorker,
  waitForStatus,
  waitForText,
  type Person,
} from './browser.ts';
import { composeWindows } from './compose-windows.ts';

const SCREENSHOT = fileURLToPath(new URL('../../docs/screenshot.png', import.meta.url));
const ADA: Person = { name: 'Ada Lovelace', color: '#8e4ec6' };
const GRACE: Person = { name: 'Grace Hopper', color: '#12a594' };

// Automatic versions on, as a user's server runs.
const suite = browserSuite({ autoVersions: true });

/** Ada and Grace, each in a browser context of their own, with the same document open and saved. */
async function twoPeople(name: string, viewport?: { width: number; height: number }) {
  const contexts = await Promise.all([personContext(suite.browser, ADA, viewport), personContext(suite.browser, GRACE, viewport)]);
  const close = async (): Promise<void> => {
    await Promise.all(contexts.map((context) => context.close()));
  };
  try {
    const [ada, grace] = await Promise.all(contexts.map((context) => openDocument(context, suite.server.url, name, suite.pageErrors)));
    if (!ada || !grace) throw new Error('two pages were asked for');
    return { ada, grace, close };
  } catch (error) {
    await close();
    throw error;
  }
}

test('text typed in one window appears in the other within 2 s, with the typist’s caret label and avatar', async () => {
  const { ada, grace, close } = await twoPeople('co-editing');
  try {

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

    // A new name reaches the other window's avatars as it is typed, and the caret label once Grace is back in the text.
    await grace.fill('[data-testid=user-name]', 'Rear Admiral Hopper');
    await ada.locator('[data-testid=avatar][title="Rear Admiral Hopper"]').waitFor({ state: 'visible', timeout: 2_000 });
    await grace.click('.ProseMirror');
    await ada.locator('.collaboration-carets__label', { hasText: 'Rear Admiral Hopper' }).waitFor({ timeout: 2_000 });
  } finally {
    await close();
  }
});

test('a reload keeps the content', async () => {
  const context = await personContext(suite.browser, ADA);
  try {
    const page = await openDocument(context, suite.server.url, 'reload', suite.pageErrors);
    await page.click('.ProseMirror');
    await page.keyboard.type('Still here after a reload.');
    await waitForStatus(page, 'saved');
    await page.reload();
    await waitForStatus(page, 'saved');
    await waitForText(page, 'Still here after a reload.');
    // And from the server, not only this browser's copy: a fresh browser sees it too.
    const fresh = await personContext(suite.browser, GRACE);
    try {
      await waitForText(await openDocument(fresh, suite.server.url, 'reload', suite.pageErrors), 'Still here after a reload.');
    } finally {
      await fresh.close();
    }
  } finally {
    await context.close();
  }
});

test('while the server restarts, pages show Offline, keep edits on the device (across a reload too), and converge when it is back', async () => {
  const { ada, grace, close } = await twoPeople('restart');
  let serverDown = false;
  try {
    await ada.click('.ProseMirror');
    await ada.keyboard.type('Written before the restart.');
    await waitForText(grace, 'Written before the restart.');
    await Promise.all([waitForStatus(ada, 'saved'), waitForStatus(grace, 'saved')]);
    await waitForServiceWorker(grace);

    await suite.server.stop();
    serverDown = true;
    await Promise.all([waitForStatus(ada, 'offline'), waitForStatus(grace, 'offline')]);
    await typeNewParagraph(ada, 'Ada typed this offline.');
    await typeNewParagraph(grace, 'Grace typed this offline.');
    assert.ok(!(await documentText(grace)).includes('Ada typed this offline.'), 'no server, so nothing can travel yet');
    // IndexedDB writes are asynchronous; a reload in the same instant as the last keystroke could cut them off.
    await waitForLocalCopy(grace, 'restart', 'Grace typed this offline.');

    // A reload while the server is down: the service worker has the page, IndexedDB the text.
    await grace.reload();
    assert.ok(await grace.evaluate(() => navigator.serviceWorker.controller !== null), 'the service worker served the page');
    await waitForText(grace, 'Grace typed this offline.');
    await waitForText(grace, 'Written before the restart.');
    await waitForStatus(grace, 'offline');
    await typeNewParagraph(grace, 'Grace typed this after reloading.');
    await waitForLocalCopy(grace, 'restart', 'Grace typed this after reloading.');

    // The list page loads too, and says the list is unavailable: API answers are never served from a cache.
    const list = await newPage(grace.context(), suite.pageErrors);
    try {
      await list.goto(`${suite.server.url}/`);
      await list.getByText('Could not load the document list: the server could not be reached.').waitFor();
    } finally {
      await list.close();
    }

    await suite.server.restart();
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
    await close();
    // Later tests need a running server even when this one failed half-way.
    if (serverDown) await suite.server.restart();
  }
});

test('undo in one window undoes only that window’s change', async () => {
  const { ada, grace, close } = await twoPeople('undo');
  try {
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
    await close();
  }
});

test('the list shows documents newest first and opens a new one by a valid name', async () => {
  const context = await personContext(suite.browser, ADA);
  try {
    const page = await newPage(context, suite.pageErrors);
    await page.goto(`${suite.server.url}/`);
    const links = page.locator('[data-testid=doc-link]');
    await links.first().waitFor();
    const shown = await page.locator('[data-testid=doc-link] .doc-link__name').allTextContents();
    const response = (await (await fetch(`${suite.server.url}/api/documents`)).json()) as {
      documents: Array<{ name: string; updatedAt: string }>;
    };
    const newestFirst = [...response.documents].sort(
      (a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt) || a.name.localeCompare(b.name),
    );
    assert.deepEqual(shown, newestFirst.map((entry) => entry.name));
    assert.ok(shown.includes('co-editing'), 'documents from earlier tests are listed');

    // Search by name (any case) and sort by name; a search that matches nothing says so.
    await page.fill('[data-testid=doc-search]', 'CO-EDIT');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=doc-link]').length === 1);
    assert.deepEqual(await page.locator('[data-testid=doc-link] .doc-link__name').allTextContents(), ['co-editing']);
    await page.fill('[data-testid=doc-search]', 'no such name');
    await page.locator('[data-testid=no-match]').waitFor();
    await page.fill('[data-testid=doc-search]', '');
    await page.selectOption('[data-testid=doc-sort]', 'name');
    const byName = await page.locator('[data-testid=doc-link] .doc-link__name').allTextContents();
    assert.deepEqual(byName, [...shown].sort(new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }).compare));

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

    // History-API navigation: Back shows the list again, with the new document in it although nobody typed in
    // it, and a list entry opens its document.
    await page.goBack();
    await page.locator('[data-testid=doc-link]', { hasText: 'Notes: 50% done?' }).waitFor();

    // A name taken since the list was loaded is not opened as if it were new.
    assert.equal((await fetch(`${suite.server.url}/api/documents/${encodeURIComponent('Taken meanwhile')}`, { method: 'POST' })).status, 201);
    await page.fill('[data-testid=new-doc-name]', 'Taken meanwhile');
    await page.click('[data-testid=new-doc-create]');
    await page.getByText('A document named “Taken meanwhile” already exists. Press Open to open it, or choose another name.').waitFor();
    assert.equal(new URL(page.url()).pathname, '/');
    assert.equal(await page.textContent('[data-testid=new-doc-create]'), 'Open');

    await page.locator('[data-testid=doc-link]', { hasText: 'undo' }).click();
    await waitForStatus(page, 'saved');
    await waitForText(page, 'Ada wrote this.');
  } finally {
    await context.close();
  }
});

test('an edit larger than the server accepts is explained on the page', async () => {
  const small = await startServer({ serveClient: true, logLevel: 'warn', maxMessageBytes: 4096 });
  const context = await personContext(suite.browser, ADA);
  try {
    const page = await newPage(context, suite.pageErrors);
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
  const { ada, grace, close } = await twoPeople('Team offsite', viewport);
  try {
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
    const png = await composeWindows(suite.browser, [
      { title: `${ADA.name} — Tandem`, image: left },
      { title: `${GRACE.name} — Tandem`, image: right },
    ]);
    await mkdir(fileURLToPath(new URL('../../docs/', import.meta.url)), { recursive: true });
    await writeFile(SCREENSHOT, png);
    assert.ok(png.length > 10_000, 'the screenshot has content');
  } finally {
    await close();
  }
});
