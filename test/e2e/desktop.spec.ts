// The desktop app's renderer end to end in Chromium, over the development
// bridge, nothing faked below the page: the cluster stand-in with its built-in
// VNC server, the real gateway, the real main services (createDesktopApi with a
// conf store) and the built renderer (dist/app) served by the bridge.
import { expect, test } from '@playwright/test';
import { buildDeepLink, buildGatewayLink } from '../../shared/links.ts';
import { consoleConnected, inspectInApp, openApp, openShareDialog, selectContext, vmRow } from '../support/app-page.ts';
import { startDesktopStack } from '../support/desktop-stack.ts';
import type { DesktopStack } from '../support/desktop-stack.ts';
import { docsScreenshot } from '../support/docs-screenshot.ts';
import { colourShares } from '../support/console-pixels.ts';

let stack: DesktopStack;

test.beforeAll(async () => {
  stack = await startDesktopStack();
});

test.afterAll(async () => {
  await stack?.close();
});

test.afterEach(() => {
  // Each test starts with the console free.
  stack.harness.cluster.vnc.disconnect('team-a', 'web-1');
});

test('the VM browser lists the stand-in’s VMs with their status', async ({ page }) => {
  const problems = await openApp(page, stack.bridge.url);
  for (const [name, namespace, status] of [
    ['web-1', 'team-a', 'Running'],
    ['db-1', 'team-a', 'Running'],
    ['testvm', 'kube-gateway', 'Running'],
    ['build-7', 'team-b', 'Stopped'],
  ] as const) {
    const row = vmRow(page, name);
    await expect(row).toBeVisible();
    await expect(row.getByRole('gridcell', { name: namespace, exact: true })).toBeVisible();
    await expect(row.getByRole('gridcell', { name: status, exact: true })).toBeVisible();
  }
  await expect(page.getByRole('grid', { name: 'Virtual machines' }).getByRole('row')).toHaveCount(5);
  await expect(page.getByText('4 of 4 VMs')).toBeVisible();

  // Search narrows the list; the status filter too.
  await page.getByRole('searchbox', { name: 'Search virtual machines' }).fill('build');
  await expect(vmRow(page, 'build-7')).toBeVisible();
  await expect(vmRow(page, 'web-1')).toHaveCount(0);
  await page.getByRole('searchbox', { name: 'Search virtual machines' }).fill('');
  await expect(vmRow(page, 'web-1')).toBeVisible();
  await vmRow(page, 'web-1').click();
  await expect(page.getByRole('complementary', { name: 'Details of web-1' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'Screen of web-1' })).toBeVisible({ timeout: 15_000 });
  await docsScreenshot(page, 'desktop-vms');
  expect(problems).toEqual([]);
});

test('an operator shares a console and the link opens it in the embedded viewer', async ({ page }) => {
  const problems = await openApp(page, stack.bridge.url);
  await selectContext(page, 'operator');
  const dialog = await openShareDialog(page, 'web-1');
  await dialog.getByRole('radio', { name: '15 minutes' }).check();
  await dialog.getByRole('textbox', { name: /^Label/ }).fill('for the e2e test');
  await dialog.getByRole('button', { name: 'Create link' }).click();

  // What it grants and until when, in words, before it is sent.
  const grant = dialog.getByRole('status').filter({ hasText: 'Console of web-1' });
  await expect(grant).toHaveText(/^Console of web-1 in team-a, keyboard and mouse, from .+ until .+ \(1[56] minutes\)$/, { timeout: 15_000 });
  const linkBox = dialog.getByRole('textbox', { name: 'Link to send' });
  const link = await linkBox.inputValue();
  expect(link).toMatch(new RegExp(`^${stack.gatewayUrl.replace(/[.:/]/g, '\\$&')}/open#token=[\\w-]+\\.[\\w-]+\\.[\\w-]+&name=web-1&namespace=team-a$`));
  await expect(dialog.getByRole('img', { name: 'QR code of the link' })).toBeVisible();
  await docsScreenshot(page, 'desktop-share');

  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(stack.bridge.url).origin });
  await dialog.getByRole('button', { name: 'Copy link' }).click();
  await expect(dialog.getByRole('status').filter({ hasText: 'Copied' })).toBeVisible();
  expect(await page.evaluate('navigator.clipboard.readText()')).toBe(link);
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toBeHidden();

  // The recipient's side: what the link claims, then the console only on Connect.
  const claims = await inspectInApp(page, link);
  await expect(claims).toContainText('Claimed by the link');
  for (const [term, value] of [['VM', 'web-1'], ['Namespace', 'team-a'], ['Gateway', new URL(stack.gatewayUrl).host], ['Issued by', 'alice'], ['Label', 'for the e2e test']] as const) {
    await expect(claims.locator('.facts__row', { has: page.locator('dt', { hasText: new RegExp(`^${term}$`) }) }).locator('dd')).toHaveText(value);
  }
  expect(stack.harness.cluster.vnc.builtinServer('team-a', 'web-1')?.connected ?? false).toBe(false);
  await claims.getByRole('button', { name: 'Connect' }).click();

  await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
  await expect(page.getByRole('heading', { name: 'web-1 in team-a' })).toBeVisible();
  await expect(page.getByText(/^Expires in 1[45]:\d\d$/)).toBeVisible();
  let shares = await colourShares(page);
  await expect.poll(async () => (shares = await colourShares(page)).background, { timeout: 10_000 }).toBeGreaterThan(0.5);
  expect(shares.title).toBeGreaterThan(0.002);
  await docsScreenshot(page, 'desktop-console');

  // Keys reach the VM through main's console channel and the gateway.
  const server = stack.harness.cluster.vnc.builtinServer('team-a', 'web-1');
  if (!server) throw new Error('the stand-in has no built-in VNC server for team-a/web-1');
  await page.getByLabel('VM console').locator('canvas').click();
  await page.keyboard.type('ok');
  await expect.poll(async () => (await colourShares(page)).typed, { timeout: 10_000 }).toBeGreaterThan(0);

  // The issued link is in the history.
  await page.getByRole('button', { name: 'Close console' }).click();
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Issued links' }).click();
  await expect(page.getByRole('main')).toContainText('for the e2e test');
  expect(problems).toEqual([]);
});

test('an expired link shows the expired state and connects nothing', async ({ page }) => {
  await openApp(page, stack.bridge.url);
  const token = await stack.harness.consoleToken({ now: Date.now() - 2 * 3_600_000, duration: '30m' });
  const link = buildGatewayLink({ gateway: stack.gatewayUrl, token, name: 'web-1', namespace: 'team-a', form: 'fragment' });
  const claims = await inspectInApp(page, link);
  await expect(claims).toContainText('web-1');
  await expect(claims).toContainText(/expired/i);
  await claims.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByRole('alert')).toContainText('This link has expired', { timeout: 15_000 });
  await expect(page.getByText('Expired', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Reconnect' })).toBeDisabled();
  expect(stack.harness.cluster.vnc.builtinServer('team-a', 'web-1')?.connected ?? false).toBe(false);
});

test('a viewer who may not issue links is told so in the share dialog', async ({ page }) => {
  await openApp(page, stack.bridge.url);
  await selectContext(page, 'viewer');
  const dialog = await openShareDialog(page, 'web-1');
  // Said as the dialog opens: nothing to fill in first.
  await expect(dialog.getByRole('alert').filter({ hasText: 'You may not issue links' })).toBeVisible({ timeout: 15_000 });
  await expect(dialog.getByRole('button', { name: 'Create link' })).toHaveCount(0);
  await expect(dialog.getByRole('textbox', { name: 'Link to send' })).toHaveCount(0);
});

test('a deep link only pre-fills the Open link view', async ({ page }) => {
  await openApp(page, stack.bridge.url);
  const token = await stack.harness.consoleToken({ duration: '15m' });
  const link = buildGatewayLink({ gateway: stack.gatewayUrl, token, name: 'web-1', namespace: 'team-a', form: 'fragment' });
  const upstreamBefore = stack.harness.upstream.length;
  stack.api.receiveDeepLink(buildDeepLink(link));
  const main = page.getByRole('main');
  await expect(main.getByRole('textbox', { name: 'Link' })).toHaveValue(buildDeepLink(link));
  await expect(main.getByRole('region', { name: 'What the link claims' })).toHaveCount(0);
  await expect(page.getByLabel('VM console')).toHaveCount(0);
  // Time for anything that would connect on its own to have done so.
  await page.waitForTimeout(1_000);
  expect(stack.harness.cluster.vnc.builtinServer('team-a', 'web-1')?.connected ?? false).toBe(false);
  expect(stack.harness.upstream.slice(upstreamBefore).filter((line) => line.includes('/vnc'))).toEqual([]);
});

test('a link arriving while a console is open waits for the person instead of closing it', async ({ page }) => {
  await openApp(page, stack.bridge.url);
  const open = buildGatewayLink({ gateway: stack.gatewayUrl, token: await stack.harness.consoleToken({ name: 'db-1', duration: '15m' }), name: 'db-1', namespace: 'team-a', form: 'fragment' });
  const claims = await inspectInApp(page, open);
  await claims.getByRole('button', { name: 'Connect' }).click();
  await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });

  const arriving = buildGatewayLink({ gateway: stack.gatewayUrl, token: await stack.harness.consoleToken({ duration: '15m' }), name: 'web-1', namespace: 'team-a', form: 'fragment' });
  stack.api.receiveDeepLink(buildDeepLink(arriving));
  const banner = page.getByRole('status').filter({ hasText: 'A console link arrived' });
  await expect(banner).toBeVisible();
  await page.waitForTimeout(500);
  await expect(page.getByLabel('VM console')).toHaveCount(1);
  expect(stack.harness.cluster.vnc.builtinServer('team-a', 'db-1')?.connected).toBe(true);

  await banner.getByRole('button', { name: 'Review link' }).click();
  await expect(page.getByRole('main').getByRole('textbox', { name: 'Link' })).toHaveValue(buildDeepLink(arriving));
  await expect(page.getByLabel('VM console')).toHaveCount(0);
});
