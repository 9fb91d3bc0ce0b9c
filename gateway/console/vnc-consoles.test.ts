// Shared VNC consoles between real sockets: the gateway's registry with the VNC
// engine on an HTTP server, the stand-in's built-in RFB server behind a `ws`
// server as the VM's console, and test viewers that speak RFB over websockets.
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { startRegistryServer } from '../../test/support/registry-server.ts';
import { encodePixelFormat, PIXEL_FORMAT_RGB888, RfbClientHandshake, RfbClientMessageParser } from '../../shared/node/rfb.ts';
import { Encoding } from '../../shared/node/rfb-server-messages.ts';
import { BuiltinRfbServer } from '../../test/cluster/vnc/rfb-server.ts';
import { RfbViewer } from '../../test/support/rfb-viewer.ts';
import type { ConsoleLeaseApi } from './console-lease.ts';
import { vncEngine } from './vnc-consoles.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

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

function rectangleHeader(x: number, y: number, width: number, height: number, encoding: number): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(x, 0);
  header.writeUInt16BE(y, 2);
  header.writeUInt16BE(width, 4);
  header.writeUInt16BE(height, 6);
  header.writeInt32BE(encoding, 8);
  return header;
}

// One rectangle each: a header, then its bytes.
const fbu = (...rectangle: Buffer[]) => Buffer.concat([Buffer.from([0, 0, 0, 1]), ...rectangle]);

/**
 * A VNC server of `width`×`height` in RGB888 that answers every update
 * request with `screen(n)` (n counting from 0) and a SetEncodings with
 * `onEncodings`' answer, if any, each in one websocket message.
 */
async function scriptedVm(width: number, height: number, script: { screen(n: number): Buffer; onEncodings?(encodings: number[]): Buffer | undefined }) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'plain.kubevirt.io' });
  await once(server, 'listening');
  let screens = 0;
  server.on('connection', (ws) => {
    const handshake = new RfbClientHandshake();
    const parser = new RfbClientMessageParser();
    ws.send(Buffer.from('RFB 003.008\n'));
    ws.on('message', (data: Buffer) => {
      let rest = data;
      if (!handshake.done) {
        const progress = handshake.feed(data);
        for (const step of progress.steps) {
          if (step.step === 'version') ws.send(Buffer.from([1, 1]));
          else if (step.step === 'security') ws.send(Buffer.alloc(4));
          else ws.send(Buffer.concat([Buffer.from([width >> 8, width & 0xff, height >> 8, height & 0xff]), encodePixelFormat(PIXEL_FORMAT_RGB888), Buffer.from([0, 0, 0, 0])]));
        }
        rest = progress.rest;
      }
      for (const message of parser.feed(rest).messages) {
        if (message.type === 'SetEncodings') {
          const answer = script.onEncodings?.(message.encodings);
          if (answer) ws.send(answer);
        } else if (message.type === 'FramebufferUpdateRequest') ws.send(script.screen(screens++));
      }
    });
  });
  cleanups.push(() => server.close());
  return { port: (server.address() as AddressInfo).port };
}

/**
 * A 4×2 VNC server that, as QEMU does, sends its cursor (a 2×2 Cursor
 * pseudo-rectangle) unasked when a client's SetEncodings enables it, and
 * answers every update request with the whole screen in Raw.
 */
async function cursorVm() {
  const cursor = fbu(rectangleHeader(0, 0, 2, 2, Encoding.Cursor), Buffer.alloc(2 * 2 * 4, 0x11), Buffer.from([0xc0, 0xc0]));
  const screen = fbu(rectangleHeader(0, 0, 4, 2, Encoding.Raw), Buffer.alloc(4 * 2 * 4, 0x22));
  let cursorsSent = 0;
  const vm = await scriptedVm(4, 2, {
    screen: () => screen,
    onEncodings: (encodings) => {
      if (!encodings.includes(Encoding.Cursor)) return undefined;
      cursorsSent += 1;
      return cursor;
    },
  });
  return { ...vm, cursorsSent: () => cursorsSent };
}

async function gateway(port: number, engine: Parameters<typeof vncEngine>[0]) {
  const lease = { spec: {}, resourceVersion: '1' };
  const released: string[] = [];
  const leases: ConsoleLeaseApi = {
    read: async () => undefined,
    take: async () => lease,
    renew: async () => lease,
    release: async (namespace, name) => void released.push(`${namespace}/${name}`),
  };
  const server = await startRegistryServer(port, 'vnc', vncEngine(engine), leases);
  cleanups.push(server.close);
  return { ...server, released };
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

  it.each([
    ['24 bits per pixel', { ...PIXEL_FORMAT_RGB888, bitsPerPixel: 24 }],
    ['a colour map', { ...PIXEL_FORMAT_RGB888, bitsPerPixel: 8, depth: 8, trueColour: false }],
  ])('closes a first viewer, view-only too, that asks for %s, and the gateway goes on serving others', async (_what, announcedPixelFormat) => {
    const { port } = await vncVm();
    const gw = await gateway(port, { pingMs: 60_000 });
    const bad = await RfbViewer.open(gw.url, 'token', { query: '?preserveSession=true&viewOnly=true', announcedPixelFormat });
    const end = await bad.closed;
    expect(end).toEqual({ code: 4403, reason: 'a shared console is shown only in true colour of 8, 16 or 32 bits per pixel' });
    const good = await RfbViewer.open(gw.url, 'token', { query: '?preserveSession=true' });
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
    // Each round it keeps asking but stops reading while thirty 1 MB pictures go by — more than the
    // kernel's loopback buffers hold, so the gateway's own backlog grows — then reads again (and is refreshed).
    const deadline = Date.now() + 20_000;
    while (!slow.closedWith && Date.now() < deadline) {
      socket.pause();
      for (let i = 0; i < 30; i++) {
        slow.request(true);
        await picture(fast);
      }
      socket.resume();
      await sleep(300);
    }
    expect(slow.closedWith).toEqual({ code: 1008, reason: 'this viewer stayed too far behind the console' });
    expect(fast.closedWith).toBeUndefined();
  }, 30_000);

  it('sends a viewer only the updates it asked for, and the whole screen at its next request after it skipped one', async () => {
    const { port } = await vncVm();
    const gw = await gateway(port, { pingMs: 60_000 });
    const asking = await RfbViewer.open(gw.url, 'token', { query: '?preserveSession=true' });
    const idle = await RfbViewer.open(gw.url, 'token', { query: '?preserveSession=true' });
    await Promise.all([picture(asking), picture(idle)]);
    const seen = idle.updates.length;
    for (let i = 0; i < 3; i++) {
      const before = asking.updates.length;
      asking.request(true);
      await asking.nextUpdate(before);
    }
    await sleep(100);
    expect(idle.updates.length).toBe(seen);
    // An incremental request, but it missed updates: what it gets is whole.
    idle.request(true);
    const update = await idle.nextUpdate(seen);
    expect(update.rectangles.reduce((sum, r) => sum + r.width * r.height, 0)).toBeGreaterThanOrEqual(idle.width * idle.height);
    expect(idle.closedWith).toBeUndefined();
  });

  it('sends a joiner the cursor the server sent before it came, ahead of its first picture', async () => {
    const vm = await cursorVm();
    const gw = await gateway(vm.port, { pingMs: 60_000 });
    const encodings = [Encoding.Raw, Encoding.Cursor];
    const first = await RfbViewer.open(gw.url, 'token', { encodings });
    await picture(first);
    expect(first.updates.flatMap((u) => u.rectangles.map((r) => r.encoding))).toContain(Encoding.Cursor);
    const joiner = await RfbViewer.open(gw.url, 'token', { encodings });
    await picture(joiner);
    expect(vm.cursorsSent()).toBe(1);
    expect(joiner.updates.map((u) => u.rectangles.map((r) => r.encoding))).toEqual([[Encoding.Cursor], [Encoding.Raw]]);
  });

  it('passes pictures larger than a read byte for byte to every viewer, each a different one, while the frames and reads they came in are reused', async () => {
    // 256×256 in Raw is 256 KiB: the gateway reads each over several pooled reads and frames it from a reused buffer.
    const [width, height] = [256, 256];
    // Picture n starts with the byte n and differs from the others all the way through.
    const pixels = (n: number) => {
      const bytes = Buffer.alloc(width * height * 4);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + n * 13 + (i >> 12)) & 0xff;
      bytes[0] = n;
      return bytes;
    };
    const vm = await scriptedVm(width, height, { screen: (n) => fbu(rectangleHeader(0, 0, width, height, Encoding.Raw), pixels(n)) });
    const gw = await gateway(vm.port, { pingMs: 60_000 });
    const viewers = await Promise.all([0, 1, 2].map(() => RfbViewer.open(gw.url, 'token', { query: '?preserveSession=true' })));
    for (const viewer of viewers) await picture(viewer);
    const seen = new Set<number>();
    for (let round = 0; round < 6; round++) {
      const updates = await Promise.all(viewers.map((v) => picture(v)));
      expect(updates.every((u) => u.rectangles.length === 1)).toBe(true);
      const [first, ...others] = viewers.map((v) => Buffer.from(v.framebuffer));
      for (const other of others) expect(other.equals(first!)).toBe(true);
      expect(first!.equals(pixels(first![0]!)), 'the picture is one the VM sent, whole').toBe(true);
      seen.add(first![0]!);
    }
    expect(seen.size).toBeGreaterThan(1);
  });
});

