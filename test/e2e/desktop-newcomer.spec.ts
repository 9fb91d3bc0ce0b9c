// What a newcomer does in the first minutes, in Chromium over the development
// bridge: copying a link puts exactly the link on the browser's clipboard (or
// shows it selected to copy by hand when the page may not), "Send by mail" opens
// a mailto: carrying the link, and a refusal by the cluster reads as a sentence
// with the API server's own text behind "Details".
import { expect, test } from '@playwright/test';
import type { BrowserContext, Locator, Page } from '@playwright/test';
import { bridgePlatform } from '../../main/dev-bridge/platform.ts';
import { buildGatewayLink } from '../../shared/links.ts';
import { fakePlatform } from '../support/desktop-doubles.ts';
import { openApp, vmRow } from '../support/app-page.ts';
import { startDesktopStack } from '../support/desktop-stack.ts';
import type { DesktopStack } from '../support/desktop-stack.ts';

let stack: DesktopStack;

test.beforeAll(async () => {
  // A keychain stand-in, so issued links are kept and "Copy link again" is offered.
  stack = await startDesktopStack({ platform: { ...bridgePlatform(() => undefined), safeStorage: fakePlatform(true).platform.safeStorage } });
});

test.afterAll(async () => {
  await stack?.close();
});

const origin = () => new URL(stack.bridge.url).origin;

async function allowClipboard(context: BrowserContext): Promise<void> {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: origin() });
}

/** As a person who said no to the clipboard: the browser refuses the page's writes. */
async function denyClipboard(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  // Playwright's contexts are not the browser's default one, so the denial must name it.
  const { targetInfo } = await cdp.send('Target.getTargetInfo');
  for (const name of ['clipboard-write', 'clipboard-read']) {
    await cdp.send('Browser.setPermission', { permission: { name }, setting: 'denied', origin: origin(), browserContextId: targetInfo.browserContextId });
  }
  expect(await page.evaluate('navigator.clipboard.writeText("x").then(() => "written", (e) => e.name)')).toBe('NotAllowedError');
}

const clipboardText = (page: Page) => page.evaluate('navigator.clipboard.readText()');

/** Issues a 15-minute link to web-1 in the share dialog and returns the dialog and the link it shows. */
async function issueLink(page: Page, label: string): Promise<{ dialog: Locator; link: string }> {
  await vmRow(page, 'web-1').click();
  await page.getByRole('complementary', { name: 'Details of web-1' }).getByRole('button', { name: 'Share console' }).click();
  const dialog = page.getByRole('dialog', { name: 'Share console' });
  await dialog.getByRole('radio', { name: '15 minutes' }).check();
  await dialog.getByRole('textbox', { name: /^Label/ }).fill(label);
  await dialog.getByRole('button', { name: 'Create link' }).click();
  const linkBox = dialog.getByRole('textbox', { name: 'Link to send' });
  await expect(linkBox).toHaveValue(/\/open#token=/, { timeout: 15_000 });
  return { dialog, link: await linkBox.inputValue() };
}

test('Copy link puts exactly the link, token and all, on the browser clipboard', async ({ page, context }) => {
  await allowClipboard(context);
  const problems = await openApp(page, stack.bridge.url, 'operator');
  const { dialog, link } = await issueLink(page, 'copy test');
  expect(link.length).toBeGreaterThan(500);
  await page.evaluate('navigator.clipboard.writeText("something else")');
  await dialog.getByRole('button', { name: 'Copy link' }).click();
  await expect(dialog.getByRole('status').filter({ hasText: 'Copied' })).toBeVisible();
  expect(await clipboardText(page)).toBe(link);
  await expect(dialog.getByRole('textbox', { name: 'Link to copy' })).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('when the page may not use the clipboard, the link is shown selected to copy by hand', async ({ page }) => {
  await openApp(page, stack.bridge.url, 'operator');
  await denyClipboard(page);
  const { dialog, link } = await issueLink(page, 'denied clipboard');
  await dialog.getByRole('button', { name: 'Copy link' }).click();
  const manual = dialog.getByRole('textbox', { name: 'Link to copy' });
  await expect(manual).toBeVisible();
  await expect(manual).toHaveValue(link);
  await expect(manual).toBeFocused();
  expect(await manual.evaluate((input) => {
    const field = input as unknown as { selectionStart: number; selectionEnd: number; value: string };
    return [field.selectionStart, field.selectionEnd, field.value.length];
  })).toEqual([0, link.length, link.length]);
  await expect(dialog.getByText(/press Ctrl\+C/)).toBeVisible();
  await expect(dialog.getByRole('status').filter({ hasText: /^Copied$/ })).toHaveCount(0);
});

test('Send by mail opens a mailto: in the browser whose body carries the link', async ({ page }) => {
  // Recorded instead of handed to a mail program this machine does not have.
  await page.addInitScript('window.__opened = []; window.open = (url, target) => { window.__opened.push({ url: String(url), target }); return null; };');
  await openApp(page, stack.bridge.url, 'operator');
  const { dialog, link } = await issueLink(page, 'for Carol & Dan');
  await dialog.getByRole('button', { name: 'Send by mail' }).click();
  await expect.poll(() => page.evaluate('window.__opened.length')).toBe(1);
  const [opened] = (await page.evaluate('window.__opened')) as Array<{ url: string; target: string }>;
  expect(opened!.target).toBe('_self');
  expect(opened!.url).toMatch(/^mailto:\?subject=[^&#\s]+&body=[^&#\s]+$/);
  const query = new URLSearchParams(opened!.url.slice('mailto:?'.length));
  expect(query.get('subject')).toBe('Console link for team-a/web-1');
  expect(query.get('body')).toContain('for Carol & Dan');
  expect(query.get('body')!.split('\n')).toContain(link);
  await expect(dialog.getByRole('alert')).toHaveCount(0);
});

test('Issued links copies a kept link again to the browser clipboard, or shows it to copy by hand', async ({ page, context }) => {
  await allowClipboard(context);
  await openApp(page, stack.bridge.url, 'operator');
  const issued = await stack.api.shareConsole({ context: 'operator', namespace: 'team-a', name: 'db-1', duration: '15m', label: 'copy again' });
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Issued links' }).click();
  const item = page.getByRole('list', { name: 'Issued links' }).getByRole('listitem').filter({ hasText: 'copy again' });
  await item.getByRole('button', { name: 'Copy link again' }).click();
  await expect(item.getByRole('button', { name: 'Copied' })).toBeVisible();
  expect(await clipboardText(page)).toBe(issued.link);

  await denyClipboard(page);
  await item.getByRole('button', { name: 'Copied' }).click();
  const manual = item.getByRole('textbox', { name: 'Link to db-1' });
  await expect(manual).toHaveValue(issued.link);
  await expect(manual).toBeFocused();
});

test('a viewer who may not take screenshots reads why in a sentence, the API server’s text only under Details', async ({ page }) => {
  await openApp(page, stack.bridge.url, 'viewer');
  await vmRow(page, 'web-1').click();
  const details = page.getByRole('complementary', { name: 'Details of web-1' });
  const refusal = details.getByRole('note').filter({ hasText: 'You may not take screenshots of this VM.' });
  await expect(refusal).toBeVisible({ timeout: 15_000 });
  const raw = refusal.getByText(/is forbidden: User "bob" cannot get resource/);
  await expect(raw).toBeHidden();
  await expect(refusal).not.toHaveText(/forbidden/, { useInnerText: true });
  await refusal.getByText('Details', { exact: true }).click();
  await expect(raw).toBeVisible();
  await expect(details.getByRole('img', { name: 'Screen of web-1' })).toHaveCount(0);
});

test('a console the link does not open says so, with the gateway’s reason only under Details', async ({ page }) => {
  await openApp(page, stack.bridge.url, 'operator');
  // A link to web-1 pointed at db-1: the gateway refuses it with its own reason.
  const token = await stack.harness.consoleToken({ name: 'web-1', duration: '15m' });
  const link = buildGatewayLink({ gateway: stack.gatewayUrl, token, name: 'db-1', namespace: 'team-a', form: 'fragment' });
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Open link' }).click();
  const main = page.getByRole('main');
  await main.getByRole('textbox', { name: 'Link' }).fill(link);
  await main.getByRole('button', { name: 'Open link' }).click();
  await main.getByRole('region', { name: 'What the link claims' }).getByRole('button', { name: 'Connect' }).click();
  const state = page.getByRole('alert').filter({ hasText: 'This link does not open this console' });
  await expect(state).toBeVisible({ timeout: 15_000 });
  const reason = state.locator('details p');
  await expect(reason).toBeHidden();
  expect((await reason.textContent())?.trim()).not.toBe('');
  await state.getByText('Details', { exact: true }).click();
  await expect(reason).toBeVisible();
});
