import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { desktopApiMethods } from '../../shared/desktop-api.ts';
import type { DesktopError } from '../../shared/desktop-api.ts';
import * as fake from '../../test/support/fake-electron.ts';
import { fakeDesktopApi } from '../../test/support/fake-desktop-api.ts';
import type { ConsoleChannel } from './desktop-api-types.ts';
import { startApp } from './app.ts';
import { CONTENT_SECURITY_POLICY } from './csp.ts';

vi.mock('electron', () => import('../../test/support/fake-electron.ts'));

const paths = { preload: '/opt/gatepass/out/preload/index.cjs', indexHtml: '/opt/gatepass/out/renderer/index.html', assetsDir: '/opt/gatepass/out/main/assets' };
const appUrl = pathToFileURL(paths.indexHtml).href;
// Mixed case on purpose: a token is case-sensitive and must arrive untouched.
const coldLink = 'gatepass://open?link=https%3A%2F%2FGW.example%2Fopen%23token%3DeyJAbC.eyJDeF.SiGnAtUrE';
const api = fakeDesktopApi();
api.model = { context: 'operator', defaultLifetime: '8h', vms: [{ namespace: 'demo', name: 'recent-vm', favourite: false }, { namespace: 'prod', name: 'fav-vm', favourite: true }], recentOpens: [] };
api.answers.getAppSettings = () => ({ closeToTray: true, notifyLinkOpened: true, favourites: {} });

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const window = () => fake.BrowserWindow.all[0]!;
const handler = (method: string) => fake.ipcMain.handlers.get(`gatepass:${method}`)!;
const invoke = (method: string, url: string, ...args: unknown[]) => handler(method)({ senderFrame: { url }, sender: window().webContents }, ...args) as Promise<unknown>;

type MenuItem = { label?: string; type?: string; enabled?: boolean; click?: () => void; submenu?: MenuItem[] };
const menu = () => fake.Tray.all[0]!.menu!.template as MenuItem[];

beforeAll(async () => {
  startApp({ createApi: () => api, paths, argv: ['/usr/bin/gatepass', '--no-sandbox', coldLink], defaultApp: false, platform: 'linux' });
  fake.app.emit('open-url', fake.fakeEvent(), 'gatepass://open?link=EARLY');
  expect(api.deepLinks).toEqual([]);
  fake.app.becomeReady();
  await flush();
});

describe('start-up', () => {
  it('takes the single-instance lock, sandboxes every renderer and registers gatepass:// for the packaged app', () => {
    expect(fake.app.quitCalls).toBe(0);
    expect(fake.app.sandboxEnabled).toBe(true);
    expect(fake.app.protocols).toEqual(['gatepass']);
  });

  it('creates one locked-down window on the built preload and renderer', () => {
    expect(fake.BrowserWindow.all).toHaveLength(1);
    expect(window().options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false, preload: paths.preload });
    expect(window().loaded).toEqual({ file: paths.indexHtml });
  });

  it('has a handler for every DesktopApi method and nothing else', () => {
    expect([...fake.ipcMain.handlers.keys()].sort()).toEqual(desktopApiMethods.map((m) => `gatepass:${m}`).sort());
  });
});

describe('deep links', () => {
  it('delivers links held before ready in order, case untouched (cold start argv, then an early open-url)', () => {
    expect(api.deepLinks.slice(0, 2)).toEqual([coldLink, 'gatepass://open?link=EARLY']);
  });

  it('routes macOS open-url and stops Electron handling it', () => {
    const event = fake.fakeEvent();
    fake.app.emit('open-url', event, 'GATEPASS://open?link=MacCase');
    expect(event.defaultPrevented).toBe(true);
    expect(api.deepLinks.at(-1)).toBe('GATEPASS://open?link=MacCase');
  });

  it('routes a second instance argv and shows the window', () => {
    window().hide();
    fake.app.emit('second-instance', fake.fakeEvent(), ['/usr/bin/gatepass', '--flag', 'gatepass://open?link=SecondCase'], '/home');
    expect(api.deepLinks.at(-1)).toBe('gatepass://open?link=SecondCase');
    expect(window().visible).toBe(true);
  });

  it('ignores a second instance without a link and non-gatepass URLs', () => {
    const before = api.deepLinks.length;
    fake.app.emit('second-instance', fake.fakeEvent(), ['/usr/bin/gatepass'], '/home');
    fake.app.emit('open-url', fake.fakeEvent(), 'https://evil.example/');
    expect(api.deepLinks).toHaveLength(before);
  });
});

describe('IPC', () => {
  it('rejects a caller that is not the app window, without calling main', async () => {
    const before = api.calls.length;
    await expect(invoke('listContexts', 'https://evil.example')).rejects.toThrow(/not the Gatepass window/);
    await expect(invoke('copyText', `${appUrl}.evil`, 'x')).rejects.toThrow(/not the Gatepass window/);
    await expect(handler('listContexts')({ senderFrame: null }, [])).rejects.toThrow(/not the Gatepass window/);
    expect(api.calls).toHaveLength(before);
  });

  it('answers the app window, fragment and all', async () => {
    api.answers.listContexts = () => [{ name: 'operator' }];
    await expect(invoke('listContexts', `${appUrl}#/vms`)).resolves.toEqual({ ok: true, value: [{ name: 'operator' }] });
    await invoke('selectContext', appUrl, 'viewer');
    expect(api.calls.at(-1)).toEqual({ method: 'selectContext', args: ['viewer'] });
  });

  it('sends main errors back as DesktopErrors', async () => {
    api.answers.shareConsole = () => { throw { code: 'forbidden', message: 'may not read the key', context: 'viewer' } satisfies DesktopError; };
    api.answers.revokeLink = () => { throw new Error('boom'); };
    await expect(invoke('shareConsole', appUrl, {})).resolves.toEqual({ ok: false, error: { code: 'forbidden', message: 'may not read the key', context: 'viewer' } });
    await expect(invoke('revokeLink', appUrl, 'x')).resolves.toEqual({ ok: false, error: { code: 'internal', message: 'boom' } });
  });

  it('hands an opened console to the calling window over a MessagePort', async () => {
    const sent: Uint8Array[] = [];
    const callbacks: { open?: (p: string) => void } = {};
    const channel: ConsoleChannel = {
      onOpen: (cb) => { callbacks.open = cb; },
      onData: () => undefined,
      onClose: () => undefined,
      send: (chunk) => sent.push(chunk),
      close: () => undefined,
    };
    api.channels.set('console-1', channel);
    api.answers.openConsole = () => ({ id: 'console-1', title: 't', namespace: 'n', name: 'v', viewOnly: false });
    await invoke('openConsole', appUrl, { kind: 'link', link: 'x' }, { takeOver: false });
    const posted = window().webContents.posted.at(-1)!;
    expect(posted.channel).toBe('gatepass:console-port');
    expect(posted.message).toEqual({ gatepassConsolePort: 'console-1' });
    const pair = fake.MessageChannelMain.all.at(-1)!;
    expect(posted.transfer).toEqual([pair.port2]);
    callbacks.open?.('plain.kubevirt.io');
    expect(pair.port1.received).toEqual([{ type: 'open', protocol: 'plain.kubevirt.io' }]);
    pair.port1.emit('message', { data: { type: 'data', data: new Uint8Array([1, 2]).buffer } });
    expect(sent.map((c) => [...c])).toEqual([[1, 2]]);
  });

  it('forwards main events to the window', () => {
    api.emit({ kind: 'navigate', view: 'links' });
    expect(window().webContents.sent.at(-1)).toEqual({ channel: 'gatepass:event', args: [{ kind: 'navigate', view: 'links' }] });
  });
});

describe('navigation and permissions', () => {
  it('prevents every navigation and redirect', () => {
    for (const name of ['will-navigate', 'will-redirect']) {
      const event = fake.fakeEvent();
      window().webContents.emit(name, event, 'https://evil.example/');
      expect(event.defaultPrevented).toBe(true);
    }
  });

  it('denies new windows, sending only valid https links to the system browser', () => {
    const open = window().webContents.windowOpenHandler!;
    for (const url of ['https://gw.example/docs', 'http://gw.example/', 'javascript:alert(1)', 'file:///etc/passwd', 'https://user:pw@gw.example/', 'mailto:x@example.com']) {
      expect(open({ url })).toEqual({ action: 'deny' });
    }
    expect(fake.shell.opened).toEqual(['https://gw.example/docs']);
  });

  it('grants no permission and sets the CSP on responses', () => {
    const session = window().webContents.session;
    const decisions: boolean[] = [];
    session.permissionRequestHandler!(window().webContents, 'media', (granted: boolean) => decisions.push(granted));
    session.permissionRequestHandler!(window().webContents, 'notifications', (granted: boolean) => decisions.push(granted));
    expect(decisions).toEqual([false, false]);
    expect(session.permissionCheckHandler!(window().webContents, 'clipboard-read')).toBe(false);
    let headers: unknown;
    session.headersReceived!({ responseHeaders: { 'X-A': ['1'] } }, (result: { responseHeaders: unknown }) => { headers = result.responseHeaders; });
    expect(headers).toEqual({ 'X-A': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
  });

  it('hides to the tray on close when the setting says so', () => {
    window().show();
    const event = fake.fakeEvent();
    window().emit('close', event);
    expect(event.defaultPrevented).toBe(true);
    expect(window().visible).toBe(false);
  });
});

describe('tray', () => {
  it('lists favourite then recent VMs of the context, each with quick-share and open console, then the app entries', () => {
    expect(fake.Tray.all[0]!.image.path).toBe('/opt/gatepass/out/main/assets/tray-dark.png');
    const labels = menu().map((item) => item.type === 'separator' ? '---' : item.label);
    expect(labels).toEqual(['Context: operator', '★ prod/fav-vm', 'demo/recent-vm', '---', 'Open link from clipboard', 'Show Gatepass', '---', 'Quit']);
    expect(menu()[1]!.submenu!.map((item) => item.label)).toEqual(['Copy console link (8h)', 'Open console']);
  });

  it('quick-shares from the menu', async () => {
    menu()[2]!.submenu![0]!.click!();
    await flush();
    expect(api.calls.at(-1)).toEqual({ method: 'quickShare', args: ['operator', 'demo', 'recent-vm'] });
  });

  it('opens the chosen VM’s own console from the menu', async () => {
    menu()[1]!.submenu![1]!.click!();
    await flush();
    expect(window().webContents.sent.at(-1)?.args[0]).toEqual({ kind: 'open-console', context: 'operator', namespace: 'prod', name: 'fav-vm' });
  });

  it('pre-fills Open link from the clipboard, and only with a console link', async () => {
    const link = 'https://gw.example/open#token=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln&name=vm&namespace=demo';
    fake.clipboard.text = `  ${link}\n`;
    menu().find((item) => item.label === 'Open link from clipboard')!.click!();
    await flush();
    expect(window().webContents.sent.slice(-2).map((s) => s.args[0])).toEqual([{ kind: 'navigate', view: 'open-link' }, { kind: 'deep-link', link }]);
    const sentBefore = window().webContents.sent.length;
    fake.clipboard.text = 'hello';
    menu().find((item) => item.label === 'Open link from clipboard')!.click!();
    await flush();
    expect(window().webContents.sent).toHaveLength(sentBefore);
    expect(fake.Notification.shown.at(-1)?.title).toBe('No console link on the clipboard');
  });

  it('is rebuilt when the VMs change', async () => {
    api.model = { context: 'operator', defaultLifetime: '1h', vms: [{ namespace: 'demo', name: 'new-vm', favourite: false }], recentOpens: [] };
    api.emit({ kind: 'inventory', event: { kind: 'upsert', context: 'operator', rows: [] } });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(menu()[1]!.label).toBe('demo/new-vm');
    expect(menu()[1]!.submenu![0]!.label).toBe('Copy console link (1h)');
  });

  it('shows a link opened just now, which leads to the Issued links view', async () => {
    api.model = { ...api.model, recentOpens: [{ linkId: 'l1', namespace: 'team-a', name: 'web-1', client: '203.0.113.9', at: new Date().toISOString() }] };
    api.emit({ kind: 'link-opened', opened: api.model.recentOpens[0]! });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const entry = menu().find((item) => item.label?.startsWith('team-a/web-1 opened'));
    expect(entry?.label).toMatch(/^team-a\/web-1 opened \d\d:\d\d from 203\.0\.113\.9$/);
    entry!.click!();
    expect(window().webContents.sent.at(-1)?.args[0]).toEqual({ kind: 'navigate', view: 'links' });
  });

  it('quits from the menu', () => {
    const before = fake.app.quitCalls;
    menu().find((item) => item.label === 'Quit')!.click!();
    expect(fake.app.quitCalls).toBe(before + 1);
  });
});
