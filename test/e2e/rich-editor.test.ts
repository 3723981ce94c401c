// End to end in Chromium: the richer editor (alignment, task lists, images by URL, tables, rules, links with their
// popover) used through the toolbar and shortcuts; a second person sees it all, and so does the server's export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { PmNode } from '../../server/versions/prosemirror-json.ts';
import { browserSuite, openDocument, personContext, selectText, waitForStatus, type Person } from './browser.ts';

const ADA: Person = { name: 'Ada Lovelace', color: '#8e4ec6' };
const GRACE: Person = { name: 'Grace Hopper', color: '#12a594' };

const suite = browserSuite();

/** Puts the caret at the end of the line holding `text`. */
async function caretAfter(page: Page, text: string): Promise<void> {
  await selectText(page, text);
  await page.keyboard.press('End');
  // ProseMirror takes the collapsed caret from the selectionchange event, which comes after the key: a command
  // run before it would act on the selected word (Enter would replace it).
  await page.waitForFunction(() => document.getSelection()?.isCollapsed === true);
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50))));
}

/** Asks the URL form for `url`: it must refuse `refused` first, saying why, and stay open. */
async function answerUrlForm(page: Page, url: string, refused?: string): Promise<void> {
  const input = page.locator('[data-testid=url-input]');
  await input.waitFor({ state: 'visible' });
  if (refused !== undefined) {
    await input.fill(refused);
    await input.press('Enter');
    await page.locator('[data-testid=url-problem]').filter({ hasText: /./ }).waitFor();
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    assert.ok(await page.locator('[data-testid=url-form]').isVisible(), 'the form stays open');
  }
  await input.fill(url);
  await input.press('Enter');
  await page.locator('[data-testid=url-form]').waitFor({ state: 'hidden' });
}

function walk(node: PmNode, visit: (node: PmNode) => void): void {
  visit(node);
  for (const child of node.content ?? []) walk(child, visit);
}

test('tables, task lists, images, rules, alignment and links: made in one window, seen in another and exported', async () => {
  const contexts = await Promise.all([personContext(suite.browser, ADA, { width: 1100, height: 900 }), personContext(suite.browser, GRACE)]);
  const name = 'rich-editor';
  try {
    const [ada, grace] = await Promise.all(contexts.map((context) => openDocument(context, suite.server.url, name, suite.pageErrors)));
    assert.ok(ada && grace);
    await ada.click('.ProseMirror');
    for (const [i, line] of ['Centred title', 'Buy milk', 'Image below', 'Table below', 'Rule below', 'Read the docs and nothing gone'].entries()) {
      if (i > 0) await ada.keyboard.press('Enter');
      await ada.keyboard.type(line);
    }

    // Alignment from the toolbar; the button shows it pressed, and its title names Tiptap's shortcut.
    await caretAfter(ada, 'Centred title');
    assert.equal(await ada.getAttribute('[data-testid=tb-align-center]', 'title'), 'Centre (Ctrl+Shift+E)');
    await ada.click('[data-testid=tb-align-center]');
    await ada.locator('.ProseMirror p[style*="text-align: center"]', { hasText: 'Centred title' }).waitFor();
    await ada.locator('[data-testid=tb-align-center][aria-pressed=true]').waitFor();

    // A task list by its shortcut, a second item and a nested one; then a checkbox ticked.
    await caretAfter(ada, 'Buy milk');
    await ada.keyboard.press('Control+Shift+9');
    await ada.locator('.ProseMirror ul[data-type=taskList] > li', { hasText: 'Buy milk' }).waitFor();
    await ada.keyboard.press('Enter');
    await ada.keyboard.type('Write tests');
    await ada.keyboard.press('Enter');
    await ada.keyboard.press('Tab');
    await ada.keyboard.type('Nested step');
    await ada.locator('.ProseMirror ul[data-type=taskList] ul[data-type=taskList] li', { hasText: 'Nested step' }).waitFor();
    // Found by its item's text, not its aria-label: Tiptap writes that label when it renders the item, and an
    // item made by a shortcut and then split may keep "empty task item".
    await ada.getByRole('checkbox', { name: 'Task item checkbox for Buy milk', exact: true }).click();
    await ada.locator('.ProseMirror ul[data-type=taskList] > li[data-checked=true]', { hasText: 'Buy milk' }).waitFor();

    // An image by URL, through the form in the page: a script URL is refused with a reason.
    await caretAfter(ada, 'Image below');
    await ada.keyboard.press('Enter');
    // Escape cancels the form and inserts nothing.
    await ada.click('[data-testid=tb-image]');
    await ada.locator('[data-testid=url-input]').press('Escape');
    await ada.locator('[data-testid=url-form]').waitFor({ state: 'hidden' });
    assert.equal(await ada.locator('.ProseMirror img').count(), 0);
    await ada.click('[data-testid=tb-image]');
    await ada.locator('[data-testid=url-detail]').fill('A diagram');
    const imageUrl = `${suite.server.url}/no-such-picture.png`;
    await answerUrlForm(ada, imageUrl, 'javascript:alert(1)');
    await ada.locator(`.ProseMirror img[src="${imageUrl}"][alt="A diagram"]`).waitFor({ state: 'attached' });

    // A 3 × 3 table with a header row; inside it the table commands show, and add and delete rows and columns.
    await caretAfter(ada, 'Table below');
    await ada.keyboard.press('Enter');
    assert.equal(await ada.locator('[data-testid=tb-group-table]').isVisible(), false, 'no table commands outside a table');
    await ada.click('[data-testid=tb-table]');
    await ada.locator('.ProseMirror table').waitFor();
    assert.equal(await ada.locator('.ProseMirror table th').count(), 3);
    assert.equal(await ada.locator('.ProseMirror table td').count(), 6);
    await ada.keyboard.type('Name');
    await ada.keyboard.press('Tab');
    await ada.keyboard.type('Role');
    await ada.locator('[data-testid=tb-group-table]').waitFor({ state: 'visible' });
    await ada.click('[data-testid=tb-row-after]');
    await ada.waitForFunction(() => document.querySelectorAll('.ProseMirror table tr').length === 4);
    await ada.click('[data-testid=tb-column-delete]');
    await ada.waitForFunction(() => document.querySelectorAll('.ProseMirror table th').length === 2);
    await ada.click('[data-testid=tb-column-after]');
    await ada.waitForFunction(() => document.querySelectorAll('.ProseMirror table th').length === 3);
    assert.equal(await ada.locator('[data-testid=tb-table]').getAttribute('aria-disabled'), 'true', 'no table in a table');

    // A horizontal rule from the toolbar.
    await caretAfter(ada, 'Rule below');
    await ada.click('[data-testid=tb-horizontal-rule]');
    await ada.locator('.ProseMirror hr').waitFor();

    // A link by Mod-k on selected text (the form refuses a script URL; a bare host gets https://).
    await selectText(ada, 'docs');
    assert.equal(await ada.getAttribute('[data-testid=tb-link]', 'title'), 'Link (Ctrl+K)');
    await ada.keyboard.press('Control+k');
    await answerUrlForm(ada, 'example.com/docs', 'javascript:alert(1)');
    await ada.locator('.ProseMirror a[href="https://example.com/docs"]', { hasText: 'docs' }).waitFor();
    // The caret is in the link: the popover shows its address, Open (a new tab, no opener), Edit and Remove.
    const popover = ada.locator('[data-testid=link-popover]');
    await popover.waitFor({ state: 'visible' });
    assert.equal(await popover.locator('[data-testid=link-href]').textContent(), 'https://example.com/docs');
    const open = popover.locator('[data-testid=link-open]');
    assert.equal(await open.getAttribute('href'), 'https://example.com/docs');
    assert.equal(await open.getAttribute('target'), '_blank');
    assert.match((await open.getAttribute('rel')) ?? '', /\bnoopener\b/);
    for (const action of ['link-edit', 'link-remove']) assert.ok(await popover.locator(`[data-testid=${action}]`).isVisible(), action);
    // Edit: the form opens with the address, and saves a new one.
    await popover.locator('[data-testid=link-edit]').click();
    assert.equal(await ada.locator('[data-testid=url-input]').inputValue(), 'https://example.com/docs');
    await answerUrlForm(ada, 'https://example.org/docs');
    await ada.locator('.ProseMirror a[href="https://example.org/docs"]', { hasText: 'docs' }).waitFor();
    // Remove: a second link, from the toolbar button, taken away again by the popover; its text stays.
    await selectText(ada, 'gone');
    await ada.click('[data-testid=tb-link]');
    await answerUrlForm(ada, 'https://example.com/gone');
    await ada.locator('.ProseMirror a', { hasText: 'gone' }).waitFor();
    await popover.locator('[data-testid=link-remove]').click();
    await ada.locator('.ProseMirror a', { hasText: 'gone' }).waitFor({ state: 'detached' });
    await ada.locator('.ProseMirror p', { hasText: 'nothing gone' }).waitFor();
    // Away from links, the popover goes.
    await caretAfter(ada, 'Centred title');
    await popover.waitFor({ state: 'hidden' });

    // The second window shows all of it, through the server.
    await grace.locator('.ProseMirror p[style*="text-align: center"]', { hasText: 'Centred title' }).waitFor();
    assert.equal(await grace.getByRole('checkbox', { name: 'Task item checkbox for Buy milk', exact: true }).isChecked(), true);
    assert.equal(await grace.getByRole('checkbox', { name: 'Task item checkbox for Buy milk', exact: true }).isChecked(), true);
    await grace.locator('.ProseMirror ul[data-type=taskList] ul[data-type=taskList] li', { hasText: 'Nested step' }).waitFor();
    await grace.locator(`.ProseMirror img[src="${imageUrl}"][alt="A diagram"]`).waitFor({ state: 'attached' });
    await grace.locator('.ProseMirror table th', { hasText: 'Name' }).waitFor();
    await grace.waitForFunction(() => document.querySelectorAll('.ProseMirror table tr').length === 4 && document.querySelectorAll('.ProseMirror table th').length === 3);
    await grace.locator('.ProseMirror hr').waitFor();
    await grace.locator('.ProseMirror a[href="https://example.org/docs"]', { hasText: 'docs' }).waitFor();
    assert.equal(await grace.locator('.ProseMirror a', { hasText: 'gone' }).count(), 0);

    // Grace ticks the nested item; Ada sees it.
    await grace.getByRole('checkbox', { name: 'Task item checkbox for Nested step', exact: true }).click();
    await ada.locator('.ProseMirror ul[data-type=taskList] > li[data-checked=true]', { hasText: 'Nested step' }).waitFor();

    // The server's export holds the same nodes, marks and attributes.
    await Promise.all([waitForStatus(ada, 'saved'), waitForStatus(grace, 'saved')]);
    const exported = (await (await fetch(`${suite.server.url}/api/documents/${name}/export?format=json`)).json()) as PmNode;
    const types = new Set<string>();
    const checked: Array<[string, unknown]> = [];
    const links: unknown[] = [];
    let image: PmNode | undefined;
    let centred = false;
    walk(exported, (node) => {
      types.add(node.type);
      if (node.type === 'taskItem') checked.push([node.content?.[0]?.content?.[0]?.text ?? '', node.attrs?.checked]);
      if (node.type === 'image') image = node;
      if (node.type === 'paragraph' && node.attrs?.textAlign === 'center') centred = true;
      for (const mark of node.marks ?? []) if (mark.type === 'link') links.push(mark.attrs?.href);
    });
    for (const type of ['table', 'tableRow', 'tableHeader', 'tableCell', 'taskList', 'taskItem', 'image', 'horizontalRule']) assert.ok(types.has(type), `the export has a ${type}`);
    assert.deepEqual(checked, [['Buy milk', true], ['Write tests', false], ['Nested step', true]]);
    assert.equal(image?.attrs?.src, imageUrl);
    assert.equal(image?.attrs?.alt, 'A diagram');
    assert.ok(centred, 'a centred paragraph');
    assert.deepEqual(links, ['https://example.org/docs']);
  } finally {
    await Promise.all(contexts.map((context) => context.close()));
  }
});
