// "Open in VNC client" for a received link, over the development bridge: the
// person pastes a link, reads its claims, asks for the bridge, and is shown the
// loopback address and the one-time password (a browser cannot launch a VNC
// client). A VNC client written from the RFC (test/support/vnc-test-client.ts)
// then logs in with what the page shows and reaches the stand-in's VM through
// the real gateway. Closing the panel's bridge, or the link's expiry, ends it;
// when main ends it (three wrong passwords), the panel says why; one that
// opens after its view is gone is closed.
import { AxeBuilder } from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { buildGatewayLink } from '../../shared/links.ts';
import type { VncBridge } from '../../shared/desktop-api.ts';
import { inspectInApp, vmDetails } from '../support/app-page.ts';
import { startDesktopStack } from '../support/desktop-stack.ts';
import type { DesktopStack } from '../support/desktop-stack.ts';
import { login, refused, serverName, VncClientSocket } from '../support/vnc-test-client.ts';

let stack: DesktopStack;

test.beforeAll(async () => {
  stack = await startDesktopStack();
});

test.afterAll(async () => {
  await stack?.close();
});

async function linkFor(name: string, duration: string): Promise<string> {
  const token = await stack.harness.consoleToken({ name, duration });
  return buildGatewayLink({ gateway: stack.gatewayUrl, token, name, namespace: 'team-a', form: 'fragment' });
}

/** Opens the app, pastes the link into Open link and shows its claims. */
async function claimsOf(page: Page, link: string): Promise<Locator> {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(stack.bridge.url);
  return inspectInApp(page, link);
}

async function bridgeShown(claims: Locator): Promise<{ panel: Locator; address: string; password: string }> {
  await claims.getByRole('button', { name: 'Open in VNC client' }).click();
  const panel = claims.getByRole('region', { name: 'VNC client address' });
  await expect(panel).toBeVisible({ timeout: 15_000 });
  const address = await panel.getByRole('textbox', { name: 'VNC address' }).inputValue();
  const password = await panel.getByRole('textbox', { name: 'VNC password' }).inputValue();
  expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
  expect(password).toMatch(/^[A-Za-z0-9]{8}$/);
  return { panel, address, password };
}

test('a received link opens in a VNC client with the address and one-time password shown, until the bridge is closed', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const claims = await claimsOf(page, await linkFor('web-1', '15m'));
  // Nothing listens before the person asks.
  await expect(claims.getByRole('region', { name: 'VNC client address' })).toHaveCount(0);
  const { panel, address, password } = await bridgeShown(claims);
  // A browser has no vnc:// handler to launch: nothing offers one.
  await expect(panel.getByRole('button', { name: /^Open in / })).toHaveCount(0);
  const { violations } = await new AxeBuilder({ page }).include('[aria-label="VNC client address"]').analyze();
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);

  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await panel.getByRole('button', { name: 'Copy password' }).click();
  await expect(panel.getByRole('status').filter({ hasText: 'Copied' })).toBeVisible();
  // Over the development bridge the page copies with the browser's own clipboard.
  expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(password);

  const wrong = await VncClientSocket.open(address);
  expect((await login(wrong, password === 'aaaaaaaa' ? 'bbbbbbbb' : 'aaaaaaaa')).result).toBe(1);
  const client = await VncClientSocket.open(address);
  expect(await login(client, password)).toEqual({ result: 0 });
  expect(await serverName(client)).toBe('team-a/web-1');

  await panel.getByRole('button', { name: 'Close bridge' }).click();
  await expect(panel).toHaveCount(0);
  await expect(claims.getByRole('button', { name: 'Open in VNC client' })).toBeFocused();
  await client.closed;
  expect(await refused(address)).toBe(true);
});

test("a short-lived link's bridge closes at the link's expiry, disconnecting its client", async ({ page }) => {
  const claims = await claimsOf(page, await linkFor('db-1', '12s'));
  const { panel, address, password } = await bridgeShown(claims);
  const client = await VncClientSocket.open(address);
  expect(await login(client, password)).toEqual({ result: 0 });
  expect(await serverName(client)).toBe('team-a/db-1');
  await client.closed;
  expect(await refused(address)).toBe(true);
  await expect(panel.getByRole('status')).toHaveText(/The link has expired/, { timeout: 5_000 });
});

test('a bridge main closed after three wrong passwords says so instead of showing its dead address', async ({ page }) => {
  const claims = await claimsOf(page, await linkFor('web-1', '15m'));
  const { panel, address, password } = await bridgeShown(claims);
  const guess = password === 'aaaaaaaa' ? 'bbbbbbbb' : 'aaaaaaaa';
  for (let attempt = 0; attempt < 3; attempt++) {
    const client = await VncClientSocket.open(address);
    expect((await login(client, guess)).result).toBe(1);
    await client.closed;
  }
  await expect(panel.getByRole('status')).toHaveText(/^Closed after 3 wrong passwords.*open a new bridge/, { timeout: 10_000 });
  await expect(panel.getByRole('textbox')).toHaveCount(0);
  await expect(panel.getByRole('button', { name: 'Close bridge' })).toHaveCount(0);
  expect(await refused(address)).toBe(true);
  const { violations } = await new AxeBuilder({ page }).include('[aria-label="VNC client address"]').analyze();
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);

  await panel.getByRole('button', { name: 'Dismiss' }).click();
  await expect(panel).toHaveCount(0);
  await expect(claims.getByRole('button', { name: 'Open in VNC client' })).toBeFocused();
});

test("a VM's own console gets the same panel from its details", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(stack.bridge.url);
  await page.getByLabel('Context').selectOption('operator');
  const grid = page.getByRole('grid', { name: 'Virtual machines' });
  await grid.getByRole('row').filter({ has: page.getByRole('gridcell', { name: 'web-1', exact: true }) }).click({ timeout: 15_000 });
  const details = page.getByRole('complementary', { name: 'Details of web-1' });
  const { panel, address, password } = await bridgeShown(details);
  await expect(panel).not.toContainText("link's expiry");
  const client = await VncClientSocket.open(address);
  expect(await login(client, password)).toEqual({ result: 0 });
  expect(await serverName(client)).toBe('team-a/web-1');
  await panel.getByRole('button', { name: 'Close bridge' }).click();
  await expect(panel).toHaveCount(0);
  await client.closed;
});

test('a bridge that finishes opening after its details were closed is closed, not left listening', async ({ page }) => {
  // The page's bridge connection, with the answer to openInVncClient held back until the details are gone.
  const asked = new Map<number, string>();
  let held: { frame: string; release: () => void } | undefined;
  await page.routeWebSocket(/\/rpc\?/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((frame) => {
      const { id, method, params } = JSON.parse(String(frame)) as { id: number; method: string; params: unknown[] };
      asked.set(id, method === 'closeVncBridge' ? `closeVncBridge ${String(params[0])}` : method);
      server.send(frame);
    });
    server.onMessage((frame) => {
      const { id } = JSON.parse(String(frame)) as { id?: number };
      if (id !== undefined && asked.get(id) === 'openInVncClient') held = { frame: String(frame), release: () => ws.send(frame) };
      else ws.send(frame);
    });
  });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(stack.bridge.url);
  await page.getByLabel('Context').selectOption('operator');
  const details = await vmDetails(page, 'web-1');
  await details.getByRole('button', { name: 'Open in VNC client' }).click();
  await expect.poll(() => held !== undefined, { timeout: 15_000 }).toBe(true);
  const { result: bridge } = JSON.parse(held!.frame) as { result: VncBridge };
  expect(await refused(bridge.address)).toBe(false);

  await details.getByRole('button', { name: 'Close details' }).click();
  await expect(details).toHaveCount(0);
  held!.release();
  await expect.poll(() => [...asked.values()].includes(`closeVncBridge ${bridge.id}`), { timeout: 10_000 }).toBe(true);
  await expect.poll(() => refused(bridge.address), { timeout: 10_000 }).toBe(true);
  await expect(page.getByRole('region', { name: 'VNC client address' })).toHaveCount(0);
});
