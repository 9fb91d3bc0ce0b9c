// Accessibility end to end, in Chromium over the development bridge and against
// the real gateway's browser viewer: axe-core (WCAG 2.1 A/AA) over every view,
// dialog and console state, with no serious or critical violation allowed; and
// the main flows operated with the keyboard alone, with a focus indicator shown.
import { expect, test } from '@playwright/test';
import type { Locator, Page } from '@playwright/test';
import { buildGatewayLink } from '../../shared/links.ts';
import { consolePath, vncPath } from '../../shared/kubevirt-paths.ts';
import { expectAccessible } from '../support/axe.ts';
import { outsideHolder } from '../support/console-client.ts';
import { consoleConnected, inspectInApp, openApp, vmRow } from '../support/app-page.ts';
import { startDesktopStack } from '../support/desktop-stack.ts';
import type { DesktopStack } from '../support/desktop-stack.ts';

let stack: DesktopStack;

test.beforeAll(async () => {
  stack = await startDesktopStack();
});

test.afterAll(async () => {
  await stack?.close();
});

test.afterEach(() => {
  stack.harness.cluster.vnc.disconnect('team-a', 'web-1');
  stack.harness.cluster.serial.disconnect('team-a', 'web-1');
});

function view(page: Page, name: string): Locator {
  return page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name });
}

async function consoleLink(name = 'web-1', duration = '15m'): Promise<string> {
  const token = await stack.harness.consoleToken({ name, duration });
  return buildGatewayLink({ gateway: stack.gatewayUrl, token, name, namespace: 'team-a', form: 'fragment' });
}


test.describe('axe finds no serious or critical violation', () => {
  test('in the VM browser with details open, and the share dialog before and after issuing', async ({ page }) => {
    await openApp(page, stack.bridge.url);
    await vmRow(page, 'web-1').click();
    const details = page.getByRole('complementary', { name: 'Details of web-1' });
    await expect(details.getByRole('img', { name: 'Screen of web-1' })).toBeVisible({ timeout: 15_000 });
    await expectAccessible(page, { what: 'the VM browser with details of web-1' });

    await page.getByLabel('Context').selectOption('operator');
    await expect(vmRow(page, 'web-1')).toBeVisible({ timeout: 15_000 });
    await vmRow(page, 'web-1').click();
    await details.getByRole('button', { name: 'Share console' }).click();
    const dialog = page.getByRole('dialog', { name: 'Share console' });
    await expect(dialog.getByRole('button', { name: 'Create link' })).toBeEnabled({ timeout: 15_000 });
    await expectAccessible(page, { what: 'the share dialog before issuing' });

    await dialog.getByRole('radio', { name: 'Custom' }).check();
    await dialog.getByRole('textbox', { name: /^Custom lifetime/ }).fill('forever');
    await dialog.getByRole('button', { name: 'Create link' }).click();
    await expect(dialog.getByRole('alert')).toBeVisible();
    await expectAccessible(page, { what: 'the share dialog with a field error' });

    await dialog.getByRole('radio', { name: '15 minutes' }).check();
    await dialog.getByRole('button', { name: 'Create link' }).click();
    await expect(dialog.getByRole('textbox', { name: 'Link to send' })).toBeVisible({ timeout: 15_000 });
    await dialog.getByRole('button', { name: 'Copy link' }).click();
    await expect(dialog.getByRole('status').filter({ hasText: 'Copied' })).toBeVisible();
    await expectAccessible(page, { what: 'the share dialog after issuing' });
  });

  test('in the share dialog that refuses a viewer', async ({ page }) => {
    await openApp(page, stack.bridge.url, 'viewer');
    await vmRow(page, 'web-1').click();
    await page.getByRole('complementary', { name: 'Details of web-1' }).getByRole('button', { name: 'Share console' }).click();
    const dialog = page.getByRole('dialog', { name: 'Share console' });
    await expect(dialog.getByRole('alert').filter({ hasText: 'You may not issue links' })).toBeVisible({ timeout: 15_000 });
    await expectAccessible(page, { what: 'the share dialog refusing a viewer' });
  });

  test('in Open link with its claims, and the embedded console with the paste dialog', async ({ page }) => {
    await openApp(page, stack.bridge.url, 'operator');
    const claims = await inspectInApp(page, await consoleLink());
    await expectAccessible(page, { what: 'Open link showing what the link claims' });

    await claims.getByRole('button', { name: 'Connect' }).click();
    await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
    await expectAccessible(page, { what: 'the embedded console, connected' });

    await page.getByRole('button', { name: 'Paste text' }).click();
    await expect(page.getByRole('dialog', { name: 'Paste text' })).toBeVisible();
    await expectAccessible(page, { what: 'the embedded console\'s paste dialog' });
  });

  test('in the operator\'s own console, connected and dropped', async ({ page }) => {
    await openApp(page, stack.bridge.url);
    await vmRow(page, 'web-1').click();
    await page.getByRole('complementary', { name: 'Details of web-1' }).getByRole('button', { name: 'Open console' }).click();
    await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
    stack.harness.cluster.vnc.disconnect('team-a', 'web-1');
    await expect(page.getByRole('alert').or(page.getByRole('status').filter({ hasText: /Connecting|unreachable/ })).first()).toBeVisible({ timeout: 15_000 });
    await expectAccessible(page, { what: 'the embedded console after the VM dropped it' });
  });

  test('in Issued links with a history open, and in Settings', async ({ page }) => {
    await openApp(page, stack.bridge.url, 'operator');
    await stack.api.shareConsole({ context: 'operator', namespace: 'team-a', name: 'db-1', duration: '1h', from: 'now', viewOnly: false, singleUse: false, label: 'for the accessibility test' });
    await view(page, 'Issued links').click();
    const item = page.getByRole('listitem').filter({ hasText: 'for the accessibility test' }).first();
    await expect(item).toBeVisible();
    await item.getByRole('button', { name: 'History' }).click();
    await expect(page.getByRole('region', { name: 'History of the link to db-1' }).first()).toBeVisible();
    await item.getByRole('button', { name: 'Revoke' }).click();
    await expect(item.getByRole('group', { name: /^Revoke the link/ })).toBeVisible();
    await expectAccessible(page, { what: 'Issued links' });

    await view(page, 'Settings').click();
    await expect(page.getByRole('button', { name: 'Save cluster settings' })).toBeVisible({ timeout: 15_000 });
    await expectAccessible(page, { what: 'Settings' });
  });
});

/** The gateway's viewer page for a console, following a link as a recipient's browser does. */
async function followLink(page: Page, token: string, name = 'web-1', namespace = 'team-a'): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${stack.gatewayUrl}/auth/jwt/set?token=${token}&name=${name}&namespace=${namespace}`);
}

function viewerPath(name: string, namespace = 'team-a'): string {
  return `${stack.gatewayUrl}/noVNC/vnc_lite.html?path=${encodeURIComponent(`k8s${vncPath(namespace, name)}`)}`;
}

test.describe('axe finds no serious or critical violation in the browser viewer', () => {
  test('while checking the link, connecting and connected, with its dialogs open', async ({ page }) => {
    let releaseSession: () => void = () => undefined;
    const sessionHeld = new Promise<void>((resolve) => {
      releaseSession = resolve;
    });
    await page.route('**/auth/jwt/session*', async (route) => {
      await sessionHeld;
      await route.continue();
    });
    // The console's websocket held open without an answer: the viewer stays "connecting".
    let holding = true;
    await page.routeWebSocket(/\/vnc/, (ws) => {
      if (!holding) ws.connectToServer();
    });
    await followLink(page, await stack.harness.consoleToken({ duration: '15m' }));
    await expect(page.getByRole('status').filter({ hasText: 'Checking your link' })).toBeVisible({ timeout: 15_000 });
    await expectAccessible(page, { what: 'the browser viewer checking the link' });

    releaseSession();
    await expect(page.getByRole('status').filter({ hasText: 'Connecting to the console' })).toBeVisible({ timeout: 15_000 });
    await expectAccessible(page, { what: 'the browser viewer connecting' });

    holding = false;
    await page.getByRole('button', { name: 'Reconnect' }).click();
    await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
    await expectAccessible(page, { what: 'the browser viewer connected' });

    await page.getByRole('button', { name: 'Paste text' }).click();
    await expect(page.getByRole('dialog', { name: 'Paste text' })).toBeVisible();
    await expectAccessible(page, { what: 'the browser viewer\'s paste dialog' });
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Open in Gatepass app' }).click();
    const appDialog = page.getByRole('dialog', { name: 'Open in Gatepass app' });
    await appDialog.getByLabel('Your console link').fill('https://elsewhere.example/open#token=x');
    await expectAccessible(page, { what: 'the browser viewer\'s Open in Gatepass app dialog' });
  });

  test('when the console is in use, offering Take over', async ({ page }) => {
    const holder = await outsideHolder(stack.harness, 'team-a', 'web-1');
    try {
      await followLink(page, await stack.harness.consoleToken());
      await expect(page.getByRole('alert')).toContainText('Someone else is using this console', { timeout: 15_000 });
      await expect(page.getByRole('button', { name: 'Take over' })).toBeVisible();
      await expectAccessible(page, { what: 'the browser viewer with the console in use' });
    } finally {
      holder.close();
    }
  });

  test('showing a serial console, with the Screen/Serial switch and the paste dialog', async ({ page }) => {
    const token = await stack.harness.consoleToken({ duration: '15m', urls: [consolePath('team-a', 'web-1'), vncPath('team-a', 'web-1')] });
    await followLink(page, token);
    await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
    await page.getByRole('radiogroup', { name: 'Console' }).getByRole('radio', { name: 'Serial' }).check();
    await expect(page.locator('.xterm-rows')).toContainText('web-1 login:', { timeout: 15_000 });
    await expectAccessible(page, { what: 'the browser viewer showing a serial console' });

    await page.getByRole('button', { name: 'Paste text' }).click();
    await expect(page.getByRole('dialog', { name: 'Paste text' })).toBeVisible();
    await expectAccessible(page, { what: 'the browser viewer\'s paste dialog over a serial console' });
  });

  test('on a shared serial console: who is here, listed, and a join announced', async ({ page, browser }) => {
    const token = await stack.harness.consoleToken({ duration: '15m', urls: [consolePath('team-a', 'web-1')], restrictions: { label: 'Support desk' } });
    await followLink(page, token);
    await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
    const other = await (await browser.newContext()).newPage();
    await followLink(other, token);
    await expect(page.locator('.presence__notice')).toHaveText('Support desk joined the console (control)', { timeout: 15_000 });
    await page.getByRole('button', { name: '2 people here' }).click();
    await expect(page.getByRole('list', { name: 'People on this console' })).toBeVisible();
    await expectAccessible(page, { what: 'the browser viewer showing who is on a shared console' });
    await other.context().close();
  });

  test('when the VM is not running', async ({ page }) => {
    await followLink(page, await stack.harness.consoleToken({ namespace: 'team-b', name: 'build-7' }), 'build-7', 'team-b');
    await expect(page.getByRole('alert')).toContainText('The VM is not running', { timeout: 15_000 });
    await expectAccessible(page, { what: 'the browser viewer of a VM that is not running' });
  });

  test('when the link expires while the console is open', async ({ page }) => {
    await followLink(page, await stack.harness.consoleToken({ duration: '5s' }));
    await expect(page.getByRole('alert')).toContainText('This link has expired', { timeout: 15_000 });
    await expectAccessible(page, { what: 'the browser viewer after the link expired' });
  });

  test('when the gateway refuses: no link held, not allowed, closed, unreachable, no console', async ({ page }) => {
    // No cookie at all: the gateway's session check says so before anything connects.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(viewerPath('web-1'));
    await expect(page.getByRole('alert')).toContainText('No valid link for this console', { timeout: 15_000 });
    await expectAccessible(page, { what: 'the browser viewer without a link' });

    // A link for web-1 does not open db-1.
    await followLink(page, await stack.harness.consoleToken({ duration: '15m' }));
    await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
    await page.goto(viewerPath('db-1'));
    await expect(page.getByRole('alert')).toContainText('This link does not open this console', { timeout: 15_000 });
    await expectAccessible(page, { what: 'the browser viewer refusing another console' });

    // Close codes a gateway sends once the console is open; the viewer words each.
    for (const [code, words] of [[4403, 'This link does not open this console'], [4000, 'The console closed'], [1011, 'Gateway unreachable']] as const) {
      await page.unrouteAll();
      await page.routeWebSocket(/\/vnc/, (ws) => ws.close({ code, reason: '' }));
      await page.goto(viewerPath('web-1'));
      await expect(page.getByRole('alert')).toContainText(words, { timeout: 15_000 });
      await expectAccessible(page, { what: `the browser viewer after close code ${code}` });
    }

    await page.goto(`${stack.gatewayUrl}/noVNC/vnc_lite.html?path=${encodeURIComponent('k8s/api/v1/namespaces/kube-gateway/secrets/x')}`);
    await expect(page.getByRole('alert')).toContainText('No console to show');
    await expectAccessible(page, { what: 'the browser viewer with no console to show' });
  });

  test('on the gateway\'s own pages: an expired link\'s error, the login form', async ({ page }) => {
    const expired = await stack.harness.consoleToken({ now: Date.now() - 2 * 3_600_000, duration: '30m' });
    const response = await page.goto(`${stack.gatewayUrl}/auth/jwt/set?token=${expired}&name=web-1&namespace=team-a`);
    expect(response?.status()).toBe(401);
    await expectAccessible(page, { what: 'the gateway\'s page for an expired link' });

    await page.goto(`${stack.gatewayUrl}/login`);
    await expect(page.locator('form')).toBeVisible();
    await expectAccessible(page, { what: 'the gateway\'s login form' });
  });
});

/** The browser globals read inside the page: the root tsconfig has no DOM types. */
interface PageGlobals {
  document: { activeElement: unknown };
  getComputedStyle(element: unknown): { outlineStyle: string; outlineWidth: string; boxShadow: string };
}

/** Presses Tab until the target has the focus; fails if it never gets it. */
async function tabTo(page: Page, target: Locator, { backwards = false, limit = 40 } = {}): Promise<void> {
  for (let presses = 0; presses < limit; presses += 1) {
    if (await target.evaluate((element) => element === (globalThis as unknown as PageGlobals).document.activeElement)) return;
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`${limit} presses of ${backwards ? 'Shift+Tab' : 'Tab'} never reached ${target}`);
}

/** The focused element matches :focus-visible and draws something for it: an outline or a box shadow. */
async function expectVisibleFocus(target: Locator): Promise<void> {
  await expect(target).toBeFocused();
  const ring = await target.evaluate((element) => {
    const style = (globalThis as unknown as PageGlobals).getComputedStyle(element);
    return {
      focusVisible: element.matches(':focus-visible'),
      outline: style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0,
      shadow: style.boxShadow !== 'none',
    };
  });
  expect(ring.focusVisible).toBe(true);
  expect(ring.outline || ring.shadow, 'a focus indicator (outline or box shadow)').toBe(true);
}

const focusInside = (container: Locator) => container.evaluate((element) => element.contains((globalThis as unknown as PageGlobals).document.activeElement as typeof element));

/** Whether an element outside the container has the focus (none, or the page itself, is not outside). */
async function focusOutside(page: Page, container: Locator): Promise<boolean> {
  const onPage = await page.evaluate(() => {
    const { document } = globalThis as unknown as PageGlobals & { document: { body: unknown } };
    return document.activeElement !== null && document.activeElement !== document.body;
  });
  return onPage && !(await focusInside(container));
}

/** A key's keysym pressed and released as often in the VM, i.e. nothing is left held down. */
function heldKeys(events: ReadonlyArray<{ type: string; down?: boolean; keysym?: number }>): number[] {
  const held = new Map<number, number>();
  for (const event of events) {
    if (event.type !== 'key' || event.keysym === undefined) continue;
    held.set(event.keysym, (held.get(event.keysym) ?? 0) + (event.down ? 1 : -1));
  }
  return [...held].filter(([, count]) => count > 0).map(([keysym]) => keysym);
}

test.describe('with the keyboard alone', () => {
  test('sort a column, open a row\'s details, open the share dialog, and get the focus back on Escape', async ({ page }) => {
    await openApp(page, stack.bridge.url);
    const grid = page.getByRole('grid', { name: 'Virtual machines' });
    await tabTo(page, grid);
    await expectVisibleFocus(grid);

    // Each column's sort button is a tab stop after the grid; Enter sorts, Space turns the order round.
    const namespaceHeader = grid.getByRole('columnheader', { name: 'Namespace' });
    const namespaceSort = namespaceHeader.getByRole('button', { name: 'Namespace' });
    await tabTo(page, namespaceSort);
    await expectVisibleFocus(namespaceSort);
    await page.keyboard.press('Enter');
    await expect(namespaceHeader).toHaveAttribute('aria-sort', 'ascending');
    await expect(grid.getByRole('row').nth(1).getByRole('gridcell').nth(1)).toHaveText('kube-gateway');
    await page.keyboard.press('Space');
    await expect(namespaceHeader).toHaveAttribute('aria-sort', 'descending');
    await expect(grid.getByRole('row').nth(1).getByRole('gridcell').first()).toHaveText('build-7');
    await expect(namespaceSort).toBeFocused();

    // Back to the rows: the arrows move, Enter opens the details, which take the focus.
    await tabTo(page, grid, { backwards: true });
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect(grid.getByRole('row', { selected: true })).toContainText('db-1');
    await page.keyboard.press('Enter');
    const details = page.getByRole('complementary', { name: 'Details of db-1' });
    await expect(details).toBeVisible();
    expect(await focusInside(details)).toBe(true);
    await expectVisibleFocus(details);

    // The share dialog takes the focus, keeps it inside, and gives it back to the button on Escape.
    const share = details.getByRole('button', { name: 'Share console' });
    await tabTo(page, share);
    await expectVisibleFocus(share);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Share console' });
    await expect(dialog).toBeVisible();
    await expect.poll(() => focusInside(dialog)).toBe(true);
    // Modal: the page behind is inert, so Tab cycles through the dialog (and the browser's own controls, never the page's).
    for (let i = 0; i < 12; i += 1) {
      await page.keyboard.press('Tab');
      expect(await focusOutside(page, dialog), `focus on the page behind the dialog after ${i + 1} Tab(s)`).toBe(false);
    }
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(share).toBeFocused();

    // Escape closes the details too, and the grid has the focus again.
    await page.keyboard.press('Escape');
    await expect(details).toBeHidden();
    await expect(grid).toBeFocused();
  });

  test('the console toolbar: Ctrl+Alt+Shift leaves the VM\'s screen, Tab reaches every control, dialogs give the focus back', async ({ page }) => {
    await openApp(page, stack.bridge.url);
    await vmRow(page, 'web-1').click();
    await page.getByRole('complementary', { name: 'Details of web-1' }).getByRole('button', { name: 'Open console' }).click();
    await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
    const screen = page.getByRole('application', { name: 'VM console' });
    await expect.poll(() => focusInside(screen)).toBe(true);
    const server = stack.harness.cluster.vnc.builtinServer('team-a', 'web-1');
    if (!server) throw new Error('the stand-in has no built-in VNC server for team-a/web-1');
    await expect(screen).toHaveAccessibleDescription('Ctrl+Alt+Shift moves the keyboard out of the console');
    const hint = page.getByText('Ctrl+Alt+Shift moves the keyboard out of the console');
    await expect(hint).toBeVisible();

    // Tab belongs to the VM while its screen has the keyboard.
    const before = server.events.length;
    await page.keyboard.press('Tab');
    await expect.poll(() => server.events.slice(before).some((e) => e.type === 'key' && e.down && e.keysym === 0xff09)).toBe(true);
    expect(await focusInside(screen)).toBe(true);

    await page.keyboard.press('Control+Alt+Shift');
    const toolbar = page.getByRole('toolbar', { name: 'Console controls' });
    await expectVisibleFocus(toolbar.getByRole('button', { name: 'Scale to fit' }));
    await expect(hint).toBeHidden();
    // Nothing stays pressed in the VM: Ctrl and Alt went down before the chord was complete.
    await expect.poll(() => heldKeys(server.events.slice(before))).toEqual([]);

    for (const name of ['Full screen', 'Ctrl-Alt-Del', 'Paste text', 'Reconnect', 'Invite', 'Close console']) {
      await page.keyboard.press('Tab');
      await expectVisibleFocus(toolbar.getByRole('button', { name, exact: true }));
    }

    const paste = toolbar.getByRole('button', { name: 'Paste text' });
    await tabTo(page, paste, { backwards: true });
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Paste text' });
    await expect(dialog.getByLabel('Text to type')).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(paste).toBeFocused();
  });

  test('the browser viewer\'s Open in Gatepass app dialog takes the focus and gives it back', async ({ page }) => {
    await followLink(page, await stack.harness.consoleToken({ duration: '15m' }));
    await expect(consoleConnected(page)).toBeAttached({ timeout: 15_000 });
    await page.keyboard.press('Control+Alt+Shift');
    const opener = page.getByRole('button', { name: 'Open in Gatepass app' });
    await tabTo(page, opener);
    await expectVisibleFocus(opener);
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Open in Gatepass app' });
    await expect(dialog.getByLabel('Your console link')).toBeFocused();
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(opener).toBeFocused();
  });
});

test('the accessibility check fails, and says where, on a page with a serious violation', async ({ page }) => {
  await page.setContent('<!doctype html><html lang="en"><title>t</title><main><h1>t</h1><button type="button" id="icon"></button><p style="color:#777;background:#888">faint</p></main></html>');
  const failure = await expectAccessible(page, { what: 'a broken page' }).then(() => undefined, (error: unknown) => error as Error);
  expect(failure?.message).toMatch(/in a broken page:/);
  expect(failure?.message).toContain('- button-name (critical)');
  expect(failure?.message).toContain('#icon');
  expect(failure?.message).toContain('- color-contrast (serious)');
  expect(failure?.message).toMatch(/https:\/\/dequeuniversity\.com\/rules\/axe\/[\d.]+\/button-name/);
});
