import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  PIXEL_FORMAT_RGB888, encodeClientCutText, encodeFramebufferUpdateRequest, encodeKeyEvent, encodePointerEvent,
  encodeSetPixelFormat,
} from '../../shared/node/rfb.ts';
import type { PixelFormat } from '../../shared/node/rfb.ts';
import { ByteQueue } from '../cluster/vnc/byte-queue.ts';
import { ConsoleHub, parseVncBackend } from '../cluster/vnc/console-hub.ts';
import type { VncTarget } from '../cluster/vnc/console-hub.ts';
import { createDuplexPair } from '../cluster/vnc/duplex-pair.ts';
import { BuiltinRfbServer } from '../cluster/vnc/rfb-server.ts';
import { SCREEN_COLOURS, SCREEN_HEIGHT, SCREEN_WIDTH } from '../cluster/vnc/screen.ts';
import type { Rgb } from '../cluster/vnc/screen.ts';

const QEMU = '/usr/bin/qemu-system-x86_64';
const hasQemu = existsSync(QEMU);
if (!hasQemu) console.warn(`cluster-vnc: ${QEMU} is missing (Debian package qemu-system-x86), so the QEMU tests are skipped`);

// ---------------------------------------------------------------- a viewer speaking RFB over the websocket

interface Viewer {
  ws: WebSocket;
  queue: ByteQueue;
  closed: Promise<{ code: number; reason: string }>;
  send(bytes: Buffer): void;
}

function track(ws: WebSocket): Viewer {
  const queue = new ByteQueue();
  ws.on('message', (data: Buffer) => queue.push(data));
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => {
      queue.fail(new Error(`websocket closed with ${code}`));
      resolve({ code, reason: reason.toString() });
    });
  });
  ws.on('error', () => undefined);
  return { ws, queue, closed, send: (bytes) => ws.send(bytes) };
}

function upgradeOutcome(url: string, protocols: string[]): Promise<{ viewer: Viewer } | { status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols);
    ws.once('open', () => resolve({ viewer: track(ws) }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', reject);
  });
}

async function openViewer(url: string): Promise<Viewer> {
  const outcome = await upgradeOutcome(url, ['plain.kubevirt.io']);
  if (!('viewer' in outcome)) throw new Error(`upgrade refused with ${outcome.status}: ${outcome.body}`);
  return outcome.viewer;
}

async function refusal(url: string, protocols: string[]): Promise<{ status: number; body: string }> {
  const outcome = await upgradeOutcome(url, protocols);
  if ('viewer' in outcome) throw new Error('upgrade was accepted');
  return outcome;
}

interface ServerInit { width: number; height: number; name: string }

async function handshake(viewer: Viewer, shared = true): Promise<ServerInit> {
  expect((await viewer.queue.read(12)).toString('latin1')).toBe('RFB 003.008\n');
  viewer.send(Buffer.from('RFB 003.008\n', 'latin1'));
  const count = (await viewer.queue.read(1)).readUInt8(0);
  expect([...(await viewer.queue.read(count))]).toContain(1);
  viewer.send(Buffer.from([1]));
  expect((await viewer.queue.read(4)).readUInt32BE(0)).toBe(0);
  viewer.send(Buffer.from([shared ? 1 : 0]));
  const init = await viewer.queue.read(24);
  const name = (await viewer.queue.read(init.readUInt32BE(20))).toString('utf8');
  return { width: init.readUInt16BE(0), height: init.readUInt16BE(2), name };
}

interface Rect { x: number; y: number; width: number; height: number; pixels: Buffer }

async function readUpdate(queue: ByteQueue, bytesPerPixel = 4): Promise<Rect[]> {
  const head = await queue.read(4);
  expect(head.readUInt8(0)).toBe(0);
  const rects: Rect[] = [];
  for (let i = 0; i < head.readUInt16BE(2); i++) {
    const r = await queue.read(12);
    expect(r.readInt32BE(8)).toBe(0);
    const [x, y, width, height] = [r.readUInt16BE(0), r.readUInt16BE(2), r.readUInt16BE(4), r.readUInt16BE(6)];
    rects.push({ x, y, width, height, pixels: await queue.read(width * height * bytesPerPixel) });
  }
  return rects;
}

/** How many pixels of `colour` a Raw rect in `pf` holds, after the server's own conversion. */
function countColour(pixels: Buffer, colour: Rgb, pf: PixelFormat = PIXEL_FORMAT_RGB888): number {
  const bytes = pf.bitsPerPixel / 8;
  const scale = (v: number, max: number): number => Math.round((v * max) / 255);
  const want = ((scale(colour.r, pf.redMax) << pf.redShift) | (scale(colour.g, pf.greenMax) << pf.greenShift) | (scale(colour.b, pf.blueMax) << pf.blueShift)) >>> 0;
  let n = 0;
  for (let o = 0; o < pixels.length; o += bytes) {
    const value = bytes === 4 ? pixels.readUInt32LE(o) : bytes === 2 ? pixels.readUInt16LE(o) : pixels.readUInt8(o);
    if (value === want) n++;
  }
  return n;
}

function countPngColour(png: PNG, colour: Rgb): number {
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    if (png.data[i] === colour.r && png.data[i + 1] === colour.g && png.data[i + 2] === colour.b) n++;
  }
  return n;
}

async function eventually(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const fullRequest = (incremental: boolean, width = SCREEN_WIDTH, height = SCREEN_HEIGHT): Buffer =>
  encodeFramebufferUpdateRequest({ incremental, x: 0, y: 0, width, height });

// ---------------------------------------------------------------- the stand-in's upgrade path, minus auth

const targets = new Map<string, VncTarget>();
let hub: ConsoleHub;
let server: http.Server;
let base: string;

function addTarget(namespace: string, name: string, backend: VncTarget['backend']): VncTarget {
  const target = { namespace, name, backend, title: `${namespace}/${name}` };
  targets.set(`${namespace}/${name}`, target);
  return target;
}

beforeAll(async () => {
  hub = new ConsoleHub();
  server = http.createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const target = targets.get(url.pathname.replace(/^\/vnc\//, ''));
    if (!target) return void socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    hub.handleUpgrade(req, socket, head, target, { preserveSession: url.searchParams.get('preserveSession') === 'true' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/vnc`;
});

afterAll(async () => {
  await hub.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('ConsoleHub with the built-in server', () => {
  it('speaks RFB 3.8 over plain.kubevirt.io and sends the screen', async () => {
    addTarget('team-a', 'web-1', { kind: 'builtin' });
    const viewer = await openViewer(`${base}/team-a/web-1`);
    expect(viewer.ws.protocol).toBe('plain.kubevirt.io');
    expect(await handshake(viewer)).toEqual({ width: SCREEN_WIDTH, height: SCREEN_HEIGHT, name: 'team-a/web-1' });
    viewer.send(fullRequest(false));
    const [rect, ...others] = await readUpdate(viewer.queue);
    expect(others).toEqual([]);
    expect(rect).toMatchObject({ x: 0, y: 0, width: SCREEN_WIDTH, height: SCREEN_HEIGHT });
    expect(countColour(rect!.pixels, SCREEN_COLOURS.background)).toBeGreaterThan(SCREEN_WIDTH * SCREEN_HEIGHT / 2);
    expect(countColour(rect!.pixels, SCREEN_COLOURS.title)).toBeGreaterThan(500);
    viewer.ws.close();
    await viewer.closed;
  });

  it('records input split across arbitrary frames, drops text frames, and shows typed keys incrementally', async () => {
    addTarget('team-a', 'typing', { kind: 'builtin' });
    const viewer = await openViewer(`${base}/team-a/typing`);
    await handshake(viewer);
    viewer.send(fullRequest(false));
    await readUpdate(viewer.queue);
    const input = Buffer.concat([
      encodeKeyEvent(true, 0x68), encodeKeyEvent(false, 0x68), encodeKeyEvent(true, 0x69),
      encodePointerEvent(1, 10, 20), encodeClientCutText('clip'), fullRequest(true),
    ]);
    for (let offset = 0; offset < input.length; offset += 3) {
      viewer.send(input.subarray(offset, offset + 3));
      // A text frame in the middle of a message would corrupt the stream if it were forwarded.
      if (offset === 3) viewer.ws.send('not RFB');
    }
    const update = await readUpdate(viewer.queue);
    expect(hub.builtinServer('team-a', 'typing')?.events).toEqual([
      { type: 'key', down: true, keysym: 0x68 }, { type: 'key', down: false, keysym: 0x68 }, { type: 'key', down: true, keysym: 0x69 },
      { type: 'pointer', buttons: 1, x: 10, y: 20 }, { type: 'cut-text', text: 'clip' },
    ]);
    expect(update).toHaveLength(1);
    expect(update[0]!.height).toBeLessThan(SCREEN_HEIGHT);
    expect(countColour(update[0]!.pixels, SCREEN_COLOURS.typed)).toBeGreaterThan(50);
    viewer.ws.close();
  });

  it('drops text frames sent during the handshake', async () => {
    addTarget('team-a', 'text', { kind: 'builtin' });
    const viewer = await openViewer(`${base}/team-a/text`);
    viewer.ws.send('RFB 003.003\n');
    expect((await handshake(viewer)).name).toBe('team-a/text');
    viewer.ws.close();
  });

  it('honours 16 and 8 bpp true-colour pixel formats', async () => {
    addTarget('team-a', 'formats', { kind: 'builtin' });
    const viewer = await openViewer(`${base}/team-a/formats`);
    await handshake(viewer);
    const rgb565: PixelFormat = { ...PIXEL_FORMAT_RGB888, bitsPerPixel: 16, depth: 16, redMax: 31, greenMax: 63, blueMax: 31, redShift: 11, greenShift: 5, blueShift: 0 };
    const bgr233: PixelFormat = { ...PIXEL_FORMAT_RGB888, bitsPerPixel: 8, depth: 8, redMax: 7, greenMax: 7, blueMax: 3, redShift: 0, greenShift: 3, blueShift: 6 };
    for (const pf of [rgb565, bgr233]) {
      viewer.send(Buffer.concat([encodeSetPixelFormat(pf), fullRequest(false)]));
      const [rect] = await readUpdate(viewer.queue, pf.bitsPerPixel / 8);
      expect(rect!.pixels).toHaveLength(SCREEN_WIDTH * SCREEN_HEIGHT * pf.bitsPerPixel / 8);
      expect(countColour(rect!.pixels, SCREEN_COLOURS.background, pf)).toBeGreaterThan(SCREEN_WIDTH * SCREEN_HEIGHT / 2);
      expect(countColour(rect!.pixels, SCREEN_COLOURS.title, pf)).toBeGreaterThan(500);
    }
    viewer.ws.close();
  });

  it('lets a second connection take the session: the first one just drops', async () => {
    addTarget('team-a', 'kick', { kind: 'builtin' });
    const first = await openViewer(`${base}/team-a/kick`);
    await handshake(first);
    const second = await openViewer(`${base}/team-a/kick`);
    expect((await first.closed).code).toBe(1006);
    await handshake(second);
    second.send(fullRequest(false));
    expect(await readUpdate(second.queue)).toHaveLength(1);
    second.ws.close();
  });

  it('refuses a preserveSession connection with a 503 Status while a session is open', async () => {
    addTarget('team-a', 'preserve', { kind: 'builtin' });
    const first = await openViewer(`${base}/team-a/preserve?preserveSession=true`);
    await handshake(first);
    const refused = await refusal(`${base}/team-a/preserve?preserveSession=true`, ['plain.kubevirt.io']);
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'ServiceUnavailable', code: 503 });
    first.send(fullRequest(false));
    expect(await readUpdate(first.queue)).toHaveLength(1);
    first.ws.close();
    await first.closed;
    await eventually(() => hub.builtinServer('team-a', 'preserve')?.connected === false, 'the first session to end');
    const again = await openViewer(`${base}/team-a/preserve?preserveSession=true`);
    await handshake(again);
    again.ws.close();
  });

  it('forgets a session whose websocket handshake ws refused', async () => {
    addTarget('team-a', 'malformed', { kind: 'builtin' });
    const port = (server.address() as AddressInfo).port;
    const status = await new Promise<number>((resolve, reject) => {
      http.get({ port, host: '127.0.0.1', path: '/vnc/team-a/malformed', headers: {
        Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'not a key', 'Sec-WebSocket-Protocol': 'plain.kubevirt.io',
      } }, (res) => resolve(res.statusCode ?? 0)).on('error', reject);
    });
    expect(status).toBe(400);
    // The server sees that socket close a moment after the client has read the 400.
    await new Promise((r) => setTimeout(r, 100));
    const viewer = await openViewer(`${base}/team-a/malformed?preserveSession=true`);
    await handshake(viewer);
    viewer.ws.close();
  });

  it('answers 400 with a Status when plain.kubevirt.io is not offered', async () => {
    addTarget('team-a', 'proto', { kind: 'builtin' });
    for (const protocols of [[], ['binary', 'base64']]) {
      const refused = await refusal(`${base}/team-a/proto`, protocols);
      expect(refused.status).toBe(400);
      expect(JSON.parse(refused.body)).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    }
  });

  it('takes a PNG screenshot without taking the session', async () => {
    const target = addTarget('team-a', 'shot', { kind: 'builtin' });
    const viewer = await openViewer(`${base}/team-a/shot`);
    await handshake(viewer);
    const png = PNG.sync.read(await hub.screenshot(target));
    expect([png.width, png.height]).toEqual([SCREEN_WIDTH, SCREEN_HEIGHT]);
    expect(countPngColour(png, SCREEN_COLOURS.title)).toBeGreaterThan(500);
    expect(countPngColour(png, SCREEN_COLOURS.background)).toBeGreaterThan(SCREEN_WIDTH * SCREEN_HEIGHT / 2);
    viewer.send(fullRequest(false));
    expect(await readUpdate(viewer.queue)).toHaveLength(1);
    viewer.ws.close();
  });

  it('ends the session when the VM stops', async () => {
    addTarget('team-a', 'stop', { kind: 'builtin' });
    const viewer = await openViewer(`${base}/team-a/stop`);
    await handshake(viewer);
    hub.disconnect('team-a', 'stop');
    expect((await viewer.closed).code).toBe(1006);
  });

  it('closes the websocket with 1011 when the external backend cannot be reached', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    addTarget('team-a', 'gone', { kind: 'tcp', host: '127.0.0.1', port });
    const viewer = await openViewer(`${base}/team-a/gone`);
    const closed = await viewer.closed;
    expect(closed.code).toBe(1011);
    expect(closed.reason).toMatch(/ECONNREFUSED/);
  });
});

describe('BuiltinRfbServer', () => {
  it('sends the clock when it changes, and only when asked', async () => {
    let now = new Date(2024, 0, 1, 12, 34, 56);
    const server = new BuiltinRfbServer('clock/vm', { now: () => now });
    const [client, serverSide] = createDuplexPair();
    server.attach(serverSide);
    const queue = new ByteQueue();
    client.on('data', (chunk: Buffer) => queue.push(chunk));
    await queue.read(12);
    client.write('RFB 003.008\n');
    await queue.read(2);
    client.write(Buffer.from([1, 1]));
    await queue.read(4 + 24 + 'clock/vm'.length);
    client.write(fullRequest(false));
    await readUpdate(queue);
    let answered = false;
    client.write(fullRequest(true));
    const next = readUpdate(queue).then((rects) => ((answered = true), rects));
    await new Promise((r) => setTimeout(r, 1200));
    expect(answered).toBe(false);
    now = new Date(2024, 0, 1, 12, 34, 57);
    const [rect] = await next;
    expect(rect!.height).toBeLessThan(SCREEN_HEIGHT);
    expect(countColour(rect!.pixels, SCREEN_COLOURS.clock)).toBeGreaterThan(100);
    const input = new Promise((resolve) => server.once('input', resolve));
    client.write(encodeKeyEvent(true, 0x7a));
    expect(await input).toEqual({ type: 'key', down: true, keysym: 0x7a });
    server.close();
    expect(server.connected).toBe(false);
  });
});

describe('parseVncBackend', () => {
  it('reads builtin, tcp and unix specs', () => {
    expect(parseVncBackend(undefined)).toEqual({ kind: 'builtin' });
    expect(parseVncBackend('builtin')).toEqual({ kind: 'builtin' });
    expect(parseVncBackend('tcp://127.0.0.1:5901')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 5901 });
    expect(parseVncBackend('tcp://[::1]:5900')).toEqual({ kind: 'tcp', host: '::1', port: 5900 });
    expect(parseVncBackend('unix:/run/vnc.sock')).toEqual({ kind: 'unix', path: '/run/vnc.sock' });
  });

  it('explains what is wrong with a bad spec', () => {
    expect(() => parseVncBackend('qemu')).toThrow(/unknown VNC backend "qemu"; expected 'builtin'/);
    expect(() => parseVncBackend('tcp://127.0.0.1')).toThrow(/needs a host and a port/);
    expect(() => parseVncBackend('tcp://127.0.0.1:0')).toThrow(/needs a host and a port/);
    expect(() => parseVncBackend('tcp://127.0.0.1:5900/x')).toThrow(/must not have a path/);
    expect(() => parseVncBackend('unix:')).toThrow(/empty socket path/);
    expect(() => parseVncBackend('')).toThrow(/unknown VNC backend ""/);
  });
});

describe.skipIf(!hasQemu)('ConsoleHub with QEMU', () => {
  let qemu: ChildProcess | undefined;
  let dir: string;
  let target: VncTarget;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatepass-qemu-'));
    const socket = join(dir, 'vnc.sock');
    // -S keeps the guest CPU stopped (no CPU use); QEMU's VNC server still answers.
    qemu = spawn(QEMU, ['-nodefaults', '-display', 'none', '-machine', 'pc', '-S', '-m', '32', '-vga', 'std', '-vnc', `unix:${socket}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    qemu.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await eventually(() => existsSync(socket) || qemu?.exitCode !== null, 'QEMU to open its VNC socket', 15_000);
    if (qemu.exitCode !== null) throw new Error(`QEMU exited with ${qemu.exitCode}: ${stderr}`);
    target = addTarget('vms', 'qemu-1', parseVncBackend(`unix:${socket}`));
  });

  afterAll(async () => {
    if (qemu && qemu.exitCode === null) {
      const exited = new Promise((resolve) => qemu?.once('exit', resolve));
      qemu.kill('SIGTERM');
      await exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('bridges a viewer to QEMU and screenshots it without taking the session', async () => {
    const viewer = await openViewer(`${base}/vms/qemu-1`);
    const init = await handshake(viewer);
    expect(init.width).toBeGreaterThan(0);
    expect(init.height).toBeGreaterThan(0);
    viewer.send(fullRequest(false, init.width, init.height));
    const rects = await readUpdate(viewer.queue);
    expect(rects.reduce((sum, r) => sum + r.width * r.height, 0)).toBeGreaterThanOrEqual(init.width * init.height);

    const png = PNG.sync.read(await hub.screenshot(target));
    expect([png.width, png.height]).toEqual([init.width, init.height]);

    viewer.send(fullRequest(false, init.width, init.height));
    expect((await readUpdate(viewer.queue)).length).toBeGreaterThan(0);
    viewer.ws.close();
    await viewer.closed;
  });
});
