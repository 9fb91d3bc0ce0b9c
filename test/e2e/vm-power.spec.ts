// VM power from the app, in Chromium over the development bridge, against the
// stand-in's real RBAC and its KubeVirt power subresources (each intermediate
// state lasting 300 ms, so the progress is seen): the operator may start, stop,
// restart, pause and unpause VMs in team-a and team-b but not in kube-gateway;
// the viewer may do nothing. Stop asks first (Pause does not); the status shows
// the change; the own console of a VM that stopped offers Start VM.
import { expect, test } from '@playwright/test';
import type { Locator } from '@playwright/test';
import { consoleConnected, openApp, vmDetails, vmRow } from '../support/app-page.ts';
import { startDesktopStack } from '../support/desktop-stack.ts';
import type { DesktopStack } from '../support/desktop-stack.ts';

let stack: DesktopStack;

test.beforeAll(async () => {
  stack = await startDesktopStack({ cluster: { vmStepMs: 300 } });
});

test.afterAll(async () => {
  await stack?.close();
});

const statusOf = (panel: Locator) => panel.locator('dt:text-is("Status") + dd');
const printable = (namespace: string, name: string) =>
  (stack.harness.cluster.objects.get('VirtualMachine', namespace, name)?.['status'] as { printableStatus?: string } | undefined)?.printableStatus;

test('the operator stops a running VM after confirming, sees it go Stopped, and starts it again', async ({ page }) => {
  const problems = await openApp(page, stack.bridge.url, 'operator');
  const panel = await vmDetails(page, 'web-1');
  const power = panel.getByRole('group', { name: 'Power' });
  await expect(power.getByRole('button')).toHaveText(['Stop', 'Restart', 'Pause'], { timeout: 10_000 });

  // Cancelling asks nothing of the cluster, and focus returns to the button.
  await power.getByRole('button', { name: 'Stop' }).focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Stop web-1?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(power.getByRole('button', { name: 'Stop' })).toBeFocused();
  expect(printable('team-a', 'web-1')).toBe('Running');

  await power.getByRole('button', { name: 'Stop' }).click();
  await dialog.getByRole('button', { name: 'Stop VM' }).click();
  await expect(power.getByRole('status')).toHaveText('Stopping…');
  await expect(statusOf(panel)).toHaveText(/^Stopped/, { timeout: 10_000 });
  await expect(power.getByRole('status')).toHaveCount(0);
  expect(printable('team-a', 'web-1')).toBe('Stopped');

  // Start needs no confirmation.
  await expect(power.getByRole('button')).toHaveText(['Start']);
  await power.getByRole('button', { name: 'Start' }).click();
  await expect(power.getByRole('status')).toHaveText('Starting…');
  await expect(statusOf(panel)).toHaveText(/^Running/, { timeout: 10_000 });
  await expect(power.getByRole('button')).toHaveText(['Stop', 'Restart', 'Pause']);
  expect(problems).toEqual([]);
});

test('the operator pauses a running VM from its details, sees it Paused, and unpauses it from the row menu', async ({ page }) => {
  const problems = await openApp(page, stack.bridge.url, 'operator');
  const panel = await vmDetails(page, 'web-1');
  const power = panel.getByRole('group', { name: 'Power' });
  await expect(power.getByRole('button')).toHaveText(['Stop', 'Restart', 'Pause'], { timeout: 10_000 });

  // Pause interrupts nobody's session for good, so it asks nothing first.
  await power.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(power.getByRole('status')).toHaveText('Pausing…');
  await expect(statusOf(panel)).toHaveText(/^Paused/, { timeout: 10_000 });
  await expect(power.getByRole('status')).toHaveCount(0);
  await expect(vmRow(page, 'web-1').getByRole('gridcell', { name: 'Paused', exact: true })).toBeVisible();
  expect(printable('team-a', 'web-1')).toBe('Paused');
  await expect(power.getByRole('button')).toHaveText(['Unpause', 'Stop', 'Restart']);

  await vmRow(page, 'web-1').getByRole('button', { name: 'Actions for web-1' }).click();
  const menu = page.getByRole('menu', { name: 'Actions for web-1' });
  await expect(menu.getByRole('menuitem')).toHaveText(['Show details', 'Unpause', 'Stop', 'Restart'], { timeout: 10_000 });
  await menu.getByRole('menuitem', { name: 'Unpause' }).click();
  await expect(power.getByRole('status')).toHaveText('Unpausing…');
  await expect(statusOf(panel)).toHaveText(/^Running/, { timeout: 10_000 });
  await expect(power.getByRole('status')).toHaveCount(0);
  await expect(vmRow(page, 'web-1').getByRole('gridcell', { name: 'Running', exact: true })).toBeVisible();
  await expect(power.getByRole('button')).toHaveText(['Stop', 'Restart', 'Pause']);
  expect(printable('team-a', 'web-1')).toBe('Running');
  expect(problems).toEqual([]);
});

test('the row menu offers what the operator may do, from the mouse and the keyboard, and withholds it in kube-gateway', async ({ page }) => {
  const problems = await openApp(page, stack.bridge.url, 'operator');

  await vmRow(page, 'testvm').getByRole('button', { name: 'Actions for testvm' }).click();
  let menu = page.getByRole('menu', { name: 'Actions for testvm' });
  await expect(menu).toBeVisible();
  await expect(menu.getByText('Checking what you may do…')).toHaveCount(0);
  await expect(menu.getByRole('menuitem')).toHaveText(['Show details']);
  await expect(menu.getByRole('menuitem', { name: 'Show details' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(menu).toBeHidden();
  await expect(page.getByRole('grid', { name: 'Virtual machines' })).toBeFocused();

  // Keyboard: move to build-7 (stopped, team-b) and open its menu with Shift+F10.
  const grid = page.getByRole('grid', { name: 'Virtual machines' });
  await vmRow(page, 'build-7').getByRole('gridcell', { name: 'build-7', exact: true }).click();
  await page.getByRole('button', { name: 'Close details' }).click();
  await grid.focus();
  await page.keyboard.press('Shift+F10');
  menu = page.getByRole('menu', { name: 'Actions for build-7' });
  await expect(menu.getByRole('menuitem')).toHaveText(['Show details', 'Start'], { timeout: 10_000 });
  await page.keyboard.press('ArrowDown');
  await expect(menu.getByRole('menuitem', { name: 'Start' })).toBeFocused();
  await page.keyboard.press('Enter');

  const panel = page.getByRole('complementary', { name: 'Details of build-7' });
  await expect(panel.getByRole('group', { name: 'Power' }).getByRole('status')).toHaveText('Starting…');
  await expect(statusOf(panel)).toHaveText(/^Running/, { timeout: 10_000 });
  await expect(vmRow(page, 'build-7').getByRole('gridcell', { name: 'Running', exact: true })).toBeVisible();

  // Restart from the menu asks first, like the button.
  await vmRow(page, 'build-7').getByRole('button', { name: 'Actions for build-7' }).click();
  await page.getByRole('menu', { name: 'Actions for build-7' }).getByRole('menuitem', { name: 'Restart' }).click();
  const dialog = page.getByRole('dialog', { name: 'Restart build-7?' });
  await expect(dialog).toBeVisible();
  const uid = stack.harness.cluster.objects.get('VirtualMachineInstance', 'team-b', 'build-7')?.metadata.uid;
  await dialog.getByRole('button', { name: 'Restart VM' }).click();
  await expect(panel.getByRole('group', { name: 'Power' }).getByRole('status')).toHaveText('Restarting…');
  await expect(panel.getByRole('group', { name: 'Power' }).getByRole('status')).toHaveCount(0, { timeout: 10_000 });
  expect(stack.harness.cluster.objects.get('VirtualMachineInstance', 'team-b', 'build-7')?.metadata.uid).not.toBe(uid);
  expect(printable('team-b', 'build-7')).toBe('Running');

  // Nothing in kube-gateway: the details offer no power either.
  const testvm = await vmDetails(page, 'testvm');
  await expect(testvm.getByRole('button', { name: 'Share console' })).toBeVisible();
  await expect(testvm.getByRole('group', { name: 'Power' }).getByRole('button')).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('the viewer is offered no power actions', async ({ page }) => {
  const problems = await openApp(page, stack.bridge.url, 'viewer');
  const panel = await vmDetails(page, 'web-1');
  await expect(panel.getByRole('button', { name: 'Share console' })).toBeVisible();
  await vmRow(page, 'web-1').getByRole('button', { name: 'Actions for web-1' }).click();
  const menu = page.getByRole('menu', { name: 'Actions for web-1' });
  await expect(menu.getByText('Checking what you may do…')).toHaveCount(0);
  await expect(menu.getByRole('menuitem')).toHaveText(['Show details']);
  await expect(panel.getByRole('group', { name: 'Power' }).getByRole('button')).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('the viewer sees a paused VM as Paused and is offered no Unpause', async ({ page }) => {
  stack.harness.cluster.powerVm('team-a', 'db-1', 'pause');
  try {
    const problems = await openApp(page, stack.bridge.url, 'viewer');
    const panel = await vmDetails(page, 'db-1');
    await expect(statusOf(panel)).toHaveText(/^Paused/, { timeout: 10_000 });
    await vmRow(page, 'db-1').getByRole('button', { name: 'Actions for db-1' }).click();
    const menu = page.getByRole('menu', { name: 'Actions for db-1' });
    await expect(menu.getByText('Checking what you may do…')).toHaveCount(0);
    await expect(menu.getByRole('menuitem')).toHaveText(['Show details']);
    await expect(panel.getByRole('group', { name: 'Power' }).getByRole('button')).toHaveCount(0);
    expect(problems).toEqual([]);
  } finally {
    stack.harness.cluster.powerVm('team-a', 'db-1', 'unpause');
    await expect.poll(() => printable('team-a', 'db-1')).toBe('Running');
  }
});

test("the operator's own console of a VM that stopped offers Start VM, and connects again once it runs", async ({ page }) => {
  const problems = await openApp(page, stack.bridge.url, 'operator');
  const panel = await vmDetails(page, 'db-1');
  await panel.getByRole('button', { name: 'Open console' }).click();
  await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
  const toolbar = page.getByRole('toolbar', { name: 'Console controls' });
  await expect(toolbar.getByRole('button', { name: 'Start VM' })).toHaveCount(0);

  // Someone stops the VM under the open console.
  stack.harness.cluster.powerVm('team-a', 'db-1', 'stop');
  await expect(toolbar.getByRole('button', { name: 'Start VM' })).toBeVisible({ timeout: 15_000 });
  await toolbar.getByRole('button', { name: 'Start VM' }).click();
  await expect(toolbar.getByRole('status')).toHaveText('Starting…');
  await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
  await expect(toolbar.getByRole('button', { name: 'Start VM' })).toHaveCount(0);
  expect(printable('team-a', 'db-1')).toBe('Running');
  expect(problems).toEqual([]);
});
