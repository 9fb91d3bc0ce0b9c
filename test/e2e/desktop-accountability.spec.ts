// Who used my links, in the desktop app's renderer over the development bridge
// in Chromium: the stand-in, the real gateway, the real main services. A link's
// use reaches the Issued links view within 5 s, with where from, open now, uses
// left and its history; the VM details show who was on the console; someone who
// may not read Events is told so in words.
import { expect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { startDesktopStack } from '../support/desktop-stack.ts';
import type { DesktopStack } from '../support/desktop-stack.ts';

let stack: DesktopStack;

test.beforeAll(async () => {
  stack = await startDesktopStack({ linkActivity: { batchMs: 50 } });
});

test.afterAll(async () => {
  await stack?.close();
});

/**
 * A recipient opens the link's console in the app (the main services here, so
 * from 127.0.0.1) through the real gateway, which writes the audit Events the
 * app reads; close() ends it.
 */
async function useLink(link: string): Promise<{ close(): Promise<void> }> {
  const ticket = await stack.api.openConsole({ kind: 'link', link }, { takeOver: false });
  const channel = stack.api.takeConsoleChannel(ticket.id);
  if (!channel) throw new Error(`console ${ticket.id} has no channel`);
  await new Promise<void>((resolve, reject) => {
    channel.onOpen(() => resolve());
    channel.onClose((code, reason) => reject(new Error(`the console did not open: ${code} ${reason}`)));
  });
  return {
    async close() {
      await stack.api.closeConsole(ticket.id);
    },
  };
}

async function openApp(page: Page, context: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(stack.bridge.url);
  await expect(page.getByRole('grid', { name: 'Virtual machines' })).toBeVisible({ timeout: 15_000 });
  await page.getByLabel('Context').selectOption(context);
  await expect(page.getByLabel('Context')).toHaveValue(context);
}

function issuedRow(page: Page, label: string): Locator {
  return page.getByRole('list', { name: 'Issued links' }).getByRole('listitem').filter({ hasText: label });
}

async function vmDetails(page: Page, vm: string): Promise<Locator> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'VMs' }).click();
  const row = page.getByRole('grid', { name: 'Virtual machines' }).getByRole('row').filter({ has: page.getByRole('gridcell', { name: vm, exact: true }) });
  await row.click();
  return page.getByRole('complementary', { name: `Details of ${vm}` });
}

test('the Issued links view shows a use within 5 s, live, with its history and the VM’s openings', async ({ page }) => {
  await openApp(page, 'operator');
  const label = `accountability ${Date.now()}`;
  const shared = await stack.api.shareConsole({ context: 'operator', namespace: 'team-a', name: 'web-1', duration: '15m', singleUse: true, label });

  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Issued links' }).click();
  const row = issuedRow(page, label);
  await expect(row.getByText('Not used yet')).toBeVisible({ timeout: 10_000 });
  await expect(row.getByText(/^1 of 1 use left \(counted from the console Events/)).toBeVisible();

  const use = await useLink(shared.link);
  const usedAt = Date.now();
  await expect(row.getByText(/^Open now from 127\.0\.0\.1 since /)).toBeVisible({ timeout: 5_000 });
  expect(Date.now() - usedAt).toBeLessThan(5_000);
  await expect(row.getByText(/^No uses left/)).toBeVisible();
  // Over the bridge the notification is shown in the page.
  await expect(page.getByRole('status', { name: 'Notifications' })).toContainText(`Your link to “${label}” (team-a/web-1) was opened from 127.0.0.1`);
  expect(stack.platform.notifications.at(-1)?.title).toBe('Console link opened');

  await use.close();
  await expect(row.getByText(/^Used once, last .+ from 127\.0\.0\.1 for /)).toBeVisible({ timeout: 5_000 });
  await row.getByRole('button', { name: 'History' }).click();
  const history = row.getByRole('region', { name: 'History of the link to web-1' });
  await expect(history.getByRole('row')).toHaveCount(3);
  await expect(history.getByRole('row').nth(1)).toContainText(/Closed after/);
  await expect(history.getByRole('row').nth(2)).toContainText('Opened');
  await expect(history.getByRole('row').nth(2)).toContainText('127.0.0.1');

  const details = await vmDetails(page, 'web-1');
  const openings = details.getByRole('region', { name: 'Recent console openings' });
  await expect(openings.getByRole('listitem').first()).toHaveText(new RegExp(`alice’s link “${label}” · from 127\\.0\\.0\\.1 · `), { timeout: 10_000 });
});

test('someone who may not read Events is told so in words, not an error', async ({ page }) => {
  await openApp(page, 'viewer');
  const details = await vmDetails(page, 'web-1');
  const openings = details.getByRole('region', { name: 'Recent console openings' });
  await expect(openings).toContainText('You may not see who used this console (context viewer may not read the Events in team-a).', { timeout: 10_000 });
  await expect(details.getByRole('alert')).toHaveCount(0);
});
