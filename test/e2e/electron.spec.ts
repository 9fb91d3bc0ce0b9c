// The desktop app in a real Electron, driven by Playwright's _electron — only
// where an Electron binary exists (ELECTRON_OVERRIDE_DIST_PATH, or
// node_modules/electron/dist from a normal install). These machines install
// Electron without its binary; there test/integration/desktop-boot.test.ts boots
// the built bundle under a test double instead, and this suite says it skipped.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron as electron, expect, test } from '@playwright/test';
import type { ElectronApplication } from '@playwright/test';
import { buildDeepLink, buildGatewayLink } from '../../shared/links.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));

function electronBinary(): string | undefined {
  const pathFile = join(repo, 'node_modules/electron/path.txt');
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : 'electron';
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(repo, 'node_modules/electron/dist');
  const binary = join(dist, name);
  return existsSync(binary) ? binary : undefined;
}

const binary = electronBinary();
const built = existsSync(join(repo, 'out/main/index.js'));
const skipReason = !binary
  ? 'no Electron binary here (set ELECTRON_OVERRIDE_DIST_PATH or install Electron with its binary); desktop-boot.test.ts covers the boot with a test double'
  : !built
    ? 'the app is not built; run `npm run build:app` first'
    : '';

if (skipReason) console.log(`electron.spec: SKIPPED — ${skipReason}`);

const link = buildGatewayLink({ gateway: 'https://gw.example', token: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJPcGVyYXRvciJ9.SiGnAtUrE_xY', name: 'vm-a', namespace: 'demo', form: 'fragment' });
const deepLink = buildDeepLink(link);

test.describe('Gatepass in Electron', () => {
  test.skip(skipReason !== '', skipReason);
  let app: ElectronApplication;

  test.beforeEach(async () => {
    app = await electron.launch({
      executablePath: binary!,
      args: [join(repo, 'out/main/index.js'), deepLink],
      env: { ...process.env, KUBECONFIG: join(repo, 'test-results/no-kubeconfig') },
    });
  });

  test.afterEach(async () => {
    await app.close();
  });

  test('opens a locked-down window on the built renderer with the cold-start link pre-filled', async () => {
    const page = await app.firstWindow();
    expect(page.url()).toMatch(/out\/renderer\/index\.html/);
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
    // No Node in the page (nodeIntegration off, sandboxed, isolated from the preload).
    expect(await page.evaluate(() => [typeof (globalThis as { process?: unknown }).process, typeof (globalThis as { module?: unknown }).module])).toEqual(['undefined', 'undefined']);
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    // Wrapped or unwrapped, the token shows with its case intact.
    await expect(page.getByRole('textbox', { name: 'Link' })).toHaveValue(/SiGnAtUrE_xY/);
  });

  test('exposes exactly the DesktopApi as window.gatepass', async () => {
    const page = await app.firstWindow();
    const keys = await page.evaluate(() => Object.keys((globalThis as { gatepass?: object }).gatepass ?? {}).sort());
    expect(keys).toContain('rendererReady');
    expect(keys).toContain('onEvent');
    expect(keys).not.toContain('takeConsoleChannel');
  });

  test('refuses navigation away from the app', async () => {
    const page = await app.firstWindow();
    const before = page.url();
    await page.evaluate(() => { (globalThis as unknown as { location: { href: string } }).location.href = 'https://evil.example/'; });
    await page.waitForTimeout(500);
    expect(page.url()).toBe(before);
  });
});
