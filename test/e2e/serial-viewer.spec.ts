// The serial console in the browser end to end, nothing faked: the local
// cluster stand-in's login prompt behind the real gateway, the built viewer,
// and Debian's Chromium following a link. Every test also checks that the
// terminal ran under the viewer's strict CSP without a single violation.
import { existsSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { consolePath, vncPath } from '../../shared/kubevirt-paths.ts';
import type { BuildClaimsInput } from '../../shared/claims.ts';
import { startHarness } from '../support/gateway-harness.ts';
import type { Harness } from '../support/gateway-harness.ts';
import { consoleConnected } from '../support/app-page.ts';

const VIEWER_PAGE = new URL('../../dist/viewer/noVNC/vnc_lite.html', import.meta.url);
const NS = 'team-a';
const VM = 'web-1';

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
  // Each test starts with both consoles free.
  h.cluster.serial.disconnect(NS, VM);
  h.cluster.vnc.disconnect(NS, VM);
});

/** Every CSP violation the page reports, from the console and from the DOM event alike. */
async function cspViolations(page: Page): Promise<string[]> {
  const violations: string[] = [];
  // A string: this file is type-checked without the DOM.
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) => console.error('securitypolicyviolation: ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample));`,
  });
  page.on('console', (message) => {
    if (/Content Security Policy|securitypolicyviolation/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

async function followLink(page: Page, claims: Partial<BuildClaimsInput>): Promise<void> {
  const token = await h.consoleToken({ duration: '15m', ...claims });
  await page.goto(`${h.url}/auth/jwt/set?token=${token}&name=${VM}&namespace=${NS}`);
}

const terminal = (page: Page) => page.locator('.console .xterm-rows');
/** The terminal's screen as lines (its rows are elements, so textContent runs them together). */
const screenText = (page: Page) => terminal(page).innerText();
/** All the VM received, across connections, as text. */
const received = () => h.cluster.serial.received(NS, VM).toString('utf8');
const pathParam = (page: Page) => new URL(page.url()).searchParams.get('path');

test('a serial link opens a terminal: the prompt shows, typing reaches the VM and its answer comes back', async ({ page, context }) => {
  const violations = await cspViolations(page);
  await followLink(page, { urls: [consolePath(NS, VM)] });
  expect(pathParam(page)).toBe(`k8s${consolePath(NS, VM)}`);
  await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
  await expect(page.getByRole('heading', { name: `${VM} in ${NS}` })).toBeVisible();
  await expect(terminal(page)).toContainText(`${VM} login:`, { timeout: 10_000 });
  // A serial-only link: no switch, and none of the screen's controls.
  await expect(page.getByRole('radiogroup', { name: 'Console' })).toHaveCount(0);
  for (const name of ['Scale to fit', 'Ctrl-Alt-Del']) await expect(page.getByRole('button', { name })).toHaveCount(0);

  await page.getByLabel('VM serial console').click();
  const before = received().length;
  await page.keyboard.type('root');
  await page.keyboard.press('Enter');
  await expect.poll(() => received().slice(before)).toBe('root\r');
  await expect.poll(() => screenText(page)).toContain(`${VM} login: root\nroot\n${VM} login:`);

  // Control keys are the VM's: none is taken by the page.
  const beforeControls = received().length;
  for (const key of ['Control+c', 'Control+d', 'Control+]']) await page.keyboard.press(key);
  await expect.poll(() => received().slice(beforeControls)).toBe('\x03\x04\x1d');

  // The one way out of the terminal's keyboard moves to the toolbar and sends the VM nothing.
  const beforeChord = received().length;
  await page.keyboard.down('Control');
  await page.keyboard.down('Alt');
  await page.keyboard.down('Shift');
  for (const key of ['Shift', 'Alt', 'Control']) await page.keyboard.up(key);
  await expect(page.getByRole('button', { name: 'Full screen' })).toBeFocused();
  expect(received().slice(beforeChord)).toBe('');

  // The terminal fits its pane as the pane changes.
  const screenWidth = async () => (await page.locator('.console .xterm-screen').boundingBox())?.width ?? 0;
  const wide = await screenWidth();
  await page.setViewportSize({ width: 700, height: 500 });
  await expect.poll(screenWidth).toBeLessThan(700);
  expect(await screenWidth()).toBeLessThan(wide);
  await expect.poll(screenWidth).toBeGreaterThan(700 - 40);
  await page.getByLabel('VM serial console').click();

  // What the VM writes appears, UTF-8 included.
  h.cluster.serial.write(NS, VM, '\r\nKernel says héllo\r\n');
  await expect(terminal(page)).toContainText('Kernel says héllo');

  // Pasted text goes as its bytes, a new line as Return.
  const beforePaste = received().length;
  await page.getByRole('button', { name: 'Paste text' }).click();
  await page.getByRole('dialog', { name: 'Paste text' }).getByLabel('Text to type').fill('echo é\n');
  await page.getByRole('button', { name: 'Type text' }).click();
  await expect.poll(() => received().slice(beforePaste)).toBe('echo é\r');

  // Copy: what is selected in the terminal reaches the clipboard.
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.url });
  await terminal(page).getByText('Kernel says héllo').dblclick({ force: true });
  await page.getByRole('button', { name: 'Copy' }).click();
  await expect(page.locator('.console').getByRole('status').filter({ hasText: 'Copied' })).toBeVisible();
  expect(['Kernel', 'says', 'héllo']).toContain(await page.evaluate('navigator.clipboard.readText()'));

  expect(violations).toEqual([]);
});

test('a link to both consoles offers Screen and Serial, and switching opens the other one', async ({ page }) => {
  const violations = await cspViolations(page);
  await followLink(page, { urls: [vncPath(NS, VM), consolePath(NS, VM)] });
  await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
  const switcher = page.getByRole('radiogroup', { name: 'Console' });
  await expect(switcher.getByRole('radio', { name: 'Screen' })).toBeChecked();
  await expect(page.getByLabel('VM console').locator('canvas')).toBeVisible();
  expect(h.cluster.serial.connections(NS, VM)).toBe(0);

  await switcher.getByRole('radio', { name: 'Serial' }).check();
  await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
  await expect(terminal(page)).toContainText(`${VM} login:`, { timeout: 10_000 });
  expect(pathParam(page)).toBe(`k8s${consolePath(NS, VM)}`);
  await expect.poll(() => h.cluster.serial.connections(NS, VM)).toBe(1);
  await expect.poll(() => h.cluster.vnc.builtinServer(NS, VM)?.connected ?? false).toBe(false);

  // The terminal took the keyboard as it connected.
  const before = received().length;
  await page.keyboard.type('uptime\r');
  await expect.poll(() => received().slice(before)).toBe('uptime\r');
  await expect.poll(() => screenText(page)).toContain(`uptime\n${VM} login:`);

  await switcher.getByRole('radio', { name: 'Screen' }).check();
  await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
  await expect.poll(() => h.cluster.serial.connections(NS, VM)).toBe(0);
  expect(pathParam(page)).toBe(`k8s${vncPath(NS, VM)}`);
  // The screen again, typed into as before: keys, not bytes.
  const server = h.cluster.vnc.builtinServer(NS, VM);
  if (!server) throw new Error(`the stand-in has no built-in VNC server for ${NS}/${VM}`);
  const keysBefore = server.events.length;
  await page.getByLabel('VM console').locator('canvas').click();
  await page.keyboard.type('q');
  await expect.poll(() => server.events.slice(keysBefore).some((e) => e.type === 'key' && e.down && e.keysym === 0x71)).toBe(true);

  // The address names the console shown: reloading shows it again.
  await switcher.getByRole('radio', { name: 'Serial' }).check();
  await expect(terminal(page)).toContainText(`${VM} login:`, { timeout: 15_000 });
  await page.reload();
  await expect(page.getByRole('radiogroup', { name: 'Console' }).getByRole('radio', { name: 'Serial' })).toBeChecked({ timeout: 15_000 });
  await expect(terminal(page)).toContainText(`${VM} login:`, { timeout: 15_000 });

  expect(violations).toEqual([]);
});

test('a view-only serial link shows the console and sends nothing to it', async ({ page }) => {
  const violations = await cspViolations(page);
  // Counted at the page, so the gateway dropping a view-only viewer's bytes cannot hide one sent.
  const framesSent: string[] = [];
  page.on('websocket', (socket) => socket.on('framesent', ({ payload }) => framesSent.push(`${socket.url()}: ${String(payload)}`)));
  await followLink(page, { urls: [consolePath(NS, VM)], restrictions: { viewOnly: true } });
  await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
  await expect(page.getByText('View only', { exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Paste text' })).toHaveCount(0);
  h.cluster.serial.write(NS, VM, '\r\nwatch this\r\n');
  await expect(terminal(page)).toContainText('watch this', { timeout: 10_000 });

  const before = received().length;
  await page.getByLabel('VM serial console').click();
  await page.keyboard.type('rm -rf /\r');
  await page.keyboard.press('Control+c');
  // Time for any byte to have crossed the gateway; the terminal echoes none either.
  await page.waitForTimeout(1_000);
  expect(received().slice(before)).toBe('');
  expect(framesSent).toEqual([]);
  await expect(terminal(page)).not.toContainText('rm -rf');

  expect(violations).toEqual([]);
});

test('a serial console closes with the same words as the screen: the link expired, the VM is not running', async ({ page }) => {
  const violations = await cspViolations(page);
  await followLink(page, { urls: [consolePath(NS, VM)], duration: '5s' });
  await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
  await expect(page.getByRole('alert')).toContainText('This link has expired', { timeout: 15_000 });
  await expect(page.getByRole('button', { name: 'Reconnect' })).toBeDisabled();

  const stopped = await h.consoleToken({ namespace: 'team-b', name: 'build-7', urls: [consolePath('team-b', 'build-7')] });
  await page.goto(`${h.url}/auth/jwt/set?token=${stopped}&name=build-7&namespace=team-b`);
  await expect(page.getByRole('alert')).toContainText('The VM is not running', { timeout: 15_000 });
  expect(pathParam(page)).toBe(`k8s${consolePath('team-b', 'build-7')}`);

  expect(violations).toEqual([]);
});
