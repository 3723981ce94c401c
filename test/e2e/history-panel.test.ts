// End to end in Chromium: the version-history panel saves, previews, diffs and restores a version, and the
// other window follows the restore without reloading and is told who restored which version.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSuite, documentText, openDocument, personContext, typeNewParagraph, waitForNoText, waitForText, type Person } from './browser.ts';

const ADA: Person = { name: 'Ada Lovelace', color: '#8e4ec6' };
const GRACE: Person = { name: 'Grace Hopper', color: '#12a594' };

const suite = browserSuite();

test('save a version, preview it with its changes, restore it with confirmation; the other window follows', async () => {
  const contexts = await Promise.all([personContext(suite.browser, ADA, { width: 1200, height: 800 }), personContext(suite.browser, GRACE)]);
  try {
    const [ada, grace] = await Promise.all(contexts.map((context) => openDocument(context, suite.server.url, 'history', suite.pageErrors)));
    assert.ok(ada && grace);

    await ada.click('.ProseMirror');
    await ada.keyboard.type('The first draft.');
    await waitForText(grace, 'The first draft.', 2_000);

    await ada.click('[data-testid=history-toggle]');
    await ada.fill('[data-testid=version-label]', 'First draft');
    await ada.click('[data-testid=save-version]');
    await ada.locator('[data-testid=version-item]', { hasText: 'First draft' }).waitFor();
    const item = ada.locator('[data-testid=version-item]', { hasText: 'First draft' });
    assert.match(await item.innerText(), /Ada Lovelace/);

    await typeNewParagraph(grace, 'Grace adds a second paragraph.');
    await waitForText(ada, 'Grace adds a second paragraph.', 2_000);

    await item.click();
    const preview = ada.locator('[data-testid=version-document]');
    await preview.waitFor();
    assert.equal((await preview.innerText()).trim(), 'The first draft.');
    // The changes since the version show Grace's addition. (Where her paragraph lands relative to Ada's
    // caret label is the browser's business; under load it has landed in front of Ada's text.)
    const added = await ada.locator('[data-testid=version-changes] [data-change=added] ins').allInnerTexts();
    assert.ok(added.some((text) => text.includes('Grace adds a second paragraph.')), `added: ${JSON.stringify(added)}`);

    await ada.click('[data-testid=restore-version]');
    await ada.click('[data-testid=confirm-restore]');
    await waitForNoText(grace, 'Grace adds a second paragraph.', 2_000);
    await waitForNoText(ada, 'Grace adds a second paragraph.', 2_000);
    assert.equal(await documentText(grace), 'The first draft.');
    // Grace is told who brought which version back, not only shown her paragraph vanishing.
    await grace.locator('[data-testid=notice]', { hasText: `${ADA.name} restored “First draft”.` }).waitFor({ timeout: 2_000 });
    await ada.locator('[data-testid=version-item][data-kind=before-restore]').waitFor();
    await ada.locator('[data-testid=version-changes]', { hasText: 'No changes' }).waitFor();

    // Undo: restore the before-restore version.
    await ada.click('[data-testid=version-item][data-kind=before-restore]');
    await ada.click('[data-testid=restore-version]');
    await ada.click('[data-testid=confirm-restore]');
    await waitForText(grace, 'Grace adds a second paragraph.', 2_000);

    // Delete the first before-restore version, after a confirmation; the list and the API agree it is gone.
    // (The list shows both before-restore versions once the panel has refreshed after the second restore.)
    await ada.locator('[data-testid=version-item][data-kind=before-restore]').nth(1).waitFor();
    const countBefore = await ada.locator('[data-testid=version-item]').count();
    const doomed = ada.locator('[data-testid=version-item][data-kind=before-restore]').last();
    const doomedId = await doomed.getAttribute('data-version-id');
    await doomed.click();
    await ada.click('[data-testid=delete-version]');
    await ada.click('[data-testid=confirm-delete-version]');
    await ada.locator(`[data-testid=version-item][data-version-id="${doomedId}"]`).waitFor({ state: 'detached' });
    assert.equal(await ada.locator('[data-testid=version-item]').count(), countBefore - 1);
    assert.equal((await fetch(`${suite.server.url}/api/documents/history/versions/${doomedId}`)).status, 404);
    await waitForText(ada, 'Grace adds a second paragraph.', 2_000);
  } finally {
    await Promise.all(contexts.map((context) => context.close()));
  }
});
