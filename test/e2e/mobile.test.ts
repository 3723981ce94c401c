// End to end in Chromium at a phone's width (375 × 667): the header keeps to two rows, and the History panel
// opens where it can be seen (a sheet over the lower part of the screen), not below the document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { browserSuite, openDocument, personContext, type Person } from './browser.ts';

const SCREENSHOT = fileURLToPath(new URL('../../docs/mobile-history.png', import.meta.url));
const ADA: Person = { name: 'Ada Lovelace', color: '#8e4ec6' };
const PHONE = { width: 375, height: 667 };

const suite = browserSuite();

test('at 375 px the header keeps to two rows and History opens in view', async () => {
  const context = await personContext(suite.browser, ADA, PHONE);
  try {
    const page = await openDocument(context, suite.server.url, 'On the phone', suite.pageErrors);
    await page.click('.ProseMirror');
    await page.keyboard.type('Written on a phone. '.repeat(40));
    // Typing scrolled the page; the header is measured where it is, at the top.
    await page.evaluate(() => window.scrollTo(0, 0));
    const header = await page.locator('.topbar').boundingBox();
    assert.ok(header && header.height <= 112, `header height ${header?.height} px: at most two rows`);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'nothing is wider than the screen');

    await page.click('[data-testid=history-toggle]');
    const panel = page.locator('[data-testid=history-panel]');
    await panel.waitFor();
    const box = await panel.boundingBox();
    assert.ok(box, 'the panel is shown');
    assert.ok(box.y >= 0 && box.y < PHONE.height - 150, `the panel starts in view (top at ${box.y} px)`);
    assert.ok(await page.locator('[data-testid=save-version]').isVisible(), 'its first control is visible without scrolling');
    const saveBox = await page.locator('[data-testid=save-version]').boundingBox();
    assert.ok(saveBox && saveBox.y + saveBox.height <= PHONE.height, 'the Save button is on the screen');
    await mkdir(fileURLToPath(new URL('../../docs/', import.meta.url)), { recursive: true });
    await writeFile(SCREENSHOT, await page.screenshot());

    // Closing it gives the whole screen back to the text.
    await page.click('.history__close');
    await panel.waitFor({ state: 'hidden' });
  } finally {
    await context.close();
  }
});
