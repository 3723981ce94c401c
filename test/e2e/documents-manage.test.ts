// End to end in Chromium: the documents page renames and deletes documents. A rename while another window edits
// the document sends that window to the new name with its text, and every keystroke typed across the switch is
// saved; a deletion is undone from its notice, or restored from Recently deleted; a window on a deleted document
// says so and stops editing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { browserSuite, documentText, newPage, openDocument, personContext, waitForStatus, waitForText, type Person } from './browser.ts';

const SCREENSHOT = fileURLToPath(new URL('../../docs/documents.png', import.meta.url));
const ADA: Person = { name: 'Ada Lovelace', color: '#8e4ec6' };
const GRACE: Person = { name: 'Grace Hopper', color: '#12a594' };

const suite = browserSuite();

async function exportText(name: string): Promise<string> {
  const response = await fetch(`${suite.server.url}/api/documents/${encodeURIComponent(name)}/export?format=text`);
  assert.equal(response.status, 200, `export of "${name}"`);
  return response.text();
}

async function listedNames(page: Page): Promise<string[]> {
  return page.locator('[data-testid=doc-list] .doc-link__name').allInnerTexts();
}

function isSubsequence(text: string, of: string): boolean {
  let at = 0;
  for (const char of text) {
    at = of.indexOf(char, at) + 1;
    if (at === 0) return false;
  }
  return true;
}

async function openList(): Promise<Page> {
  const context = await personContext(suite.browser, GRACE, { width: 1000, height: 860 });
  const page = await newPage(context, suite.pageErrors);
  await page.goto(`${suite.server.url}/`);
  await page.locator('[data-testid=doc-list]').waitFor();
  return page;
}

test('renaming from the list while another window types: that window follows to the new name and nothing typed is lost', async () => {
  const adaContext = await personContext(suite.browser, ADA);
  const ada = await openDocument(adaContext, suite.server.url, 'Launch plan', suite.pageErrors);
  await ada.click('.ProseMirror');
  await ada.keyboard.type('Ship on Monday.');
  await waitForStatus(ada, 'saved');

  const list = await openList();
  const row = list.locator('[data-testid=doc-list] li[data-name="Launch plan"]');
  await row.hover();
  await row.locator('[data-testid=doc-rename]').click();
  const input = row.locator('[data-testid=rename-input]');
  assert.equal(await input.inputValue(), 'Launch plan');
  await input.fill('a/b');
  await row.locator('[data-testid=rename-save]').click();
  await row.locator('[data-testid=rename-error]', { hasText: 'must not contain "/"' }).waitFor();

  // Ada keeps typing while the rename happens. Keys pressed in the instant the page swaps reach no editor (as
  // for any page change); every one that reached an editor must be saved under the new name, and typing goes
  // on where the caret was, without a click.
  const typed = ' Then a party, with cake for everyone.';
  const typing = (async () => {
    for (const char of typed) {
      await ada.keyboard.type(char);
      await ada.waitForTimeout(20);
    }
  })();
  await input.fill('Launch plan 2027');
  await row.locator('[data-testid=rename-save]').click();
  await list.locator('[data-testid=list-notice]', { hasText: 'Renamed “Launch plan” to “Launch plan 2027”.' }).waitFor();
  assert.deepEqual((await listedNames(list)).filter((name) => name.startsWith('Launch plan')), ['Launch plan 2027']);

  await ada.waitForURL(`${suite.server.url}/d/Launch%20plan%202027`);
  await ada.locator('[data-testid=notice]', { hasText: 'renamed “Launch plan” to “Launch plan 2027”' }).waitFor();
  assert.equal(await ada.locator('[data-testid=doc-title]').innerText(), 'Launch plan 2027');
  await typing;
  await ada.keyboard.type(' Done.');
  await waitForStatus(ada, 'saved');
  const shown = await documentText(ada);
  assert.equal((await exportText('Launch plan 2027')).trim(), shown, 'what the page shows is what the server has');
  assert.match(shown, /^Ship on Monday\. .*everyone\. Done\.$/, 'the typing went on in the new page, at the caret');
  assert.ok(isSubsequence(shown.slice('Ship on Monday.'.length, -' Done.'.length), typed), `only typed keys, in order: ${shown}`);
  assert.equal((await fetch(`${suite.server.url}/api/documents/Launch%20plan`)).status, 404);

  // Opening the old address later (a bookmark) lands on the new name too.
  const late = await newPage(adaContext, suite.pageErrors);
  await late.goto(`${suite.server.url}/d/Launch%20plan`);
  await late.waitForURL(`${suite.server.url}/d/Launch%20plan%202027`);
  await late.locator('[data-testid=notice]', { hasText: 'was renamed to “Launch plan 2027” while you were away' }).waitFor();
  await waitForText(late, shown);
  await adaContext.close();
  await list.context().close();
});

test('deleting from the list asks first; Undo brings it back; Recently deleted restores; an open window says it was deleted', async () => {
  for (const name of ['Budget', 'Old ideas', 'Roadmap']) {
    assert.equal((await fetch(`${suite.server.url}/api/documents/${encodeURIComponent(name)}`, { method: 'POST' })).status, 201);
  }
  const adaContext = await personContext(suite.browser, ADA);
  const ada = await openDocument(adaContext, suite.server.url, 'Budget', suite.pageErrors);
  await ada.click('.ProseMirror');
  await ada.keyboard.type('Numbers that matter.');
  await waitForStatus(ada, 'saved');

  const list = await openList();
  const budget = list.locator('[data-testid=doc-list] li[data-name="Budget"]');
  await budget.hover();
  await budget.locator('[data-testid=doc-delete]').click();
  await budget.locator('[data-testid=delete-cancel]').click();
  assert.ok((await listedNames(list)).includes('Budget'), 'Cancel keeps it');
  await budget.hover();
  await budget.locator('[data-testid=doc-delete]').click();
  await budget.getByText('You can restore it from Recently deleted').waitFor();
  await budget.locator('[data-testid=delete-confirm]').click();
  await list.locator('[data-testid=list-notice]', { hasText: 'Deleted “Budget”.' }).waitFor();
  assert.ok(!(await listedNames(list)).includes('Budget'));
  await list.locator('[data-testid=trash-list] li[data-name="Budget"]').waitFor();

  // The window on it is told, and stops taking edits.
  await ada.locator('[data-testid=error]', { hasText: 'This document was deleted' }).waitFor();
  assert.equal(await ada.getAttribute('.ProseMirror', 'contenteditable'), 'false');
  // Its copy on the device goes: kept, it would merge into a new document made under the name later.
  await ada.waitForFunction(async () => !(await indexedDB.databases()).some((db) => db.name === 'tandem:Budget'));

  await list.click('[data-testid=undo-delete]');
  await list.locator('[data-testid=list-notice]', { hasText: 'Restored “Budget”.' }).waitFor();
  await list.locator('[data-testid=doc-list] li[data-name="Budget"]').waitFor();
  assert.equal(await list.locator('[data-testid=trash-section]').isHidden(), true, 'the trash is empty again');
  assert.equal((await exportText('Budget')).trim(), 'Numbers that matter.');

  // Deleted again, then restored from Recently deleted (the screenshot shows the list with the trash).
  const oldIdeas = list.locator('[data-testid=doc-list] li[data-name="Old ideas"]');
  await oldIdeas.hover();
  await oldIdeas.locator('[data-testid=doc-delete]').click();
  await oldIdeas.locator('[data-testid=delete-confirm]').click();
  await list.locator('[data-testid=trash-list] li[data-name="Old ideas"]').waitFor();
  const roadmap = list.locator('[data-testid=doc-list] li[data-name="Roadmap"]');
  await roadmap.hover();
  await roadmap.locator('[data-testid=doc-rename]').click();
  await list.mouse.move(0, 0);
  await writeFile(SCREENSHOT, await list.screenshot({ fullPage: true }));
  await roadmap.locator('[data-testid=rename-cancel]').click();

  await list.locator('[data-testid=trash-list] li[data-name="Old ideas"]').locator('[data-testid=trash-restore]').click();
  await list.locator('[data-testid=list-notice]', { hasText: 'Restored “Old ideas”.' }).waitFor();
  assert.ok((await listedNames(list)).includes('Old ideas'));
  const reopened = await openDocument(adaContext, suite.server.url, 'Old ideas', suite.pageErrors);
  assert.equal(await documentText(reopened), '');
  await adaContext.close();
  await list.context().close();
});
