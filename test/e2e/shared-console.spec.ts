// Shared consoles end to end, nothing faked: the local cluster stand-in behind
// the real gateway, the built viewer, the desktop app over the development
// bridge, and Chromium. Several people follow links to one VM's console in their
// own browser contexts: they see the same console, each is told who else is
// there and when someone joins or leaves; the operator invites someone into
// their own console.
import { existsSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import { consolePath, vncPath } from '../../shared/kubevirt-paths.ts';
import type { BuildClaimsInput } from '../../shared/claims.ts';
import { parseLink } from '../../shared/links.ts';
import type { Harness } from '../support/gateway-harness.ts';
import { consoleConnected, openApp, vmDetails } from '../support/app-page.ts';
import { expectAccessible } from '../support/axe.ts';
import { colourShares } from '../support/console-pixels.ts';
import { startDesktopStack, type DesktopStack } from '../support/desktop-stack.ts';

const VIEWER_PAGE = new URL('../../dist/viewer/noVNC/vnc_lite.html', import.meta.url);
const NS = 'team-a';
const VM = 'web-1';

let stack: DesktopStack;
let h: Harness;

test.beforeAll(async () => {
  if (!existsSync(VIEWER_PAGE)) {
    throw new Error('the browser viewer is not built: run `npx vite build -c vite.viewer.config.ts` first');
  }
  stack = await startDesktopStack();
  h = stack.harness;
});

test.afterAll(async () => {
  await stack?.close();
});

test.afterEach(() => {
  h.cluster.serial.disconnect(NS, VM);
  h.cluster.vnc.disconnect(NS, VM);
});

const linkFor = (claims: Partial<BuildClaimsInput>) => h.consoleToken({ duration: '15m', ...claims });

/** A person of their own (a fresh browser context) following the link's token. */
async function follow(browser: Browser, token: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1100, height: 750 } })).newPage();
  await page.goto(`${stack.gatewayUrl}/auth/jwt/set?token=${token}&name=${VM}&namespace=${NS}`);
  await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
  return page;
}

const headcount = (page: Page) => page.getByRole('button', { name: /^\d+ (person|people) here$/ });
const people = (page: Page) => page.getByRole('list', { name: 'People on this console' }).getByRole('listitem');
/** The polite announcement of a join or leave, which is also shown. */
const notice = (page: Page, text: string) => page.locator('.presence__notice[role="status"]').filter({ hasText: text });

async function openPeople(page: Page): Promise<void> {
  const button = headcount(page);
  if ((await button.getAttribute('aria-expanded')) !== 'true') await button.click();
  await expect(page.getByRole('list', { name: 'People on this console' })).toBeVisible();
}

const serialText = (page: Page) => page.locator('.console .xterm-rows').innerText();
const received = () => h.cluster.serial.received(NS, VM).toString('utf8');

test('two people on one serial link share the console, see each other, and hear a view-only joiner come and go', async ({ browser }) => {
  const link = await linkFor({ urls: [consolePath(NS, VM)], restrictions: { label: 'Support desk' } });
  const first = await follow(browser, link);
  const second = await follow(browser, link);

  // One console: what the VM writes shows on both, and typing on either reaches it once.
  h.cluster.serial.write(NS, VM, '\r\nshared hello\r\n');
  for (const page of [first, second]) await expect.poll(() => serialText(page)).toContain('shared hello');
  const before = received().length;
  await second.getByLabel('VM serial console').click();
  await second.keyboard.type('uptime');
  await expect.poll(() => received().slice(before)).toBe('uptime');

  for (const page of [first, second]) {
    await expect(headcount(page)).toHaveText('2 people here');
    await openPeople(page);
    await expect(people(page)).toHaveCount(2);
    await expect(people(page).filter({ hasText: 'Support desk' })).toHaveCount(2);
    await expect(people(page).filter({ hasText: '(you)' })).toHaveCount(1);
    await expect(people(page).filter({ hasText: 'control' })).toHaveCount(2);
  }

  const watcher = await follow(browser, await linkFor({ urls: [consolePath(NS, VM)], restrictions: { label: 'Auditor', viewOnly: true } }));
  for (const page of [first, second]) {
    await expect(notice(page, 'Auditor joined the console (view only)')).toBeVisible();
    await expect(headcount(page)).toHaveText('3 people here');
  }
  await openPeople(watcher);
  await expect(people(watcher).filter({ hasText: 'Auditor' })).toContainText(['Auditor (you) · view only']);
  // Its own arrival is not news to it.
  await expect(watcher.locator('.presence__notice')).toHaveText('');

  // View only: typing reaches nothing.
  const beforeWatcher = received().length;
  await watcher.getByLabel('VM serial console').click();
  await watcher.keyboard.type('rm -rf');
  await first.waitForTimeout(300);
  expect(received().slice(beforeWatcher)).toBe('');

  await watcher.context().close();
  for (const page of [first, second]) {
    await expect(notice(page, 'Auditor left the console')).toBeVisible();
    await expect(headcount(page)).toHaveText('2 people here');
  }
  await first.context().close();
  await second.context().close();
});

test('two people on one screen link see the same picture and each other', async ({ browser }) => {
  const link = await linkFor({ urls: [vncPath(NS, VM)], restrictions: { label: 'Screen share' } });
  const first = await follow(browser, link);
  const second = await follow(browser, link);
  // The joiner's first picture is a whole-screen update: wait for it to be drawn, then compare.
  for (const page of [first, second]) await expect.poll(async () => (await colourShares(page)).background, { timeout: 10_000 }).toBeGreaterThan(0.5);
  const [mine, theirs] = await Promise.all([first, second].map((page) => colourShares(page)));
  for (const colour of ['background', 'title', 'label'] as const) {
    expect(mine![colour], colour).toBeGreaterThan(0.001);
    expect(theirs![colour], colour).toBeCloseTo(mine![colour], 2);
  }
  for (const page of [first, second]) {
    await expect(headcount(page)).toHaveText('2 people here');
    await openPeople(page);
    await expect(people(page).filter({ hasText: 'Screen share' })).toHaveCount(2);
    await expect(people(page).filter({ hasText: '(you)' })).toHaveCount(1);
  }
  await second.context().close();
  await expect(notice(first, 'Screen share left the console')).toBeVisible();
  await expect(headcount(first)).toHaveText('1 person here');
  await first.context().close();
});

/**
 * From the operator's open own console: Invite (view only, the default) for "Ann
 * from support"; the console moves through the gateway and says so; Ann follows
 * the invitation in a browser of her own and both are told of each other.
 */
async function inviteAnn(page: Page, browser: Browser): Promise<Page> {
  await page.getByRole('button', { name: 'Invite' }).click();
  const dialog = page.getByRole('dialog', { name: 'Invite to this console' });
  await expect(dialog.getByRole('radio', { name: /^View only/ })).toBeChecked();
  await expectAccessible(page, { what: 'the invite dialog' });
  await dialog.getByRole('radio', { name: '15 minutes' }).check();
  await dialog.getByLabel('Label (optional, e.g. who it is for)').fill('Ann from support');
  await dialog.getByRole('button', { name: 'Create invitation' }).click();
  const invitation = await dialog.getByRole('textbox', { name: 'Link to send' }).inputValue();
  await expect(dialog.getByRole('status').filter({ hasText: 'of web-1' })).toContainText('view-only');
  await expectAccessible(page, { what: 'the invite dialog with the invitation' });
  await dialog.getByRole('button', { name: 'Done' }).click();

  await expect(page.getByRole('status').filter({ hasText: 'now runs through the Gatepass gateway' })).toBeVisible();
  await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
  await expect(headcount(page)).toHaveText('1 person here', { timeout: 15_000 });

  const guest = await follow(browser, parseLink(invitation).token);
  await expect(notice(page, 'Ann from support joined the console (view only)')).toBeVisible();
  await expect(headcount(guest)).toHaveText('2 people here');
  await openPeople(guest);
  await expect(people(guest).filter({ hasText: 'Your own console, shared' })).toContainText(['control']);
  await expect(people(guest).filter({ hasText: 'Ann from support (you)' })).toContainText(['view only']);
  return guest;
}

test('the operator invites someone into their own serial console: it moves through the gateway, the invitee joins view only', async ({ page, browser }) => {
  const problems = await openApp(page, stack.bridge.url, 'operator');
  const details = await vmDetails(page, VM);
  await details.getByRole('button', { name: 'Open serial console' }).click();
  await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
  // Straight to the API server: nobody is told of anyone.
  await expect(headcount(page)).toHaveCount(0);

  const guest = await inviteAnn(page, browser);

  // Both see the same console; the invitee's typing reaches nothing, the operator's does.
  h.cluster.serial.write(NS, VM, '\r\ninvited hello\r\n');
  for (const viewer of [page, guest]) await expect.poll(() => serialText(viewer)).toContain('invited hello');
  const before = received().length;
  await guest.getByLabel('VM serial console').click();
  await guest.keyboard.type('reboot');
  await page.getByLabel('VM serial console').click();
  await page.keyboard.type('who');
  await expect.poll(() => received().slice(before)).toBe('who');
  // One upstream serial connection, held by the gateway for both.
  expect(h.cluster.serial.connections(NS, VM)).toBe(1);

  await guest.context().close();
  await expect(notice(page, 'Ann from support left the console')).toBeVisible();
  expect(problems).toEqual([]);
});

test('the operator invites someone into their own screen: the invitee sees the same picture', async ({ page, browser }) => {
  const problems = await openApp(page, stack.bridge.url, 'operator');
  const details = await vmDetails(page, VM);
  await details.getByRole('button', { name: 'Open console' }).click();
  await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });

  const guest = await inviteAnn(page, browser);
  for (const viewer of [page, guest]) await expect.poll(async () => (await colourShares(viewer)).background, { timeout: 10_000 }).toBeGreaterThan(0.5);
  const [mine, theirs] = await Promise.all([page, guest].map((viewer) => colourShares(viewer)));
  expect(theirs!.title).toBeGreaterThan(0.001);
  expect(theirs!.title).toBeCloseTo(mine!.title, 2);
  await guest.context().close();
  await expect(notice(page, 'Ann from support left the console')).toBeVisible();
  expect(problems).toEqual([]);
});
