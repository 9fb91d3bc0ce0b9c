// Shared consoles end to end, nothing faked: the local cluster stand-in behind
// the real gateway, the built viewer, and Chromium. Several people follow links
// to one VM's console in their own browser contexts: they see the same console,
// each is told who else is there, and is told when someone joins or leaves.
import { existsSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import { consolePath, vncPath } from '../../shared/kubevirt-paths.ts';
import type { BuildClaimsInput } from '../../shared/claims.ts';
import { startHarness } from '../support/gateway-harness.ts';
import type { Harness } from '../support/gateway-harness.ts';
import { consoleConnected } from '../support/app-page.ts';
import { colourShares } from '../support/console-pixels.ts';

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
  h.cluster.serial.disconnect(NS, VM);
  h.cluster.vnc.disconnect(NS, VM);
});

const linkFor = (claims: Partial<BuildClaimsInput>) => h.consoleToken({ duration: '15m', ...claims });

/** A person of their own (a fresh browser context) following the link. */
async function follow(browser: Browser, token: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1100, height: 750 } })).newPage();
  await page.goto(`${h.url}/auth/jwt/set?token=${token}&name=${VM}&namespace=${NS}`);
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
