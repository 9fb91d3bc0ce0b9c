// The browser flow end to end, nothing faked: the local cluster stand-in with
// its built-in VNC server, the real gateway in front of it serving the built
// viewer, and Debian's Chromium following a link.
import { existsSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import type { InputEvent } from '../cluster/vnc/rfb-server.ts';
import { closed, outsideHolder } from '../support/console-client.ts';
import { startHarness, waitFor } from '../support/gateway-harness.ts';
import type { Harness } from '../support/gateway-harness.ts';
import { docsScreenshot } from '../support/docs-screenshot.ts';
import { colourShares } from '../support/console-pixels.ts';
import { consoleConnected } from '../support/app-page.ts';

const VIEWER_PAGE = new URL('../../dist/viewer/noVNC/vnc_lite.html', import.meta.url);

let h: Harness;

test.beforeAll(async () => {
  if (!existsSync(VIEWER_PAGE)) {
    throw new Error('the browser viewer is not built: run `npx vite build -c vite.viewer.config.ts` first');
  }
  h = await startHarness();
});

test.afterAll(async () => {
  await h?.close();
});

test.afterEach(() => {
  // Each test starts with the console free.
  h.cluster.vnc.disconnect('team-a', 'web-1');
});

async function followLink(page: Page, token: string): Promise<string[]> {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.goto(`${h.url}/auth/jwt/set?token=${token}&name=web-1&namespace=team-a`);
  return violations;
}


function keysDown(events: readonly InputEvent[]): number[] {
  return events.flatMap((e) => (e.type === 'key' && e.down ? [e.keysym] : []));
}

test('a link opens the console, shows the VM screen and types into it', async ({ page }) => {
  const violations = await followLink(page, await h.consoleToken({ duration: '15m' }));
  expect(new URL(page.url()).pathname).toBe('/noVNC/vnc_lite.html');
  await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
  await expect(page.getByRole('heading', { name: 'web-1 in team-a' })).toBeVisible();
  await expect(page.getByText(/^Expires in 1[45]:\d\d$/)).toBeVisible();
  for (const name of ['Full screen', 'Ctrl-Alt-Del', 'Paste text', 'Reconnect', 'Open in Gatepass app']) {
    await expect(page.getByRole('button', { name, exact: true })).toBeVisible();
  }

  // The built-in server paints its background and title in colours nothing else uses.
  let shares = await colourShares(page);
  await expect.poll(async () => (shares = await colourShares(page)).background, { timeout: 10_000 }).toBeGreaterThan(0.5);
  expect(shares.title).toBeGreaterThan(0.002);
  // The docs show what a recipient sees; taken here so they never drift from the real thing.
  await docsScreenshot(page, 'browser-viewer');

  const server = h.cluster.vnc.builtinServer('team-a', 'web-1');
  if (!server) throw new Error('the stand-in has no built-in VNC server for team-a/web-1');
  const before = server.events.length;
  await page.getByLabel('VM console').locator('canvas').click();
  await page.keyboard.type('hi');
  await expect.poll(() => keysDown(server.events.slice(before))).toEqual(expect.arrayContaining([0x68, 0x69]));
  await expect.poll(async () => (await colourShares(page)).typed, { timeout: 10_000 }).toBeGreaterThan(0);

  // Paste text: typed key by key, Shift held for capitals, a new line as Return.
  const beforePaste = server.events.length;
  await page.getByRole('button', { name: 'Paste text' }).click();
  await page.getByRole('dialog', { name: 'Paste text' }).getByLabel('Text to type').fill('Ok\n');
  await page.getByRole('button', { name: 'Type text' }).click();
  await expect.poll(() => keysDown(server.events.slice(beforePaste))).toEqual([0xffe1, 0x4f, 0x6b, 0xff0d]);

  // Reconnecting does not trip over this viewer's own, just-closed session.
  await page.getByRole('button', { name: 'Reconnect' }).click();
  await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
  await expect(page.getByRole('alert')).toHaveCount(0);

  expect(violations).toEqual([]);
});

test('a Gatepass fragment link posts its token, so no server log or history entry holds it', async ({ page }) => {
  const token = await h.consoleToken({ duration: '15m' });
  const requested: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  await page.goto(`${h.url}/open#token=${token}&name=web-1&namespace=team-a`);
  await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
  expect(requested.filter((url) => url.includes(token))).toEqual([]);
  expect(await page.evaluate('location.href')).not.toContain(token);
  await page.goBack();
  expect(page.url()).not.toContain(token);
});

test('an expired link gets the gateway’s error page, and no cookie', async ({ page }) => {
  const token = await h.consoleToken({ now: Date.now() - 2 * 3_600_000, duration: '30m' });
  const response = await page.goto(`${h.url}/auth/jwt/set?token=${token}&name=web-1&namespace=team-a`);
  expect(response?.status()).toBe(401);
  await expect(page.getByText(/expired/i).first()).toBeVisible();
  expect(await page.context().cookies()).toEqual([]);
});

test('the viewer says so when the link expires while the console is open', async ({ page }) => {
  await followLink(page, await h.consoleToken({ duration: '5s' }));
  await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
  await expect(page.getByRole('alert')).toContainText('This link has expired', { timeout: 15_000 });
  await expect(page.getByText('Expired', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Reconnect' })).toBeDisabled();
});

test('a console in use is never taken silently: "Take over" takes it', async ({ page }) => {
  // Held past the gateway (as virtctl would): a viewer through the gateway would be joined, not refused.
  const holder = await outsideHolder(h, 'team-a', 'web-1');
  const holderClosed = closed(holder);

  await followLink(page, await h.consoleToken());
  await expect(page.getByRole('alert')).toContainText('Someone else is using this console', { timeout: 15_000 });
  await page.getByRole('button', { name: 'Take over' }).click();
  await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
  await holderClosed;
  await waitFor(() => h.cluster.vnc.builtinServer('team-a', 'web-1')?.connected === true, 'the viewer to hold the console');
});

test('a link to a VM that is not running says so', async ({ page }) => {
  const token = await h.consoleToken({ namespace: 'team-b', name: 'build-7' });
  await page.goto(`${h.url}/auth/jwt/set?token=${token}&name=build-7&namespace=team-b`);
  await expect(page.getByRole('alert')).toContainText('The VM is not running', { timeout: 15_000 });
  await expect(page.getByRole('button', { name: 'Take over' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Reconnect' })).toHaveCount(1);
});

test('the viewer refuses a path that is not a console on this gateway', async ({ page }) => {
  await page.goto(`${h.url}/noVNC/vnc_lite.html?path=${encodeURIComponent('k8s/api/v1/namespaces/kube-gateway/secrets/kube-gateway-jwt-private')}`);
  await expect(page.getByRole('alert')).toContainText('No console to show');
});
