// Frames page screenshots as desktop windows side by side, for the README picture.
import type { Browser } from 'playwright-core';

/** Draws screenshots side by side as two desktop windows, using the browser itself as the canvas. */
export async function composeWindows(browser: Browser, windows: Array<{ title: string; image: Buffer }>): Promise<Buffer> {
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
