// The serial console in the desktop app, end to end in Chromium over the
// development bridge: the cluster stand-in's serial endpoint (a small login
// prompt), the real gateway, the real main services and the built renderer.
// The operator's own serial console goes straight to the API server; a serial
// link is issued in the share dialog and opened in Open link through the gateway.
import { expect, test, type Page } from '@playwright/test';
import { consolePath, vncPath } from '../../shared/kubevirt-paths.ts';
import { decodeClaimsUnverified, parseLink } from '../../shared/links.ts';
import { consoleConnected, inspectInApp, openApp, openShareDialog, vmDetails } from '../support/app-page.ts';
import { expectAccessible } from '../support/axe.ts';
import { startDesktopStack, type DesktopStack } from '../support/desktop-stack.ts';

let stack: DesktopStack;

test.beforeAll(async () => {
  stack = await startDesktopStack();
});

test.afterAll(async () => {
  await stack?.close();
});

test.afterEach(() => {
  stack.harness.cluster.serial.disconnect('team-a', 'web-1');
});

/** The terminal's text as xterm.js renders it. */
const terminal = (page: Page) => page.locator('.console .xterm-rows');

const received = () => stack.harness.cluster.serial.received('team-a', 'web-1').toString('latin1');

/** Types a line into the terminal and waits for the stand-in's answer on screen. */
async function typeLine(page: Page, line: string): Promise<void> {
  const before = received().length;
  await page.getByLabel('VM serial console').click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  await expect.poll(() => received().slice(before), { timeout: 10_000 }).toBe(`${line}\r`);
  await expect(terminal(page)).toContainText(new RegExp(`login: ${line}\\s*${line}\\s*web-1 login:`), { timeout: 10_000 });
}

test('VM details open the operator’s own serial console: the login prompt shows and typing is answered', async ({ page }) => {
  const problems = await openApp(page, stack.bridge.url, 'operator');
  const details = await vmDetails(page, 'web-1');
  await details.getByRole('button', { name: 'Open serial console' }).click();

  await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
  await expect(page.getByRole('heading', { name: 'web-1 in team-a · serial console' })).toBeVisible();
  await expect(terminal(page)).toContainText('web-1 login:', { timeout: 15_000 });
  await typeLine(page, 'root');
  expect(stack.harness.cluster.serial.connections('team-a', 'web-1')).toBe(1);
  await expectAccessible(page, { what: 'the own serial console' });

  await page.getByRole('button', { name: 'Close console' }).click();
  await expect.poll(() => stack.harness.cluster.serial.connections('team-a', 'web-1'), { timeout: 10_000 }).toBe(0);
  expect(problems).toEqual([]);
});

test('a link issued for the serial console opens as a terminal through the gateway', async ({ page }) => {
  const problems = await openApp(page, stack.bridge.url, 'operator');
  const dialog = await openShareDialog(page, 'web-1');
  await expect(dialog.getByRole('button', { name: 'Create link' })).toBeEnabled({ timeout: 15_000 });
  const opens = dialog.getByRole('group', { name: 'The link opens' });
  await expect(opens.getByRole('checkbox', { name: 'Screen' })).toBeChecked();
  await expect(opens.getByRole('checkbox', { name: 'Serial console' })).not.toBeChecked();

  // Nothing chosen is said, not sent.
  await opens.getByRole('checkbox', { name: 'Screen' }).uncheck();
  await dialog.getByRole('button', { name: 'Create link' }).click();
  await expect(dialog.getByRole('alert')).toHaveText('Choose what the link opens: the screen, the serial console, or both.');
  await expectAccessible(page, { what: 'the share dialog with no console chosen' });

  await opens.getByRole('checkbox', { name: 'Serial console' }).check();
  await dialog.getByRole('radio', { name: '15 minutes' }).check();
  await dialog.getByRole('button', { name: 'Create link' }).click();
  await expect(dialog.getByRole('status').filter({ hasText: 'of web-1' })).toHaveText(/^Serial console of web-1 in team-a, keyboard, from .+ until .+ \(1[56] minutes\)$/, { timeout: 15_000 });
  const link = await dialog.getByRole('textbox', { name: 'Link to send' }).inputValue();
  expect(decodeClaimsUnverified(parseLink(link).token).URLs).toEqual([consolePath('team-a', 'web-1')]);
  await dialog.getByRole('button', { name: 'Done' }).click();

  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Issued links' }).click();
  await expect(page.getByRole('list', { name: 'Issued links' }).getByRole('listitem').first()).toContainText('Serial console of web-1 in team-a');

  const claims = await inspectInApp(page, link);
  await expect(claims.locator('.facts__row', { has: page.locator('dt', { hasText: /^Opens$/ }) }).locator('dd')).toHaveText('the serial console');
  await expect(claims.getByRole('button', { name: 'Open in VNC client' })).toHaveCount(0);
  const opened = stack.harness.cluster.serial.opened('team-a', 'web-1');
  await claims.getByRole('button', { name: 'Connect' }).click();

  await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
  await expect(page.getByRole('heading', { name: 'web-1 in team-a · serial console' })).toBeVisible();
  await expect(terminal(page)).toContainText('web-1 login:', { timeout: 15_000 });
  expect(stack.harness.cluster.serial.opened('team-a', 'web-1')).toBe(opened + 1);
  await typeLine(page, 'admin');
  expect(stack.harness.upstream.some((line) => line.includes('/console'))).toBe(true);
  expect(problems).toEqual([]);
});

test('a link to both consoles lets the recipient choose the serial console', async ({ page }) => {
  await openApp(page, stack.bridge.url, 'operator');
  const result = await stack.api.shareConsole({ context: 'operator', namespace: 'team-a', name: 'web-1', duration: '15m', consoles: ['vnc', 'serial'] });
  expect(decodeClaimsUnverified(parseLink(result.link).token).URLs).toEqual([vncPath('team-a', 'web-1'), consolePath('team-a', 'web-1')]);

  const claims = await inspectInApp(page, result.link);
  await expect(claims.locator('.facts__row', { has: page.locator('dt', { hasText: /^Opens$/ }) }).locator('dd')).toHaveText('the screen (VNC) and the serial console');
  const choice = claims.getByRole('group', { name: 'Console to open' });
  await expect(choice.getByRole('radio', { name: 'Screen' })).toBeChecked();
  await choice.getByRole('radio', { name: 'Serial console' }).check();
  await expectAccessible(page, { what: 'the claims of a link to both consoles' });
  await claims.getByRole('button', { name: 'Connect' }).click();

  await expect(terminal(page)).toContainText('web-1 login:', { timeout: 15_000 });
  await typeLine(page, 'guest');
});
