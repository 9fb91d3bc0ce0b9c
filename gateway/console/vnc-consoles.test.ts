// Shared VNC consoles between real sockets: the gateway's registry with the VNC
// engine on an HTTP server, the stand-in's built-in RFB server behind a `ws`
// server as the VM's console, and test viewers that speak RFB over websockets.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { BuiltinRfbServer } from '../../test/cluster/vnc/rfb-server.ts';
import { RfbViewer } from '../../test/support/rfb-viewer.ts';
import type { Logger } from '../log.ts';
import type { Upstream } from '../upstream.ts';
import type { ConsoleLeaseApi } from './console-lease.ts';
import { ConsoleProxy } from './console-proxy.ts';
import { ConsoleRegistry } from './console-registry.ts';
import { vncEngine } from './vnc-consoles.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as unknown as Logger;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(test: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** The VM's VNC console as KubeVirt serves it: RFB in binary frames. */
async function vncVm() {
  const vm = new BuiltinRfbServer('team-a/web-1');
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (offered) => (offered.has('plain.kubevirt.io') ? 'plain.kubevirt.io' : false) });
  await once(server, 'listening');
  const paths: string[] = [];
  server.on('connection', (ws, req) => {
    paths.push(req.url ?? '');
    vm.attach(createWebSocketStream(ws));
  });
  cleanups.push(() => {
    vm.close();
    server.close();
  });
  return { vm, paths, port: (server.address() as AddressInfo).port, open: () => server.clients.size };
}

async function gateway(port: number, engine: Parameters<typeof vncEngine>[0]) {
  const upstream = { url: new URL(`http://127.0.0.1:${port}/`), bearerToken: () => 'sa-token', websocketTls: { rejectUnauthorized: true } } as unknown as Upstream;
  const proxy = new ConsoleProxy(upstream, { pingMs: 60_000, connectTimeoutMs: 2000 });
  const lease = { spec: {}, resourceVersion: '1' };
  const released: string[] = [];
  const leases: ConsoleLeaseApi = {
    read: async () => undefined,
    take: async () => lease,
    renew: async () => lease,
    release: async (namespace, name) => void released.push(`${namespace}/${name}`),
  };
  const consoles = new ConsoleRegistry(upstream, proxy, leases, vncEngine(engine), { connectTimeoutMs: 2000, leaseDurationMs: 30_000, identity: 'replica-a', log: quiet });
  const server = http.createServer();
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined);
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    void consoles.open(req, socket, head, {
      namespace: 'team-a', name: 'web-1', upstreamPath: '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/vnc',
      expiresAt: Date.now() + 60_000, viewOnly: query.get('viewOnly') === 'true', preserveSession: query.get('preserveSession') === 'true',
      viewerName: 'someone', presence: false,
    }, { onBytes: () => undefined, onUpstreamLatency: () => undefined });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, consoles, released };
}

async function picture(v: RfbViewer) {
  const before = v.updates.length;
  v.request(false);
  return v.nextUpdate(before);
}

describe('shared VNC consoles', () => {
  it('opens the upstream once, asking KubeVirt to preserve the session, and closes it and gives the Lease back when the last viewer leaves', async () => {
    const { open, paths, port } = await vncVm();
    const gw = await gateway(port, { pingMs: 60_000 });
    const one = await RfbViewer.open(gw.url, 'token');
    const two = await RfbViewer.open(gw.url, 'token', { query: '?preserveSession=true&viewOnly=true' });
    await Promise.all([picture(one), picture(two)]);
    expect(paths).toEqual(['/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/vnc?preserveSession=true']);
    await one.close();
    await sleep(50);
    expect(open()).toBe(1);
    await two.close();
    await until(() => open() === 0 && gw.released.length === 1, 'the upstream closed and the Lease given back');
    expect(gw.consoles.sessionCount).toBe(0);
  });

  it('closes a full-control viewer that sends a message it cannot read, and keeps the others', async () => {
    const { port } = await vncVm();
    const gw = await gateway(port, { pingMs: 60_000 });
    const good = await RfbViewer.open(gw.url, 'token', { query: '?preserveSession=true' });
    const bad = await RfbViewer.open(gw.url, 'token', { query: '?preserveSession=true' });
    bad.send(Buffer.from([99, 1, 2, 3]));
    const end = await bad.closed;
    expect(end.code).toBe(4403);
    expect(end.reason).toMatch(/^this viewer’s VNC stream cannot be read: unknown RFB client message type 99/);
    await picture(good);
    expect(good.closedWith).toBeUndefined();
  });

  it('closes, with a reason, a viewer that stays too slow after its full refreshes', async () => {
    const { port } = await vncVm();
    const gw = await gateway(port, { pingMs: 60_000, maxViewerBacklog: 64 * 1024, maxRefreshes: 1, refreshWindowMs: 60_000 });
    const fast = await RfbViewer.open(gw.url, 'token', { query: '?preserveSession=true' });
    const slow = await RfbViewer.open(gw.url, 'token', { query: '?preserveSession=true' });
    await Promise.all([picture(fast), picture(slow)]);
    const socket = (slow.ws as unknown as { _socket: Socket })._socket;
    // Each round it stops reading while a dozen 1 MB pictures go by, then reads again (and is refreshed).
    for (let round = 0; round < 6 && !slow.closedWith; round++) {
      socket.pause();
      for (let i = 0; i < 12; i++) await picture(fast);
      socket.resume();
      await sleep(300);
    }
    expect(await slow.closed).toEqual({ code: 1008, reason: 'this viewer stayed too far behind the console' });
    expect(fast.closedWith).toBeUndefined();
  });
});
