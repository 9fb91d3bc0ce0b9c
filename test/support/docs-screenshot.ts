import type { Page } from '@playwright/test';

/**
 * The docs' screenshots come from the e2e tests, so they show the real thing.
 * They are written to docs/screenshots/ only when asked (`npm run docs:screenshots`);
 * otherwise into test-results/, so an ordinary test run leaves the tree clean.
 */
export async function docsScreenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.GATEPASS_SCREENSHOTS ? 'docs/screenshots' : 'test-results/screenshots';
  await page.screenshot({ path: `${dir}/${name}.png` });
}
