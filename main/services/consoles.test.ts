import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { consolePath, vncPath } from '../../shared/kubevirt-paths.ts';
import { buildGatewayLink, parseLink } from '../../shared/links.ts';
import { channelFromWebSocket } from './console-channel.ts';
import { BEARER_SUBPROTOCOL_PREFIX, claimedConsoles, connectOwn, connectWithLink, inspectLink, linkConsoleKind, openOwnConsole, VNC_SUBPROTOCOL } from './consoles.ts';
import { DesktopFailure } from './errors.ts';
import type { KubeClient } from './kube-client.ts';
import { LinkSessions } from './link-sessions.ts';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A JWT-shaped token with these claims; nothing here verifies signatures. */
const tokenWith = (claims: Record<string, unknown>) => `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}.c2lnbmF0dXJl`;
const exp = Math.floor(Date.now() / 1000) + 3600;
const linkGranting = (urls: unknown, gateway = 'https://gw.example', form: 'fragment' | 'query' = 'fragment') =>
  buildGatewayLink({ gateway, token: tokenWith({ URLs: urls, verbs: ['get'], exp }), name: 'web-1', namespace: 'team-a', form });

describe('inspectLink: the consoles a link claims', () => {
  it('reads each console path of the named VM from URLs', () => {
    expect(inspectLink(linkGranting([vncPath('team-a', 'web-1')])).consoles).toEqual(['vnc']);
    expect(inspectLink(linkGranting([consolePath('team-a', 'web-1')])).consoles).toEqual(['serial']);
    expect(inspectLink(linkGranting([consolePath('team-a', 'web-1'), vncPath('team-a', 'web-1')])).consoles).toEqual(['vnc', 'serial']);
    expect(inspectLink(linkGranting([consolePath('team-a', 'web-1', 'v1alpha3')])).consoles).toEqual(['serial']);
  });

  it('reads a prefix pattern as granting every console under it', () => {
    expect(claimedConsoles(['/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/*'], 'team-a', 'web-1')).toEqual(['vnc', 'serial']);
  });

  it('takes a link whose claims name no console of its VM for the screen, as links were before', () => {
    expect(inspectLink(linkGranting(undefined)).consoles).toEqual(['vnc']);
    expect(inspectLink(linkGranting([consolePath('team-a', 'db-1')])).consoles).toEqual(['vnc']);
    expect(inspectLink(linkGranting(['/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/portforward'])).consoles).toEqual(['vnc']);
    expect(claimedConsoles([vncPath('team-a', 'web-1')], undefined, undefined)).toEqual(['vnc']);
  });
});

describe('linkConsoleKind', () => {
  it('opens the screen of a link to both unless asked for the serial console', () => {
    expect(linkConsoleKind({ consoles: ['vnc', 'serial'] }, undefined)).toBe('vnc');
    expect(linkConsoleKind({ consoles: ['vnc', 'serial'] }, 'serial')).toBe('serial');
    expect(linkConsoleKind({ consoles: ['serial'] }, undefined)).toBe('serial');
  });

  it('refuses a console the link does not grant, in words', () => {
    expect(() => linkConsoleKind({ consoles: ['vnc'] }, 'serial')).toThrow(new DesktopFailure('invalid-input', 'this link opens only the screen, not the serial console'));
    expect(() => linkConsoleKind({ consoles: ['serial'] }, 'vnc')).toThrow(/opens only the serial console, not the screen/);
  });
});

describe('connectOwn: the operator’s own console', () => {
  function recordingClient() {
    const opened: Array<{ path: string; protocols: string[] }> = [];
    const client = {
      context: 'operator',
      async openWebSocket(path: string, protocols: string[]) {
        opened.push({ path, protocols });
        throw Object.assign(new DesktopFailure('forbidden', 'refused for the test'), { status: 403 });
      },
    } as unknown as KubeClient;
    return { client, opened };
  }

  it('opens the serial console at its path, without preserveSession (KubeVirt has none for it)', async () => {
    const { client, opened } = recordingClient();
    await connectOwn(client, 'team-a', 'web-1', false, 'serial').catch(() => undefined);
    await connectOwn(client, 'team-a', 'web-1', true, 'serial').catch(() => undefined);
    expect(opened).toEqual([
      { path: consolePath('team-a', 'web-1'), protocols: [VNC_SUBPROTOCOL] },
      { path: consolePath('team-a', 'web-1'), protocols: [VNC_SUBPROTOCOL] },
    ]);
  });

  it('keeps the screen preserving the session unless taking over', async () => {
    const { client, opened } = recordingClient();
    await connectOwn(client, 'team-a', 'web-1', false).catch(() => undefined);
    await connectOwn(client, 'team-a', 'web-1', true, 'vnc').catch(() => undefined);
    expect(opened.map((o) => o.path)).toEqual([`${vncPath('team-a', 'web-1')}?preserveSession=true`, vncPath('team-a', 'web-1')]);
  });

  it('reports a refused serial console with the gateway’s close code, on a ticket that says serial', async () => {
    const { client } = recordingClient();
    const opened = await openOwnConsole(client, 'team-a', 'web-1', false, 'serial');
    expect(opened.ticket).toMatchObject({ console: 'serial', namespace: 'team-a', name: 'web-1', title: 'team-a/web-1 serial console (operator)' });
    const closed = await new Promise<{ code: number }>((resolve) => opened.channel.onClose((code) => resolve({ code })));
    expect(closed.code).toBe(4403);
  });
});

describe('connectWithLink and the serial channel, against a local gateway stand-in', () => {
  let server: WebSocketServer;
  let gateway: string;
  const seen: Array<{ url: string; protocols: string; cookie: string }> = [];
  const pinged: string[] = [];

  beforeAll(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (protocols) => (protocols.has(VNC_SUBPROTOCOL) ? VNC_SUBPROTOCOL : false) });
    server.on('connection', (ws, req) => {
      seen.push({ url: req.url ?? '', protocols: String(req.headers['sec-websocket-protocol'] ?? ''), cookie: String(req.headers.cookie ?? '') });
      ws.on('ping', () => pinged.push(req.url ?? ''));
      ws.on('message', (data, isBinary) => ws.send(Buffer.concat([Buffer.from(isBinary ? 'echo:' : 'text:'), data as Buffer]), { binary: true }));
    });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    gateway = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const client of server.clients) client.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const deps = () => ({ env: {}, now: Date.now, sessions: new LinkSessions(Date.now) });

  it('asks a fragment link’s gateway for the serial console with the bearer subprotocol, joining unless taking over', async () => {
    const link = parseLink(linkGranting([consolePath('team-a', 'web-1')], gateway));
    seen.length = 0;
    (await connectWithLink(link, false, deps(), 'serial')).close();
    (await connectWithLink(link, true, deps(), 'serial')).close();
    expect(seen.map((s) => s.url)).toEqual([`/k8s${consolePath('team-a', 'web-1')}?preserveSession=true&presence=true`, `/k8s${consolePath('team-a', 'web-1')}?presence=true`]);
    expect(seen[0]?.protocols).toBe(`${BEARER_SUBPROTOCOL_PREFIX}${Buffer.from(link.token).toString('base64url')},${VNC_SUBPROTOCOL}`);
    expect(seen[0]?.cookie).not.toContain(link.token);
  });

  it('sends a query link’s token as the kube-gateway cookie, as for the screen', async () => {
    const link = parseLink(linkGranting([consolePath('team-a', 'web-1')], gateway, 'query'));
    seen.length = 0;
    (await connectWithLink(link, false, deps(), 'serial')).close();
    expect(seen[0]).toMatchObject({ url: `/k8s${consolePath('team-a', 'web-1')}?preserveSession=true&presence=true`, protocols: VNC_SUBPROTOCOL });
    expect(seen[0]?.cookie).toContain(`kg-jwt-session-code=${link.token}`);
  });

  it('carries typed bytes as binary frames, and pings a quiet console', async () => {
    const link = parseLink(linkGranting([consolePath('team-a', 'web-1')], gateway));
    const channel = channelFromWebSocket(await connectWithLink(link, false, deps(), 'serial'), { keepaliveMs: 20 });
    const received = new Promise<Buffer>((resolve) => channel.onData((chunk) => resolve(Buffer.from(chunk))));
    channel.send(new TextEncoder().encode('ls\r'));
    expect((await received).toString()).toBe('echo:ls\r');
    const before = pinged.length;
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(pinged.length - before).toBeGreaterThanOrEqual(2);
    channel.close(1000, 'done');
    const after = pinged.length;
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(pinged.length).toBe(after);
  });

  it('does not ping a channel opened without a keepalive', async () => {
    const link = parseLink(linkGranting([vncPath('team-a', 'web-1')], gateway));
    const ws = await connectWithLink(link, false, deps());
    const before = pinged.length;
    const channel = channelFromWebSocket(ws);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(pinged.length).toBe(before);
    channel.close(1000, 'done');
  });
});
