// The VM list of a large context arriving page by page, in Chromium over the
// development bridge: rows show from the first page while the count still says
// "loading…" and the grid is busy, and a filter typed meanwhile stays right as
// the remaining pages come in. The stand-in answers each VM list page slowly
// (a latency fault), with small pages, so the loading lasts a few seconds.
import { expect, test } from '@playwright/test';
import { vmListPath } from '../../shared/kubevirt-paths.ts';
import { generateFixture } from '../cluster/default-fixture.ts';
import { startDesktopStack } from '../support/desktop-stack.ts';
import type { DesktopStack } from '../support/desktop-stack.ts';

const VMS = 1500;
/** The generated VMs plus the default fixture's four. */
const TOTAL = (VMS + 4).toLocaleString('en-US');
let stack: DesktopStack;

test.beforeAll(async () => {
  stack = await startDesktopStack({
    cluster: { fixture: await generateFixture({ vms: VMS, namespaces: 10 }) },
    inventory: { pageSizes: { first: 100, rest: 100 } },
  });
  stack.harness.cluster.faults.add({ path: vmListPath(), method: 'GET', latencyMs: 250 });
});

test.afterAll(async () => {
  await stack?.close();
});

test('shows the first page of VMs while the rest is loading, and a filter follows the pages', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(stack.bridge.url);
  const grid = page.getByRole('grid', { name: 'Virtual machines' });
  const count = page.locator('.toolbar__count');
  await expect(grid.locator('[role="row"][aria-rowindex="2"]')).toBeVisible({ timeout: 15_000 });
  // Read together: rows on screen at the same moment as the count saying it is not done.
  // A string, as this project's Node type-check has no DOM.
  const whileLoading = await page.evaluate<{ rows: number; busy: string | null; count: string; countRole: string | null }>(`(() => {
    const shown = document.querySelector('[role="grid"][aria-label="Virtual machines"]');
    const count = document.querySelector('.toolbar__count');
    return {
      rows: shown.querySelectorAll('[role="row"][aria-rowindex]').length,
      busy: shown.getAttribute('aria-busy'),
      count: count.textContent,
      countRole: count.getAttribute('role'),
    };
  })()`);
  expect(whileLoading.rows).toBeGreaterThan(1);
  expect(whileLoading.busy).toBe('true');
  expect(whileLoading.count).toMatch(/^\d[\d,]* of \d[\d,]* VMs · loading…$/);
  expect(whileLoading.countRole).toBe('status');

  // vm-01499 lives in the last namespace, on one of the last pages.
  await page.getByRole('searchbox', { name: 'Search virtual machines' }).fill('vm-01499');
  await expect(count).toHaveText(/^0 of \d[\d,]* VMs · loading…$/);
  await expect(count).toHaveText(`1 of ${TOTAL} VMs`, { timeout: 30_000 });
  await expect(grid).toHaveAttribute('aria-busy', 'false');
  await expect(grid.getByRole('gridcell', { name: 'vm-01499', exact: true })).toBeVisible();

  await page.getByRole('searchbox', { name: 'Search virtual machines' }).fill('');
  await expect(count).toHaveText(`${TOTAL} of ${TOTAL} VMs`);
});
