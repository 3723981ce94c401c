// End to end in Chromium: comments in the editor. A comment-token reader comments on a passage; the writer sees
// the thread and its highlight live, replies with an @mention (the commenter sees her replying); resolving
// moves it under Resolved; deleting the passage while another person types leaves the thread detached with its
// quote; a comment written while the server is down waits in the browser ("Sending…"), survives a reload and
// is stored once it is back; a commenter selects and comments with the keyboard alone (keys pressed at once,
// as a fast typist would).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { mintToken } from '../../server/cli/token.ts';
import { browserSuite, documentText, newPage, personContext, selectText, typeNewParagraph, waitForNoText, waitForStatus, waitForText, type Person } from './browser.ts';

const SECRET = 'comments-test-secret-long-enough-for-hs256';
const SCREENSHOT = fileURLToPath(new URL('../../docs/comments.png', import.meta.url));
const ADA: Person = { name: 'Ada Lovelace', color: '#8e4ec6' };
const CARL: Person = { name: 'Carl Sagan', color: '#0588f0' };
const GRACE: Person = { name: 'Grace Hopper', color: '#12a594' };

const suite = browserSuite({ auth: 'jwt', jwtSecret: SECRET });

const token = (user: string, name: string, grant: string): Promise<string> =>
  mintToken({ secret: SECRET, user, name, docs: [grant], expiresInSeconds: 3600 });

async function open(person: Person, doc: string, grant: string, viewport?: { width: number; height: number }): Promise<Page> {
  const context = await personContext(suite.browser, person, viewport);
  const page = await newPage(context, suite.pageErrors);
  await page.goto(`${suite.server.url}/d/${doc}?token=${await token(person.name.split(' ')[0]!.toLowerCase(), person.name, grant)}`);
  await waitForStatus(page, 'saved');
  return page;
}

/** Selects `passage`, which may span several text nodes (a highlight splits them). */
async function selectPassage(page: Page, passage: string): Promise<void> {
  await page.evaluate((target) => {
    const root = document.querySelector<HTMLElement>('.ProseMirror');
    if (!root) throw new Error('no editor on the page');
    const nodes: Text[] = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node as Text);
    const text = nodes.map((node) => node.data).join('');
    const start = text.indexOf(target);
    if (start < 0) throw new Error(`"${target}" is not in the editor`);
    // The start in the node the passage begins in, not at the end of the one before.
    const at = (offset: number, isStart = false): [Text, number] => {
      for (const node of nodes) {
        if (isStart ? offset < node.data.length : offset <= node.data.length) return [node, offset];
        offset -= node.data.length;
      }
      throw new Error('past the end');
    };
    root.focus();
    document.getSelection()?.setBaseAndExtent(...at(start, true), ...at(start + target.length));
  }, passage);
  await page.waitForFunction((target) => document.getSelection()?.toString() === target, passage).catch(async (error: unknown) => {
    throw new Error(`the selection is "${await page.evaluate(() => document.getSelection()?.toString())}"`, { cause: error });
  });
}

const threads = (page: Page) => page.locator('[data-testid=comment-thread]');

/** Selects `passage` and comments on it with the toolbar's Comment button. */
async function commentOn(page: Page, passage: string, body: string): Promise<void> {
  await selectText(page, passage);
  await page.locator('[data-testid=tb-comment][aria-disabled=false]').click();
  const input = page.locator('[data-testid=new-comment-input]');
  await input.waitFor();
  assert.equal(await input.evaluate((element) => element === document.activeElement), true, 'the new comment box has the focus');
  await page.keyboard.type(body);
  await page.keyboard.press('Enter');
}

async function listedThreads(doc: string): Promise<Array<{ quote: string; comments: Array<{ body: string }>; anchored: { state: string } | null }>> {
  const response = await fetch(`${suite.server.url}/api/documents/${doc}/comments`, { headers: { authorization: `Bearer ${await token('admin', 'Admin', `${doc}:admin`)}` } });
  assert.equal(response.status, 200);
  return ((await response.json()) as { threads: Array<{ quote: string; comments: Array<{ body: string }>; anchored: { state: string } | null }> }).threads;
}

test('comment, reply with a mention, resolve, and a thread whose passage was deleted stays, detached', async () => {
  // Admin: the History panel's REST calls need it (they are all admin's); on the text it is a writer.
  const ada = await open(ADA, 'plan', 'plan:admin', { width: 1100, height: 720 });
  const carl = await open(CARL, 'plan', 'plan:comment', { width: 1100, height: 720 });
  const grace = await open(GRACE, 'plan', 'plan:write');
  try {
    await ada.click('.ProseMirror');
    await ada.keyboard.type('The launch is planned for Monday morning, after the final review.');
    await typeNewParagraph(ada, 'Budget review happens on Friday.');
    await typeNewParagraph(ada, 'Notes:');
    await waitForText(carl, 'Budget review happens on Friday.');

    // Carl's token may comment, not edit: the text is read-only and the banner says what he can do.
    await carl.locator('.banner', { hasText: 'You can comment on this document but not edit it.' }).waitFor();
    assert.equal(await carl.getAttribute('.ProseMirror', 'aria-readonly'), 'true');
    await carl.click('.ProseMirror');
    await carl.keyboard.type('zzz');
    assert.ok(!(await documentText(carl)).includes('zzz'), 'typing changes nothing');

    await commentOn(carl, 'planned for Monday', 'Can we move this to Tuesday?');
    await threads(carl).first().waitFor();
    await carl.locator('[data-testid=comment-pending]').waitFor({ state: 'detached' });

    // Ada sees the thread's passage highlighted without a reload; clicking it opens the thread.
    const highlight = ada.locator('.comment-highlight', { hasText: 'planned for Monday' });
    await highlight.waitFor();
    assert.equal(await ada.locator('.comment-highlight').allInnerTexts().then((texts) => texts.join('')), 'planned for Monday');
    // Grace, who never opened the panel, sees on its button that one thread is open.
    await grace.locator('[data-testid=comments-count]', { hasText: /^1$/ }).waitFor();
    assert.equal(await grace.getAttribute('[data-testid=comments-toggle]', 'aria-label'), 'Comments, 1 open');
    await highlight.click();
    await ada.locator('[data-testid=comments-panel]').waitFor();
    const adaThread = threads(ada).first();
    await adaThread.and(ada.locator('[aria-current=true]')).waitFor();
    assert.equal(await adaThread.locator('[data-testid=thread-quote]').innerText(), 'planned for Monday');
    assert.match(await adaThread.locator('[data-testid=comment]').first().innerText(), /Carl Sagan[\s\S]*Can we move this to Tuesday\?/);

    // Typing right after the passage does not grow it (the anchor's end keeps to its last character).
    await ada.evaluate(() => {
      const text = [...document.querySelectorAll('.ProseMirror p')][0]?.firstChild;
      const walker = document.createTreeWalker(document.querySelector('.ProseMirror')!, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.textContent?.indexOf(' morning') ?? -1;
        if (at === 0) return document.getSelection()?.collapse(node, 0);
      }
      return text;
    });
    await ada.keyboard.type(' (or later)');
    await waitForText(carl, 'planned for Monday (or later) morning');
    assert.equal(await ada.locator('.comment-highlight').allInnerTexts().then((texts) => texts.join('')), 'planned for Monday');

    // A reply with an @mention chosen from the suggestions.
    await adaThread.locator('[data-testid=reply-input]').click();
    await ada.keyboard.type('Tuesday works, @Ca');
    await ada.locator('[data-testid=mention-option]', { hasText: '@Carl Sagan' }).waitFor();
    // Carl sees that Ada is writing a reply, under the thread, while she writes it.
    const replying = threads(carl).first().locator('[data-testid=thread-replying]');
    await replying.filter({ hasText: /^Ada Lovelace is replying…$/ }).waitFor();
    await ada.keyboard.press('Enter');
    assert.equal(await adaThread.locator('[data-testid=reply-input]').inputValue(), 'Tuesday works, @Carl Sagan ');
    await ada.keyboard.type('thanks!');
    await ada.keyboard.press('Enter');

    const carlThread = threads(carl).first();
    await carlThread.locator('[data-testid=comment]', { hasText: 'Tuesday works' }).waitFor();
    await replying.waitFor({ state: 'hidden' });
    assert.equal(await carlThread.locator('.mention').innerText(), '@Carl Sagan');

    // Carl edits his comment: Ada sees it, marked edited; Edit is only on one's own comments.
    assert.equal(await adaThread.locator('[data-testid=comment]').first().locator('[data-testid=edit-comment]').count(), 0);
    await carlThread.locator('[data-testid=comment]').first().locator('[data-testid=edit-comment]').click();
    await carl.locator('[data-testid=edit-input]').fill('Can we move this to Tuesday afternoon?');
    await carl.keyboard.press('Enter');
    await adaThread.locator('[data-testid=comment]', { hasText: 'Tuesday afternoon?' }).locator('.comment__edited').waitFor();

    // The screenshot: the passage highlighted in both windows, the thread open in the panel.
    await carlThread.locator('[data-testid=thread-quote]').click();
    await ada.mouse.move(5, 700);
    await mkdir(fileURLToPath(new URL('../../docs/', import.meta.url)), { recursive: true });
    await writeFile(SCREENSHOT, await ada.screenshot());

    // A reply box that leaves the page with the focus in it (Ada switches to Resolved) ends her replying.
    await adaThread.locator('[data-testid=reply-input]').click();
    await ada.keyboard.type('A draft');
    await replying.filter({ hasText: /^Ada Lovelace is replying…$/ }).waitFor();
    await ada.click('[data-testid=comments-filter-resolved]');
    await replying.waitFor({ state: 'hidden' });
    await ada.click('[data-testid=comments-filter-open]');
    await adaThread.locator('[data-testid=reply-input]').fill('');

    // Carl resolves: for Ada the thread moves under Resolved and its highlight goes.
    await carlThread.locator('[data-testid=resolve-thread]').click();
    await ada.locator('.comment-highlight').waitFor({ state: 'detached' });
    await ada.locator('[data-testid=comments-filter-open]', { hasText: 'Open (0)' }).waitFor();
    await grace.locator('[data-testid=comments-count]').waitFor({ state: 'hidden' });
    await ada.click('[data-testid=comments-filter-resolved]');
    await threads(ada).first().locator('[data-testid=thread-resolved]', { hasText: 'Resolved by Carl Sagan' }).waitFor();

    // Another thread; Ada deletes its passage while Grace types elsewhere: the thread stays, detached.
    await commentOn(carl, 'Budget review happens', 'Which budget?');
    await ada.click('[data-testid=comments-filter-open]');
    await threads(ada).first().waitFor();
    await ada.locator('.comment-highlight', { hasText: 'Budget review happens' }).waitFor();
    await selectPassage(ada, 'Budget review happens on Friday.');
    await Promise.all([typeNewParagraph(grace, 'Grace adds a line at the end.'), ada.keyboard.press('Backspace')]);
    await waitForNoText(carl, 'Budget review');
    await waitForText(carl, 'Grace adds a line at the end.');
    for (const page of [ada, carl]) {
      const detached = threads(page).first();
      await detached.and(page.locator('[data-state=detached]')).waitFor();
      assert.match(await detached.innerText(), /The text this was on was deleted[\s\S]*Budget review happens/);
    }
    const stored = await listedThreads('plan');
    assert.equal(stored.length, 2);
    assert.equal(stored[1]?.anchored?.state, 'detached');

    // A version keeps the threads as they were: its History preview lists them, small and read-only.
    await ada.click('[data-testid=history-toggle]');
    assert.equal(await ada.locator('[data-testid=comments-panel]').isVisible(), false, 'one panel at a time');
    await ada.fill('[data-testid=version-label]', 'With comments');
    await ada.click('[data-testid=save-version]');
    await ada.locator('[data-testid=version-item]', { hasText: 'With comments' }).click();
    const versionThreads = ada.locator('[data-testid=version-thread]');
    await versionThreads.first().waitFor();
    assert.deepEqual(await versionThreads.allInnerTexts(), [
      'planned for Monday\nCarl Sagan: Can we move this to Tuesday afternoon?\n1 reply · Resolved',
      'Its text was deleted in this version\nBudget review happens\nCarl Sagan: Which budget?\n0 replies · Open',
    ]);
  } finally {
    await Promise.all([ada, carl, grace].map((page) => page.context().close()));
  }
});

test('a comment written while the server is down says Sending…, survives a reload, and is stored once it is back', async () => {
  const ada = await open(ADA, 'offline-plan', 'offline-plan:write');
  const carl = await open(CARL, 'offline-plan', 'offline-plan:comment');
  try {
    await ada.click('.ProseMirror');
    await ada.keyboard.type('Ship the offline mode next sprint.');
    await waitForText(carl, 'Ship the offline mode next sprint.');
    // The access notice came: he may comment.
    await carl.locator('.banner', { hasText: 'You can comment' }).waitFor();

    await suite.server.stop();
    await waitForStatus(carl, 'offline');
    // By keyboard this time: Mod-Alt-m on the selection, Enter to send.
    await selectText(carl, 'offline mode');
    await carl.keyboard.press('Control+Alt+m');
    await carl.locator('[data-testid=new-comment-input]').waitFor();
    await carl.keyboard.type('Does it cover comments?');
    await carl.keyboard.press('Enter');
    await threads(carl).locator('[data-testid=comment-pending]', { hasText: 'Sending…' }).waitFor();
    const kept = await carl.evaluate(() => localStorage.getItem('tandem:pending-comments:offline-plan'));
    assert.match(kept ?? '', /Does it cover comments\?/, 'the comment waits in localStorage');

    // A new page of Carl's (the same browser storage) sends it once the server is back.
    const context = carl.context();
    await carl.close();
    await suite.server.restart();
    const again = await newPage(context, suite.pageErrors);
    await again.goto(`${suite.server.url}/d/offline-plan?token=${await token('carl', CARL.name, 'offline-plan:comment')}`);
    // Opened over its local copy, whose updates the server already holds: they are acknowledged, not left
    // counting as unsaved.
    await waitForStatus(again, 'saved');
    await again.click('[data-testid=comments-toggle]');
    await threads(again).first().waitFor();
    await again.locator('[data-testid=comment-pending]').waitFor({ state: 'detached' });
    assert.equal(await again.evaluate(() => localStorage.getItem('tandem:pending-comments:offline-plan')), null, 'acknowledged, it leaves the outbox');
    const stored = await listedThreads('offline-plan');
    assert.deepEqual(stored.map((thread) => [thread.quote, thread.comments.map((comment) => comment.body), thread.anchored?.state]), [['offline mode', ['Does it cover comments?'], 'attached']]);
    await ada.locator('.comment-highlight', { hasText: 'offline mode' }).waitFor();
  } finally {
    await Promise.all([ada, carl].map((page) => page.context().close()));
  }
});

test('a commenter reaches the text, selects a passage and comments with the keyboard alone; typing, deleting and Enter change nothing', async () => {
  const ada = await open(ADA, 'keys', 'keys:write');
  const carl = await open(CARL, 'keys', 'keys:comment');
  try {
    await ada.click('.ProseMirror');
    await ada.keyboard.type('First line.');
    await typeNewParagraph(ada, 'Budget review happens on Friday.');
    await waitForText(carl, 'Budget review happens on Friday.');
    await carl.locator('.banner', { hasText: 'You can comment' }).waitFor();
    const before = await documentText(carl);

    // His toolbar offers what he may do, commenting, and no dead formatting buttons.
    assert.deepEqual(await carl.locator('[role=toolbar] button:visible').evaluateAll((buttons) => buttons.map((button) => button.dataset.testid)), ['tb-comment']);
    // Tab from the toolbar's stop into the text; the caret is there, as in an editable document.
    await carl.locator('[role=toolbar] button[tabindex="0"]').focus();
    await carl.keyboard.press('Tab');
    assert.equal(await carl.evaluate(() => document.activeElement?.classList.contains('ProseMirror')), true, 'Tab reaches the text');
    await carl.keyboard.press('Control+Home');
    await carl.keyboard.type('zzz');
    for (const key of ['Backspace', 'Delete', 'Enter']) await carl.keyboard.press(key);
    await carl.keyboard.press('ArrowDown');
    for (let i = 0; i < 'Budget review'.length; i++) await carl.keyboard.press('Shift+ArrowRight');
    assert.equal(await carl.evaluate(() => document.getSelection()?.toString()), 'Budget review');
    assert.equal(await documentText(carl), before, 'keys that edit change nothing on the page');

    await carl.keyboard.press('Control+Alt+m');
    await carl.locator('[data-testid=new-comment-input]').waitFor();
    await carl.keyboard.type('Which budget?');
    await carl.keyboard.press('Enter');
    await threads(carl).first().waitFor();
    await carl.locator('[data-testid=comment-pending]').waitFor({ state: 'detached' });
    await ada.locator('.comment-highlight', { hasText: 'Budget review' }).waitFor();
    const stored = await listedThreads('keys');
    assert.deepEqual(stored.map((thread) => [thread.quote, thread.comments.map((comment) => comment.body)]), [['Budget review', ['Which budget?']]]);
    assert.equal(await documentText(ada), before, 'nothing Carl typed reached the document');

    // A commenter is offered what the server allows him: downloads, not History, sharing or import.
    for (const control of ['history-toggle', 'share-toggle']) assert.equal(await carl.locator(`[data-testid=${control}]`).isVisible(), false, `no ${control}`);
    await carl.click('[data-testid=file-toggle]');
    assert.equal(await carl.locator('[data-testid=import-item]').isVisible(), false, 'no import');
    const [download] = await Promise.all([carl.waitForEvent('download'), carl.click('[data-testid=download-md]')]);
    assert.equal(download.suggestedFilename(), 'keys.md');
    assert.match(await readFile((await download.path())!, 'utf8'), /Budget review happens on Friday\./);

    // Escape closes the panel and gives the keyboard back to the text, where the comment was started.
    await threads(carl).first().locator('[data-testid=reply-input]').focus();
    await carl.keyboard.press('Escape');
    await carl.locator('[data-testid=comments-panel]').waitFor({ state: 'hidden' });
    assert.equal(await carl.evaluate(() => document.activeElement?.classList.contains('ProseMirror')), true, 'the text has the focus again');

    // A second thread, on the first line; the keyboard lands on it, and Escape leads back to the text.
    await carl.keyboard.press('Control+Home');
    await carl.keyboard.press('Shift+End');
    await carl.keyboard.press('Control+Alt+m');
    await carl.locator('[data-testid=new-comment-input]').waitFor();
    await carl.keyboard.type('Which line?');
    await carl.keyboard.press('Enter');
    const firstLine = threads(carl).filter({ hasText: 'Which line?' });
    await firstLine.and(carl.locator('[aria-current=true]')).waitFor();
    assert.equal(await firstLine.evaluate((card) => card === document.activeElement), true, 'the new thread has the focus');
    await carl.keyboard.press('Escape');
    await carl.locator('[data-testid=comments-panel]').waitFor({ state: 'hidden' });
    // With the panel open, moving the caret into a passage selects its thread, as a click on it would.
    await carl.click('[data-testid=comments-toggle]');
    await carl.locator('.ProseMirror').focus();
    await carl.keyboard.press('ArrowDown');
    await carl.keyboard.press('Home');
    for (let i = 0; i < 3; i++) await carl.keyboard.press('ArrowRight');
    await threads(carl).filter({ hasText: 'Which budget?' }).and(carl.locator('[aria-current=true]')).waitFor();
    assert.equal(await carl.evaluate(() => document.activeElement?.classList.contains('ProseMirror')), true, 'the keyboard stays in the text');
  } finally {
    await Promise.all([ada, carl].map((page) => page.context().close()));
  }
});

test('at 375 px the Comments panel opens as a sheet within the screen', async () => {
  // Admin: History is admin's (the server's versions API), and this test opens it.
  const phone = await open(GRACE, 'plan', 'plan:admin', { width: 375, height: 700 });
  try {
    await phone.click('[data-testid=comments-toggle]');
    const panel = phone.locator('[data-testid=comments-panel]');
    await panel.waitFor();
    await threads(phone).first().waitFor();
    const box = await phone.locator('[data-testid=side-panel]').boundingBox();
    assert.ok(box, 'the panel is shown');
    assert.ok(box.y >= 0 && box.y + box.height <= 700 && box.x >= 0 && box.x + box.width <= 375, `within the screen: ${JSON.stringify(box)}`);
    assert.equal(await phone.locator('[data-testid=history-panel]').isVisible(), false, 'one panel at a time');
    // Opening History puts it in the Comments panel's place.
    await phone.click('[data-testid=history-toggle]');
    await phone.locator('[data-testid=history-panel]').waitFor();
    assert.equal(await panel.isVisible(), false);
  } finally {
    await phone.context().close();
  }
});
