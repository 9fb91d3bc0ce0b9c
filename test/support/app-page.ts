// The desktop app's page as the end-to-end specs drive it over the development
// bridge: opening it in a context, and finding its grid rows, details and dialogs.
import { expect, type Locator, type Page } from '@playwright/test';

/** The row of VM `name` in the VM grid. */
export function vmRow(page: Page, name: string): Locator {
  return page.getByRole('grid', { name: 'Virtual machines' }).getByRole('row').filter({ has: page.getByRole('gridcell', { name, exact: true }) });
}

/**
 * Opens the app at `url` and, when one is named, switches to `context` and waits for
 * its VMs (web-1 is in every context's view). Returns the page errors and Content
 * Security Policy violations seen, for a test to assert there were none.
 */
export async function openApp(page: Page, url: string, context?: string): Promise<string[]> {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(url);
  await expect(page.getByRole('grid', { name: 'Virtual machines' })).toBeVisible({ timeout: 15_000 });
  if (context !== undefined) await selectContext(page, context);
  return problems;
}

export async function selectContext(page: Page, context: string): Promise<void> {
  await page.getByLabel('Context').selectOption(context);
  await expect(page.getByLabel('Context')).toHaveValue(context);
  await expect(vmRow(page, 'web-1')).toBeVisible({ timeout: 15_000 });
}

/** Opens VM `vm`'s details from its row. */
export async function vmDetails(page: Page, vm: string): Promise<Locator> {
  await vmRow(page, vm).getByRole('gridcell', { name: vm, exact: true }).click();
  const panel = page.getByRole('complementary', { name: `Details of ${vm}` });
  await expect(panel).toBeVisible();
  return panel;
}

/** Opens the share dialog of VM `vm` from its details. */
export async function openShareDialog(page: Page, vm: string): Promise<Locator> {
  await (await vmDetails(page, vm)).getByRole('button', { name: 'Share console' }).click();
  const dialog = page.getByRole('dialog', { name: 'Share console' });
  await expect(dialog).toBeVisible();
  return dialog;
}

/** Pastes `link` into the Open link view and asks what it claims; returns the claims shown. */
export async function inspectInApp(page: Page, link: string): Promise<Locator> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: 'Open link' }).click();
  const main = page.getByRole('main');
  await main.getByRole('textbox', { name: 'Link' }).fill(link);
  await main.getByRole('button', { name: 'Open link' }).click();
  const claims = main.getByRole('region', { name: 'What the link claims' });
  await expect(claims).toBeVisible();
  return claims;
}

/**
 * The console's own "Connected" status. Scoped to the console, because the
 * app's header says "Connected" too (of the cluster) and may still be on
 * screen while the console opens.
 */
export function consoleConnected(page: Page): Locator {
  return page.locator('.console').getByRole('status').filter({ hasText: 'Connected' });
}
