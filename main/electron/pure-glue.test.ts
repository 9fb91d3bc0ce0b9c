import { describe, expect, it } from 'vitest';
import { desktopApiMethods } from '../../shared/desktop-api.ts';
import { DeepLinkInbox, deepLinkFromArgv, isDeepLink } from './deep-links.ts';
import { pipeConsoleToPort } from './console-port-pipe.ts';
import type { MainPortLike } from './console-port-pipe.ts';
import type { ConsoleChannel } from './desktop-api-types.ts';
import { toDesktopError, unwrapReply } from './ipc-reply.ts';
import { externalLinkDecision } from './navigation-policy.ts';
import { consolePortTargetOrigin, createPreloadApi } from './preload-api.ts';
import { isAppFrameUrl, rendererLocation } from './renderer-location.ts';
import { MAX_TRAY_VMS, trayIconFile, trayMenu } from './tray-menu.ts';
import { vncClientPlatform } from './vnc-client.ts';

describe('deep links from argv', () => {
  it('finds the last gatepass link, whatever the scheme case, without changing it', () => {
    expect(deepLinkFromArgv(['/app', '--x', 'gatepass://open?link=A', 'GatePass://open?link=bB'])).toBe('GatePass://open?link=bB');
    expect(deepLinkFromArgv(['/app', '--gatepass', 'https://x'])).toBeUndefined();
    expect(isDeepLink('gatepassX://')).toBe(false);
  });

  it('holds links until a receiver attaches', () => {
    const inbox = new DeepLinkInbox();
    const got: string[] = [];
    inbox.receive('gatepass://1');
    inbox.receive('https://not-a-deep-link');
    inbox.attach((url) => got.push(url));
    inbox.receive('gatepass://2');
    expect(got).toEqual(['gatepass://1', 'gatepass://2']);
  });
});

describe('renderer location', () => {
  const file = rendererLocation({ indexHtml: '/opt/app/out/renderer/index.html' });

  it('accepts the built page with any query or fragment and nothing else', () => {
    expect(isAppFrameUrl('file:///opt/app/out/renderer/index.html', file)).toBe(true);
    expect(isAppFrameUrl('file:///opt/app/out/renderer/index.html?x#/links', file)).toBe(true);
    for (const url of ['file:///opt/app/out/renderer/other.html', 'file://host/opt/app/out/renderer/index.html', 'https://evil.example', 'http://localhost:5173/', '', undefined, 'not a url']) {
      expect(isAppFrameUrl(url, file)).toBe(false);
    }
  });

  it('accepts the dev server origin only', () => {
    const dev = rendererLocation({ indexHtml: '/x', devServerUrl: 'http://localhost:5173' });
    expect(isAppFrameUrl('http://localhost:5173/#/vms', dev)).toBe(true);
    expect(isAppFrameUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppFrameUrl('file:///x', dev)).toBe(false);
    expect(() => rendererLocation({ indexHtml: '/x', devServerUrl: 'http://evil.example:5173' })).toThrow(/loopback/);
  });
});

describe('external links', () => {
  it.each([
    ['https://gw.example/a?b#c', true],
    ['http://gw.example/', false],
    ['https://u:p@gw.example/', false],
    ['javascript:alert(1)', false],
    ['mailto:a@b', false],
    ['', false],
    [`https://gw.example/${'a'.repeat(3000)}`, false],
  ])('%s → open %s', (url, open) => {
    expect(externalLinkDecision(url).open).toBe(open);
  });
});

describe('tray menu model', () => {
  it('says so when there is no context', () => {
    expect(trayMenu({ defaultLifetime: '1h', vms: [], recentOpens: [] })[0]).toEqual({ type: 'normal', label: 'No cluster context', enabled: false });
  });

  it('caps the VM list, favourites first', () => {
    const vms = Array.from({ length: 30 }, (_, i) => ({ namespace: 'ns', name: `vm-${i}`, favourite: i === 29 }));
    const items = trayMenu({ context: 'c', defaultLifetime: '15m', vms, recentOpens: [] }).filter((item) => item.type === 'submenu');
    expect(items).toHaveLength(MAX_TRAY_VMS);
    expect(items[0]).toMatchObject({ label: '★ ns/vm-29' });
  });

  it('lists the issued links opened lately, each showing the Issued links view', () => {
    const at = new Date(2026, 11, 5, 9, 7).toISOString();
    const items = trayMenu({ context: 'c', defaultLifetime: '15m', vms: [], recentOpens: [{ linkId: 'l1', namespace: 'team-a', name: 'web-1', label: 'for Carol', client: '203.0.113.9', at }, { linkId: 'l2', namespace: 'team-b', name: 'db', at }] });
    const opens = items.filter((item) => item.type === 'normal' && item.action?.kind === 'show-links');
    expect(opens.map((item) => item.type === 'normal' && item.label)).toEqual(['team-a/web-1 (for Carol) opened 09:07 from 203.0.113.9', 'team-b/db opened 09:07']);
    expect(trayMenu({ context: 'c', defaultLifetime: '15m', vms: [], recentOpens: [] }).some((item) => item.type === 'normal' && item.label === 'Your links, opened lately')).toBe(false);
  });

  it('picks the icon for the panel', () => {
    expect(trayIconFile('darwin', true)).toBe('trayTemplate.png');
    expect(trayIconFile('linux', true)).toBe('tray-light.png');
    expect(trayIconFile('win32', false)).toBe('tray-dark.png');
  });
});

describe('IPC replies and the preload API', () => {
  it('serialises errors', () => {
    expect(toDesktopError({ code: 'not-found', message: 'gone', extra: 1 })).toEqual({ code: 'not-found', message: 'gone' });
    expect(toDesktopError('odd')).toEqual({ code: 'internal', message: 'odd' });
  });

  it('exposes exactly the contract plus onEvent, unwrapping replies into values or DesktopErrors', async () => {
    const invoked: Array<{ channel: string; args: unknown[] }> = [];
    const listeners = new Map<string, (event: unknown, ...args: unknown[]) => void>();
    const api = createPreloadApi({
      invoke: async (channel, ...args) => {
        invoked.push({ channel, args });
        return channel === 'gatepass:revokeLink' ? { ok: false, error: { code: 'gateway', message: 'no revoke' } } : { ok: true, value: args.length };
      },
      on: (channel, listener) => listeners.set(channel, listener),
      removeListener: (channel) => listeners.delete(channel),
    });
    expect(Object.keys(api).sort()).toEqual([...desktopApiMethods, 'onEvent'].sort());
    await expect(api.selectContext('a')).resolves.toBe(1);
    expect(invoked[0]).toEqual({ channel: 'gatepass:selectContext', args: ['a'] });
    await expect(api.revokeLink('x')).rejects.toEqual({ code: 'gateway', message: 'no revoke' });
    const events: unknown[] = [];
    const stop = api.onEvent((event) => events.push(event));
    listeners.get('gatepass:event')!({ sender: 'secret' }, { kind: 'navigate', view: 'vms' });
    expect(events).toEqual([{ kind: 'navigate', view: 'vms' }]);
    stop();
    expect(listeners.has('gatepass:event')).toBe(false);
    expect(() => unwrapReply('garbage')).toThrow();
  });

  it('posts ports to the page origin where it has one', () => {
    expect(consolePortTargetOrigin('http://127.0.0.1:5173')).toBe('http://127.0.0.1:5173');
    expect(consolePortTargetOrigin('null')).toBe('*');
    expect(consolePortTargetOrigin('file://')).toBe('*');
  });
});

describe('console port pipe', () => {
  function setup() {
    const cb: { open?: (p: string) => void; data?: (c: Uint8Array) => void; text?: (t: string) => void; close?: (code: number, reason: string) => void } = {};
    const sent: number[][] = [];
    const closes: Array<[number | undefined, string | undefined]> = [];
    const channel: ConsoleChannel = {
      onOpen: (f) => { cb.open = f; },
      onData: (f) => { cb.data = f; },
      onText: (f) => { cb.text = f; },
      onClose: (f) => { cb.close = f; },
      send: (chunk) => sent.push([...chunk]),
      close: (code, reason) => closes.push([code, reason]),
    };
    const handlers = new Map<string, (event?: { data: unknown }) => void>();
    const port = { posted: [] as unknown[], closed: false, started: false } as { posted: unknown[]; closed: boolean; started: boolean } & MainPortLike;
    port.on = ((event: string, listener: (event?: { data: unknown }) => void) => handlers.set(event, listener)) as MainPortLike['on'];
    port.postMessage = (message) => port.posted.push(message);
    port.start = () => { port.started = true; };
    port.close = () => { port.closed = true; };
    pipeConsoleToPort(channel, port);
    return { cb, sent, closes, handlers, port };
  }

  it('carries open, bytes (only the view) and close to the renderer', () => {
    const { cb, port } = setup();
    expect(port.started).toBe(true);
    cb.open!('plain.kubevirt.io');
    cb.data!(new Uint8Array([0, 7, 8, 0]).subarray(1, 3));
    cb.close!(4410, 'link expired');
    cb.data!(new Uint8Array([1]));
    expect(port.posted.map((m) => (m as { type: string; data?: ArrayBuffer }).data ? [...new Uint8Array((m as { data: ArrayBuffer }).data)] : m)).toEqual([
      { type: 'open', protocol: 'plain.kubevirt.io' },
      [7, 8],
      { type: 'close', code: 4410, reason: 'link expired' },
    ]);
    expect(port.closed).toBe(true);
  });

  it('carries the gateway\'s text as text, never as console bytes', () => {
    const { cb, port } = setup();
    cb.open!('plain.kubevirt.io');
    cb.text!('{"gatepass":"presence"}');
    expect(port.posted).toEqual([{ type: 'open', protocol: 'plain.kubevirt.io' }, { type: 'text', text: '{"gatepass":"presence"}' }]);
  });

  it('carries bytes and close from the renderer, and a vanished port closes the console', () => {
    const { sent, closes, handlers } = setup();
    handlers.get('message')!({ data: { type: 'data', data: new Uint8Array([5, 6]).buffer } });
    handlers.get('message')!({ data: { type: 'bogus' } });
    handlers.get('message')!({ data: { type: 'close', code: 1000, reason: 'bye' } });
    expect(sent).toEqual([[5, 6]]);
    expect(closes).toEqual([[1000, 'bye']]);
    handlers.get('close')!();
    expect(closes.at(-1)).toEqual([1001, 'the window closed the console']);
  });
});

describe("the desktop's vnc:// handler", () => {
  const shellWith = (name: string) => {
    const opened: string[] = [];
    const asked: string[] = [];
    return {
      opened,
      asked,
      shell: {
        getApplicationNameForProtocol: (url: string) => {
          asked.push(url);
          return name;
        },
        openExternal: async (url: string) => void opened.push(url),
      },
    };
  };

  it('is named when the desktop has one, and absent when Electron answers empty', async () => {
    const withOne = shellWith('Screen Sharing');
    expect(await vncClientPlatform(withOne.shell).handlerName()).toBe('Screen Sharing');
    expect(withOne.asked).toEqual(['vnc://']);
    for (const none of ['', '  ']) expect(await vncClientPlatform(shellWith(none).shell).handlerName()).toBeUndefined();
  });

  it('launches only a loopback vnc:// address, so no password or foreign host reaches the handler', async () => {
    const { shell, opened } = shellWith('Screen Sharing');
    const vnc = vncClientPlatform(shell);
    await vnc.launch('vnc://127.0.0.1:5901');
    for (const url of ['vnc://:pw@127.0.0.1:5901', 'vnc://gw.example:5901', 'https://gw.example/', 'file:///etc/passwd']) {
      await expect(vnc.launch(url), url).rejects.toThrow(/only a vnc:\/\/127\.0\.0\.1:PORT/);
    }
    expect(opened).toEqual(['vnc://127.0.0.1:5901']);
  });
});
