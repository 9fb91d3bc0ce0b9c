// A link's QR code must be readable, not just present: issue a real link
// against the stand-in over the development bridge, screenshot the code as
// Chromium draws it at device scale 1 (what a phone sees on a plain monitor),
// and decode the pixels with a QR decoder. Both the share dialog's code and the
// full-window view must give back exactly the link.
import { AxeBuilder } from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import jsqr from 'jsqr';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { QR_MIN_MODULE_PX, QR_SVG_OPTIONS, qrSideModules } from '../../shared/qr-code.ts';
import { vmRow } from '../support/app-page.ts';
import { startDesktopStack } from '../support/desktop-stack.ts';
import type { DesktopStack } from '../support/desktop-stack.ts';

// jsqr is CommonJS with an ES-style default export: under NodeNext its types sit on `.default`.
const jsQR = jsqr.default;

let stack: DesktopStack;

test.use({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });

test.beforeAll(async () => {
  stack = await startDesktopStack();
});

test.afterAll(async () => {
  await stack?.close();
});

/** Issues a link for web-1 as the operator through the share dialog; returns the dialog and the link it shows. */
async function issueLink(page: Page, problems: string[]): Promise<{ dialog: Locator; link: string }> {
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(stack.bridge.url);
  await expect(page.getByRole('grid', { name: 'Virtual machines' })).toBeVisible({ timeout: 15_000 });
  await page.getByLabel('Context').selectOption('operator');
  await expect(vmRow(page, 'web-1')).toBeVisible({ timeout: 15_000 });
  await vmRow(page, 'web-1').click();
  await page.getByRole('complementary', { name: 'Details of web-1' }).getByRole('button', { name: 'Share console' }).click();
  const dialog = page.getByRole('dialog', { name: 'Share console' });
  await dialog.getByRole('textbox', { name: /^Label/ }).fill('scanned by a phone');
  await dialog.getByRole('button', { name: 'Create link' }).click();
  const linkBox = dialog.getByRole('textbox', { name: 'Link to send' });
  await expect(linkBox).toBeVisible({ timeout: 15_000 });
  return { dialog, link: await linkBox.inputValue() };
}

/** What a QR decoder reads off the element's pixels, and how wide the element is on screen. */
async function scan(image: Locator): Promise<{ text: string | undefined; width: number }> {
  const png = PNG.sync.read(await image.screenshot({ animations: 'disabled' }));
  const code = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
  return { text: code?.data, width: png.width };
}

/** axe-core's serious and critical findings inside `selector`. */
async function seriousViolations(page: Page, selector: string): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).include(selector).analyze();
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`);
}

test('the QR code decodes to exactly the link, in the dialog and full window', async ({ page }) => {
  const problems: string[] = [];
  const { dialog, link } = await issueLink(page, problems);
  // A real RS256 link: long enough that a careless code would not scan.
  expect(link.length).toBeGreaterThan(700);
  const side = qrSideModules(QRCode.create(link, { errorCorrectionLevel: QR_SVG_OPTIONS.errorCorrectionLevel }).version);

  const small = dialog.getByRole('img', { name: 'QR code of the link' });
  const inDialog = await scan(small);
  expect(inDialog.width).toBe(side * QR_MIN_MODULE_PX);
  expect(inDialog.text).toBe(link);

  await dialog.getByRole('button', { name: 'QR code of the link' }).click();
  const full = page.getByRole('dialog', { name: 'QR code of the link' });
  await expect(full).toBeVisible();
  const large = full.getByRole('img', { name: 'QR code of the link' });
  await expect(large).toBeVisible();
  const fullWindow = await scan(large);
  // Larger than in the dialog, still whole pixels per module, inside the window.
  expect(fullWindow.width % side).toBe(0);
  expect(fullWindow.width / side).toBeGreaterThan(QR_MIN_MODULE_PX);
  expect(fullWindow.width).toBeLessThanOrEqual(800);
  expect(fullWindow.text).toBe(link);
  expect(problems).toEqual([]);
});

test('the full-window QR view opens by keyboard, takes focus, and gives it back on Escape and Close', async ({ page }) => {
  const problems: string[] = [];
  const { dialog } = await issueLink(page, problems);
  const trigger = dialog.getByRole('button', { name: 'QR code of the link' });
  await expect(trigger).toHaveAccessibleDescription(/show it full window/);
  const full = page.getByRole('dialog', { name: 'QR code of the link' });

  expect(await seriousViolations(page, '.qr-frame')).toEqual([]);

  await trigger.focus();
  await page.keyboard.press('Enter');
  await expect(full).toBeVisible();
  await expect(full.getByRole('button', { name: 'Close' })).toBeFocused();
  expect(await seriousViolations(page, '.qr-full')).toEqual([]);

  // Escape closes the view only: the share dialog stays, with focus back on the code.
  await page.keyboard.press('Escape');
  await expect(full).toBeHidden();
  await expect(dialog).toBeVisible();
  await expect(trigger).toBeFocused();

  await page.keyboard.press('Space');
  await expect(full).toBeVisible();
  await full.getByRole('button', { name: 'Close' }).click();
  await expect(full).toBeHidden();
  await expect(dialog).toBeVisible();
  await expect(trigger).toBeFocused();
  expect(problems).toEqual([]);
});
