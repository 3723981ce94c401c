// End to end in Chromium: the Share dialog makes view and edit links, copies them with one click, and
// revokes them; a second and third browser open the links with their roles, and the revoked one is closed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { mintToken } from '../../server/cli/token.ts';
import { startServer } from '../helpers/server.ts';
import { browserSuite, newPage, personContext, waitForStatus, waitForText, type Person } from './browser.ts';

const SECRET = 'share-dialog-test-secret-long-enough-hs256';
const SCREENSHOT = fileURLToPath(new URL('../../docs/share-dialog.png', import.meta.url));
const ADA: Person = { name: 'Ada Lovelace', color: '#8e4ec6' };
const GRACE: Person = { name: 'Grace Hopper', color: '#12a594' };
const ALAN: Person = { name: 'Alan Turing', color: '#e5484d' };

const suite = browserSuite({ auth: 'jwt', jwtSecret: SECRET });

async function open(person: Person, url: string, viewport?: { width: number; height: number }): Promise<Page> {
  const context = await personContext(suite.browser, person, viewport);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.server.url });
  const page = await newPage(context, suite.pageErrors);
  await page.goto(url);
  await waitForStatus(page, 'saved');
  return page;
}

async function createLink(page: Page, role: 'read' | 'write'): Promise<string> {
  const before = await page.locator('[data-testid=share-link]').count();
  await page.selectOption('[data-testid=share-role]', role);
  await page.click('[data-testid=create-link]');
  await page.locator('[data-testid=share-link]').nth(before).waitFor();
  await page.locator('[data-testid=share-status]', { hasText: 'copied' }).waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  const listed = await page.locator('[data-testid=share-link-url]').nth(before).inputValue();
  assert.equal(copied, listed, 'the new link is on the clipboard');
  return listed;
}

test('share a document: a view link opens read-only, an edit link edits, revoking closes it within a second', async () => {
  const adminToken = await mintToken({ secret: SECRET, user: 'ada', docs: ['launch-plan:admin'], expiresInSeconds: 3600 });
  const ada = await open(ADA, `${suite.server.url}/d/launch-plan?token=${adminToken}`, { width: 1000, height: 720 });
  try {
    await ada.click('.ProseMirror');
    await ada.keyboard.type('Launch plan: ship on Monday.');
    await waitForStatus(ada, 'saved');

    await ada.click('[data-testid=share-toggle]');
    await ada.locator('[data-testid=share-dialog][open]').waitFor();
    const viewUrl = await createLink(ada, 'read');
    assert.match(viewUrl, new RegExp(`^${suite.server.url}/d/launch-plan#share=`));
    const editUrl = await createLink(ada, 'write');
    const rows = await ada.locator('[data-testid=share-link]').allInnerTexts();
    assert.equal(rows.length, 2);
    assert.ok(rows.every((row) => row.includes('by ada')), rows.join(' | '));

    const grace = await open(GRACE, viewUrl);
    await waitForText(grace, 'Launch plan: ship on Monday.');
    assert.equal(await grace.getAttribute('.ProseMirror', 'aria-readonly'), 'true', 'a view link is read-only');
    await grace.locator('.banner', { hasText: 'read-only' }).waitFor();
    await grace.locator('[role=toolbar]').waitFor({ state: 'hidden' });

    const alan = await open(ALAN, editUrl);
    await waitForText(alan, 'Launch plan: ship on Monday.');
    await alan.click('.ProseMirror');
    await alan.keyboard.press('Control+End');
    await alan.keyboard.type(' Alan checks the build.');
    await waitForText(ada, 'Launch plan: ship on Monday. Alan checks the build.');
    await waitForText(grace, 'Launch plan: ship on Monday. Alan checks the build.');

    await ada.mouse.move(5, 700);
    await mkdir(fileURLToPath(new URL('../../docs/', import.meta.url)), { recursive: true });
    await writeFile(SCREENSHOT, await ada.screenshot());

    // Revoke the edit link (the second row): Alan's editor is closed and says why; Grace keeps reading.
    const editRow = ada.locator('[data-testid=share-link]').nth(1);
    await editRow.locator('[data-testid=revoke-link]').click();
    const revokedAt = Date.now();
    await editRow.locator('[data-testid=confirm-revoke]').click();
    await alan.locator('.banner', { hasText: 'Access ended: this share link was revoked' }).waitFor({ timeout: 1_500 });
    assert.ok(Date.now() - revokedAt < 1_500, `closed after ${Date.now() - revokedAt} ms`);
    assert.equal(await alan.getAttribute('.ProseMirror', 'contenteditable'), 'false');
    await ada.locator('[data-testid=share-status]', { hasText: 'Link revoked' }).waitFor();
    assert.equal(await ada.locator('[data-testid=share-links] [data-testid=share-link]').count(), 1, 'one link still works');

    await ada.keyboard.press('Escape');
    await ada.locator('[data-testid=share-dialog][open]').waitFor({ state: 'detached' });
    assert.equal(await grace.getAttribute('.ProseMirror', 'aria-readonly'), 'true');
    await waitForText(grace, 'Alan checks the build.');
  } finally {
    await Promise.all(suite.browser.contexts().map((context) => context.close()));
  }
});

test('on a server without access control the dialog says everyone can already edit', async () => {
  const open = await startServer({ serveClient: true, logLevel: 'warn', autoVersions: false, auth: 'none' });
  const context = await personContext(suite.browser, ADA);
  try {
    const page = await newPage(context, suite.pageErrors);
    await page.goto(`${open.url}/d/open-doc`);
    await waitForStatus(page, 'saved');
    await page.click('[data-testid=share-toggle]');
    const note = page.locator('[data-testid=share-open-server]');
    await note.waitFor();
    assert.match(await note.innerText(), /everyone who can reach it can read and edit every document/);
    assert.equal(await page.locator('[data-testid=share-page-url]').inputValue(), `${open.url}/d/open-doc`);
  } finally {
    await context.close();
    await open.close();
  }
});
