// "Open in VNC client" over a loopback port (the bridge used where there are no
// Unix sockets): a VNC client written here performs the RFB 3.8 handshake with
// VNC Authentication against the bridge, which relays to the real gateway and
// the stand-in's VNC server. Right password → the console's ServerInit and a
// FramebufferUpdate; wrong one → a failed SecurityResult; one client at a
// time; closed at the link's expiry (the client disconnected, the port no
// longer listening); each close told to the renderer with its reason. With a
// vnc:// handler the handler is launched with the address alone; over the
// development bridge there is none to launch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesktopEvent, VncBridge, VncBridgeEnd } from '../../shared/desktop-api.ts';
import { createDesktopApi, type DesktopApiImpl } from '../../main/desktop-api-impl.ts';
import { bridgePlatform } from '../../main/dev-bridge/platform.ts';
import { MAX_FAILED_LOGINS } from '../../main/services/console-bridge.ts';
import { gatepassConfigMap } from '../cluster/default-fixture.ts';
import { startHarness, waitFor, type Harness } from '../support/gateway-harness.ts';
import { memoryStore, fakePlatform, freePort } from '../support/desktop-doubles.ts';
import { login, refused, VncClientSocket } from '../support/vnc-test-client.ts';

const { platform } = fakePlatform();

let harness: Harness;
let api: DesktopApiImpl;
let skewMs = 0;
const events: DesktopEvent[] = [];
/** What main told the renderer about how bridge `id` ended, if it did. */
const endOf = (id: string): VncBridgeEnd | undefined => events.flatMap((e) => (e.kind === 'vnc-bridge-closed' && e.id === id ? [e.end] : []))[0];

beforeAll(async () => {
  const gatewayUrl = `http://127.0.0.1:${await freePort()}`;
  harness = await startHarness({ flags: ['--gateway-listen', gatewayUrl, '--audience', gatewayUrl] });
  harness.cluster.objects.put(gatepassConfigMap(gatewayUrl));
  api = createDesktopApi({
    platform, store: memoryStore(), kubeconfigPaths: [harness.cluster.kubeconfigPath], env: {}, loginPath: async () => undefined,
    vncBridgeTransport: 'loopback', now: () => Date.now() + skewMs,
  });
  api.onEvent((event) => events.push(event));
});

afterAll(async () => {
  await api?.dispose();
  await harness?.close();
});

async function bridgeFor(name: string): Promise<VncBridge> {
  const { link } = await api.shareConsole({ context: 'operator', namespace: 'team-a', name, duration: '10m' });
  const bridge = await api.openInVncClient({ kind: 'link', link });
  return bridge;
}

describe('the password-guarded loopback VNC bridge', () => {
  it('lets in the client with the one-time password and relays the console', async () => {
    const bridge = await bridgeFor('db-1');
    expect(bridge.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(bridge.password).toMatch(/^[A-Za-z0-9]{8}$/);
    const client = await VncClientSocket.open(bridge.address);
    expect(await login(client, bridge.password!)).toEqual({ result: 0 });
    client.write([1]); // ClientInit, shared
    const init = await client.read(24);
    const [width, height] = [init.readUInt16BE(0), init.readUInt16BE(2)];
    expect(width).toBeGreaterThan(0);
    expect((await client.read(init.readUInt32BE(20))).toString('utf8')).toBe('team-a/db-1');
    const request = Buffer.alloc(10);
    request.writeUInt8(3, 0);
    request.writeUInt16BE(width, 6);
    request.writeUInt16BE(height, 8);
    client.write(request);
    const update = await client.read(16);
    expect(update.readUInt8(0)).toBe(0); // FramebufferUpdate
    expect(update.readUInt16BE(2)).toBeGreaterThanOrEqual(1);
    expect({ w: update.readUInt16BE(8), h: update.readUInt16BE(10), encoding: update.readInt32BE(12) }).toEqual({ w: width, h: height, encoding: 0 });

    // Only one client: a second connection is dropped before any byte.
    const second = await VncClientSocket.open(bridge.address);
    await second.closed;
    expect(second.socket.bytesRead).toBe(0);

    await api.closeVncBridge(bridge.id);
    await client.closed;
  });

  it('refuses a wrong password, and takes the right one after', async () => {
    const bridge = await bridgeFor('web-1');
    const wrong = await VncClientSocket.open(bridge.address);
    const guessed = bridge.password!.toLowerCase() === bridge.password ? bridge.password!.toUpperCase() : bridge.password!.toLowerCase();
    expect(await login(wrong, guessed)).toEqual({ result: 1, reason: 'wrong password' });
    await wrong.closed;
    const right = await VncClientSocket.open(bridge.address);
    expect(await login(right, bridge.password!)).toEqual({ result: 0 });
    expect(endOf(bridge.id)).toBeUndefined();
    await api.closeVncBridge(bridge.id);
    await right.closed;
    await waitFor(() => endOf(bridge.id) !== undefined, 'the renderer to be told');
    expect(endOf(bridge.id)).toEqual({ reason: 'closed' });
  });

  it(`closes for good after ${MAX_FAILED_LOGINS} wrong passwords`, async () => {
    const bridge = await bridgeFor('web-1');
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) {
      const client = await VncClientSocket.open(bridge.address);
      expect((await login(client, 'guess-00')).result).toBe(1);
      await client.closed;
    }
    await waitFor(() => refused(bridge.address), 'the bridge to stop listening');
    await waitFor(() => endOf(bridge.id) !== undefined, 'the renderer to be told');
    expect(endOf(bridge.id)).toEqual({ reason: 'wrong-passwords', attempts: MAX_FAILED_LOGINS });
  });

  it("closes the client's connection at the link's expiry", async () => {
    const { link, issued } = await api.shareConsole({ context: 'operator', namespace: 'team-a', name: 'db-1', duration: '10m' });
    // The app's clock says the link has 1.5 s left; the gateway's still accepts it.
    skewMs = Date.parse(issued.until) - Date.now() - 1500;
    try {
      const bridge = await api.openInVncClient({ kind: 'link', link });
      const client = await VncClientSocket.open(bridge.address);
      expect(await login(client, bridge.password!)).toEqual({ result: 0 });
      const started = Date.now();
      await client.closed;
      expect(Date.now() - started).toBeGreaterThan(500);
      expect(Date.now() - started).toBeLessThan(5000);
      // The listener is gone too, not just the one client.
      expect(await refused(bridge.address)).toBe(true);
      await expect(api.launchVncClient(bridge.id)).rejects.toMatchObject({ code: 'not-found' });
      await waitFor(() => endOf(bridge.id) !== undefined, 'the renderer to be told');
      expect(endOf(bridge.id)).toEqual({ reason: 'expired' });
    } finally {
      skewMs = 0;
    }
  });

  it('opens no bridge for a link that has already expired', async () => {
    const { link, issued } = await api.shareConsole({ context: 'operator', namespace: 'team-a', name: 'db-1', duration: '10m' });
    skewMs = Date.parse(issued.until) - Date.now() + 1000;
    try {
      await expect(api.openInVncClient({ kind: 'link', link })).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringMatching(/expired/) });
    } finally {
      skewMs = 0;
    }
  });
});

describe('a desktop with a vnc:// handler', () => {
  it('gets the guarded loopback port and launches the handler with its address alone', async () => {
    const launched: string[] = [];
    const withHandler = createDesktopApi({
      platform: { ...platform, vncClient: { handlerName: async () => 'Screen Sharing', launch: async (url) => void launched.push(url) } },
      store: memoryStore(), kubeconfigPaths: [harness.cluster.kubeconfigPath], env: {}, loginPath: async () => undefined,
    });
    try {
      const { link } = await withHandler.shareConsole({ context: 'operator', namespace: 'team-a', name: 'db-1', duration: '10m' });
      const bridge = await withHandler.openInVncClient({ kind: 'link', link });
      expect(bridge).toMatchObject({ address: expect.stringMatching(/^127\.0\.0\.1:\d+$/), password: expect.any(String), launcher: 'Screen Sharing' });
      await withHandler.launchVncClient(bridge.id);
      expect(launched).toEqual([`vnc://${bridge.address}`]);
      expect(launched[0]).not.toContain(bridge.password);
      // What the handler then does: connect, and be asked for the password.
      const client = await VncClientSocket.open(bridge.address);
      expect(await login(client, bridge.password!)).toEqual({ result: 0 });
      await withHandler.closeVncBridge(bridge.id);
      await client.closed;
      expect(await refused(bridge.address)).toBe(true);
    } finally {
      await withHandler.dispose();
    }
  });

  it('over the development bridge there is none: a password-guarded port to give any client, and nothing to launch', async () => {
    const overBridge = createDesktopApi({
      platform: bridgePlatform(() => undefined), store: memoryStore(), kubeconfigPaths: [harness.cluster.kubeconfigPath], env: {}, loginPath: async () => undefined,
    });
    try {
      const { link } = await overBridge.shareConsole({ context: 'operator', namespace: 'team-a', name: 'db-1', duration: '10m' });
      const bridge = await overBridge.openInVncClient({ kind: 'link', link });
      expect(bridge.address).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(bridge.password).toMatch(/^[A-Za-z0-9]{8}$/);
      expect(bridge.launcher).toBeUndefined();
      await expect(overBridge.launchVncClient(bridge.id)).rejects.toMatchObject({ code: 'unsupported' });
    } finally {
      await overBridge.dispose();
    }
  });
});
