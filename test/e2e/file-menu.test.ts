// End to end in Chromium: the File menu imports a Markdown file in place of the content (another window sees
// it, History keeps what was there), downloads the document as Markdown, HTML and JSON, and makes a copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Download } from 'playwright-core';
import { makeTempDir } from '../helpers/server.ts';
import { browserSuite, openDocument, personContext, waitForText, type Person } from './browser.ts';

const ADA: Person = { name: 'Ada Lovelace', color: '#8e4ec6' };
const GRACE: Person = { name: 'Grace Hopper', color: '#12a594' };

const suite = browserSuite();

test('import a Markdown file through the File menu; download Markdown, HTML and JSON', async () => {
  const dir = await makeTempDir('tandem-file-menu-');
  const contexts = await Promise.all([personContext(suite.browser, ADA, { width: 1100, height: 760 }), personContext(suite.browser, GRACE)]);
  try {
    const [ada, grace] = await Promise.all(contexts.map((context) => openDocument(context, suite.server.url, 'notes', suite.pageErrors)));
    assert.ok(ada && grace);
    await ada.click('.ProseMirror');
    await ada.keyboard.type('Old text that the import replaces.');
    await waitForText(grace, 'Old text that the import replaces.');

    const file = join(dir, 'agenda.md');
    await writeFile(file, '# Agenda\n\n- **Roadmap** review\n- [Demo](https://example.com/demo)\n\n1\\. not a list\n');
    ada.once('dialog', (dialog) => void dialog.accept());
    await ada.click('[data-testid=file-toggle]');
    await ada.locator('[data-testid=import-file]').setInputFiles(file);
    await ada.locator('[data-testid=notice]', { hasText: 'Imported agenda.md' }).waitFor();
    for (const page of [ada, grace]) {
      await page.locator('.ProseMirror h1', { hasText: 'Agenda' }).waitFor();
      await page.locator('.ProseMirror ul li strong', { hasText: 'Roadmap' }).waitFor();
      assert.equal(await page.locator('.ProseMirror a').getAttribute('href'), 'https://example.com/demo');
      await waitForText(page, '1. not a list');
    }
    await waitForText(ada, 'Agenda', 2_000);
    assert.doesNotMatch(await ada.locator('.ProseMirror').innerText(), /Old text/);

    // History kept the content from before the import.
    await ada.click('[data-testid=history-toggle]');
    await ada.locator('[data-testid=version-item]', { hasText: 'Before importing agenda.md' }).click();
    await ada.locator('[data-testid=version-document]', { hasText: 'Old text that the import replaces.' }).waitFor();

    for (const [format, extension] of [['md', 'md'], ['html', 'html'], ['json', 'json']] as const) {
      await ada.click('[data-testid=file-toggle]');
      const downloading: Promise<Download> = ada.waitForEvent('download');
      await ada.click(`[data-testid=download-${format}]`);
      const download: Download = await downloading;
      assert.equal(download.suggestedFilename(), `notes.${extension}`);
      const saved = join(dir, `download.${extension}`);
      await download.saveAs(saved);
      const served = await (await fetch(`${suite.server.url}/api/documents/notes/export?format=${format}`)).text();
      assert.equal(await readFile(saved, 'utf8'), served, `the ${format} download is the server's export`);
    }
    assert.equal(await readFile(join(dir, 'download.md'), 'utf8'), await readFile(file, 'utf8'), 'the Markdown downloaded is the Markdown imported');

    // Make a copy: it opens under its new name with the same text; the original stays.
    ada.once('dialog', (dialog) => void dialog.accept('Agenda copy'));
    await ada.click('[data-testid=file-toggle]');
    await ada.click('[data-testid=duplicate-item]');
    await ada.waitForURL(`${suite.server.url}/d/${encodeURIComponent('Agenda copy')}`);
    await ada.locator('.ProseMirror h1', { hasText: 'Agenda' }).waitFor();
    await ada.locator('.ProseMirror ul li strong', { hasText: 'Roadmap' }).waitFor();
    await waitForText(grace, 'Agenda');
  } finally {
    await Promise.all(contexts.map((context) => context.close()));
  }
});

test('a file the editor cannot import says why and changes nothing', async () => {
  const dir = await makeTempDir('tandem-file-menu-');
  const context = await personContext(suite.browser, ADA);
  try {
    const page = await openDocument(context, suite.server.url, 'kept', suite.pageErrors);
    await page.click('.ProseMirror');
    await page.keyboard.type('Kept as it is.');
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ type: 'doc', content: [{ type: 'marquee' }] }));
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('[data-testid=file-toggle]');
    await page.locator('[data-testid=import-file]').setInputFiles(file);
    await page.locator('[data-testid=notice][data-tone=error]', { hasText: 'bad.json could not be imported: content[0]: unknown node type "marquee"' }).waitFor();
    await waitForText(page, 'Kept as it is.');
  } finally {
    await context.close();
  }
});
