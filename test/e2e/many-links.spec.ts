// One browser, fifty links: the gateway keeps its cookies within a budget, so
// no request ever passes its 16 KiB header limit (431) and the links opened
// last keep opening their consoles. Debian's Chromium, the real gateway and
// the stand-in's built-in VNC servers, nothing faked.
import { existsSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { vncPath } from '../../shared/kubevirt-paths.ts';
import { cookieBudgetBytes } from '../../gateway/cookie-budget.ts';
import type { VmSpec } from '../cluster/kubevirt.ts';
import { startHarness } from '../support/gateway-harness.ts';
import type { Harness } from '../support/gateway-harness.ts';
import { consoleConnected } from '../support/app-page.ts';

const VIEWER_PAGE = new URL('../../dist/viewer/noVNC/vnc_lite.html', import.meta.url);
const LINKS = 50;
const vmName = (i: number) => `vm-${String(i).padStart(2, '0')}`;

let h: Harness;

test.beforeAll(async () => {
  if (!existsSync(VIEWER_PAGE)) {
    throw new Error('the browser viewer is not built: run `npx vite build -c vite.viewer.config.ts` first');
  }
  const vms: VmSpec[] = Array.from({ length: LINKS }, (_, i) => ({ namespace: 'links', name: vmName(i), running: true }));
  h = await startHarness({ cluster: { fixture: { base: 'default', namespaces: ['links'], vms } } });
});

test.afterAll(async () => {
  await h?.close();
});

async function connected(page: Page): Promise<void> {
  await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
}

test('fifty links opened in one browser: no request answers 431, and the last ten still open their consoles', async ({ page, context }) => {
  test.setTimeout(300_000);
  const tooLarge: string[] = [];
  page.on('response', (response) => {
    if (response.status() === 431) tooLarge.push(response.url());
  });

  for (let i = 0; i < LINKS; i++) {
    // Tokens of the size the app issues: an issuer and a label, besides the console's claims.
    const token = await h.consoleToken({ namespace: 'links', name: vmName(i), duration: '2h', sub: 'alice@example.com', restrictions: { label: `Support ticket ${1000 + i} for the ACME migration` } });
    const response = await page.goto(`${h.url}/auth/jwt/set?token=${token}&name=${vmName(i)}&namespace=links`);
    expect(response?.status(), `link ${i}`).toBe(200);
    await connected(page);
  }

  const cookies = await context.cookies(h.url);
  const bytes = cookies.reduce((sum, c) => sum + Buffer.byteLength(`${c.name}=${c.value}; `), 0);
  expect(bytes).toBeLessThanOrEqual(cookieBudgetBytes);
  const consoleCookies = cookies.filter((c) => c.name.startsWith('gatepass-console.'));
  expect(consoleCookies.length).toBeLessThan(LINKS);

  // Back to each of the last ten consoles through its viewer page alone: the browser's cookie still opens it.
  for (let i = LINKS - 10; i < LINKS; i++) {
    await page.goto(`${h.url}/noVNC/vnc_lite.html?path=${encodeURIComponent(`k8s${vncPath('links', vmName(i))}`)}`);
    await connected(page);
    await expect(page.getByRole('heading', { name: `${vmName(i)} in links` })).toBeVisible();
  }
  expect(tooLarge).toEqual([]);
});
