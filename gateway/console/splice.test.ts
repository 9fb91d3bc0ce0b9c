// The console relay between real sockets: a client (the `ws` library, or raw
// bytes where the wire itself is the point), the gateway's ConsoleProxy on an
// HTTP server, and a "VM console" upstream (a `ws` server, or raw bytes).
import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { Upstream } from '../upstream.ts';
import { ConsoleProxy, type ConsoleRequest } from './console-proxy.ts';
import { encodeFrame, Opcode } from './frames.ts';
import type { Relay } from './splice.ts';
import { websocketAccept } from './upstream-console.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const port = (server: net.Server) => (server.address() as AddressInfo).port;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface WireFrame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/** Parses whole frames off the front of `bytes` (unmasking when masked); returns them and what is left. */
function parseFrames(bytes: Buffer): { frames: WireFrame[]; rest: Buffer } {
  const frames: WireFrame[] = [];
  let at = 0;
  for (;;) {
    if (bytes.length - at < 2) break;
    const short = bytes[at + 1]! & 0x7f;
    const masked = (bytes[at + 1]! & 0x80) !== 0;
    let offset = at + 2;
    let length = short;
    if (short === 126) {
      if (bytes.length - offset < 2) break;
      length = bytes.readUInt16BE(offset);
      offset += 2;
    } else if (short === 127) {
      if (bytes.length - offset < 8) break;
      length = Number(bytes.readBigUInt64BE(offset));
      offset += 8;
    }
    const maskAt = offset;
    if (masked) offset += 4;
    if (bytes.length - offset < length) break;
    const payload = Buffer.from(bytes.subarray(offset, offset + length));
    if (masked) for (let i = 0; i < length; i++) payload[i]! ^= bytes[maskAt + (i & 3)]!;
    frames.push({ fin: (bytes[at]! & 0x80) !== 0, opcode: bytes[at]! & 0x0f, payload });
    at = offset + length;
  }
  return { frames, rest: bytes.subarray(at) };
}

/** Collects a raw socket's bytes as frames, after an optional HTTP head. */
function frameReader(socket: net.Socket, initial: Buffer = Buffer.alloc(0)) {
  let pending: Buffer = initial;
  const frames: WireFrame[] = [];
  let ended = false;
  const take = (chunk: Buffer): void => {
    const parsed = parseFrames(Buffer.concat([pending, chunk]));
    frames.push(...parsed.frames);
    pending = parsed.rest;
  };
  take(Buffer.alloc(0));
  socket.on('data', take);
  socket.on('close', () => (ended = true));
  return {
    frames,
    get ended() {
      return ended;
    },
    async until(test: () => boolean, ms = 3000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!test()) {
        if (Date.now() > deadline) throw new Error(`timed out; frames so far: ${frames.map((f) => f.opcode).join(',')}`);
        await sleep(10);
      }
    },
  };
}

/** Reads an HTTP head off a raw socket; resolves with it and the bytes after it. */
async function readHead(socket: net.Socket): Promise<{ head: string; rest: Buffer }> {
  let received: Buffer = Buffer.alloc(0);
  for (;;) {
    const end = received.indexOf('\r\n\r\n');
    if (end >= 0) return { head: received.subarray(0, end).toString('latin1'), rest: received.subarray(end + 4) };
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    received = Buffer.concat([received, chunk]);
  }
}

const masked = (opcode: number, payload: Buffer | string) => encodeFrame(opcode, Buffer.from(payload), true);
const plain = (opcode: number, payload: Buffer | string) => encodeFrame(opcode, Buffer.from(payload), false);
const closeFrame = (code: number, isMasked: boolean) => {
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code);
  return encodeFrame(Opcode.close, payload, isMasked);
};

interface RawVmSide {
  socket: net.Socket;
  request: string;
  rest: Buffer;
}

async function wsVm(): Promise<{ server: WebSocketServer; next(): Promise<WebSocket> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: (offered) => (offered.has('plain.kubevirt.io') ? 'plain.kubevirt.io' : false) });
  await once(server, 'listening');
  cleanups.push(() => server.close());
  return { server, next: () => new Promise((resolve) => server.once('connection', resolve)) };
}

/** A console that answers the handshake by hand and then speaks raw bytes; `banner` goes out in the same write as the 101. */
async function rawVm(banner?: Buffer): Promise<{ server: net.Server; next(): Promise<RawVmSide> }> {
  const accepted: Array<(value: RawVmSide) => void> = [];
  const server = net.createServer(async (socket) => {
    const { head, rest } = await readHead(socket);
    const key = /sec-websocket-key: (\S+)/i.exec(head)?.[1] ?? '';
    socket.write(Buffer.concat([
      Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${websocketAccept(key)}\r\nSec-WebSocket-Protocol: plain.kubevirt.io\r\n\r\n`),
      banner ?? Buffer.alloc(0),
    ]));
    accepted.shift()?.({ socket, request: head, rest });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => server.close());
  return { server, next: () => new Promise((resolve) => accepted.push(resolve)) };
}

interface Gateway {
  url: string;
  port: number;
  relays: Relay[];
  relayed: { fromClient: number; fromServer: number };
}

async function gateway(vm: { server: net.Server | WebSocketServer }, request: Partial<ConsoleRequest> = {}, pingMs = 60_000): Promise<Gateway> {
  const vmPort = (vm.server.address() as AddressInfo).port;
  const upstream = { url: new URL(`http://127.0.0.1:${vmPort}/`), bearerToken: () => 'sa-token', websocketTls: { rejectUnauthorized: true } } as unknown as Upstream;
  const proxy = new ConsoleProxy(upstream, { pingMs, connectTimeoutMs: 2000 });
  const relays: Relay[] = [];
  const relayed = { fromClient: 0, fromServer: 0 };
  const server = http.createServer();
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined);
    void proxy.open(req, socket, head, { upstreamPath: '/vnc', query: '', expiresAt: Date.now() + 60_000, ...request }, {
      onBytes: (c, s) => {
        relayed.fromClient += c;
        relayed.fromServer += s;
      },
      onUpstreamLatency: () => undefined,
    }).then((outcome) => outcome.relay && relays.push(outcome.relay));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `ws://127.0.0.1:${port(server)}/vnc`, port: port(server), relays, relayed };
}

async function wsClient(url: string, protocols: string[] = ['plain.kubevirt.io']): Promise<WebSocket> {
  const ws = new WebSocket(url, protocols);
  cleanups.push(() => ws.terminate());
  await once(ws, 'open');
  return ws;
}

/** A client that speaks raw bytes: `extra` rides in the same write as the upgrade request. */
async function rawClient(gw: Gateway, extra: Buffer = Buffer.alloc(0)) {
  const socket = net.connect(gw.port, '127.0.0.1');
  cleanups.push(() => socket.destroy());
  await once(socket, 'connect');
  socket.write(Buffer.concat([
    Buffer.from('GET /vnc HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: plain.kubevirt.io\r\n\r\n'),
    extra,
  ]));
  const { head, rest } = await readHead(socket);
  expect(head).toMatch(/^HTTP\/1\.1 101/);
  return { socket, reader: frameReader(socket, rest) };
}

const nextMessage = (ws: WebSocket) => new Promise<Buffer>((resolve) => ws.once('message', (data) => resolve(data as Buffer)));
const closedWith = (ws: WebSocket) => new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));

describe('spliced console', () => {
  it('carries binary frames both ways, drops text frames, and counts the bytes', async () => {
    const vm = await wsVm();
    const gw = await gateway(vm);
    const [client, atVm] = await Promise.all([wsClient(gw.url), vm.next()]);
    const fromClient = nextMessage(atVm);
    client.send('ignored text');
    client.send(Buffer.from('key'));
    expect((await fromClient).toString()).toBe('key');
    const toClient = nextMessage(client);
    atVm.send(Buffer.from('pixels'));
    expect((await toClient).toString()).toBe('pixels');
    gw.relays[0]!.close(1001, 'bye');
    await gw.relays[0]!.ended;
    // Headers included: 2 + 4 (mask) + 3 from the client, 2 + 6 from the console.
    expect(gw.relayed).toEqual({ fromClient: 9, fromServer: 8 });
  });

  it.each([
    ['no subprotocol', [], ''],
    ['binary', ['binary'], 'binary'],
    ['plain.kubevirt.io and a bearer token', ['plain.kubevirt.io', 'base64url.bearer.authorization.k8s.io.dG9rZW4'], 'plain.kubevirt.io'],
  ])('serves a client offering %s, echoing only what it offered', async (_name, offered, echoed) => {
    const vm = await wsVm();
    const gw = await gateway(vm);
    const [client, atVm] = await Promise.all([wsClient(gw.url, offered), vm.next()]);
    expect(client.protocol).toBe(echoed);
    // Upstream it is always KubeVirt's own subprotocol.
    expect(atVm.protocol).toBe('plain.kubevirt.io');
    const got = nextMessage(atVm);
    client.send(Buffer.from('x'));
    expect((await got).toString()).toBe('x');
  });

  it('forwards, in order, bytes that came in the same read as either handshake', async () => {
    const vm = await rawVm(plain(Opcode.binary, 'RFB 003.008\n'));
    const gw = await gateway(vm);
    const [{ reader }, atVm] = await Promise.all([rawClient(gw, masked(Opcode.binary, 'early')), vm.next()]);
    await reader.until(() => reader.frames.length >= 1);
    expect(reader.frames[0]!.payload.toString()).toBe('RFB 003.008\n');
    const vmReader = frameReader(atVm.socket, atVm.rest);
    await vmReader.until(() => vmReader.frames.length >= 1);
    expect(vmReader.frames[0]!.payload.toString()).toBe('early');
    expect(atVm.request).toMatch(/^GET \/vnc HTTP\/1\.1/);
    expect(atVm.request).toMatch(/authorization: Bearer sa-token/i);
    expect(atVm.request).not.toMatch(/sec-websocket-extensions/i);
  });

  it('closes both sides with 4410 when the link expires', async () => {
    const vm = await wsVm();
    const gw = await gateway(vm, { expiresAt: Date.now() + 150 });
    const [client, atVm] = await Promise.all([wsClient(gw.url), vm.next()]);
    const vmClosed = closedWith(atVm);
    expect(await closedWith(client)).toEqual({ code: 4410, reason: 'the link expired' });
    expect((await vmClosed).code).toBe(1000);
    expect((await gw.relays[0]!.ended).by).toBe('expired');
  });

  it('closes with 4403 when the client filter refuses a chunk', async () => {
    const vm = await wsVm();
    const gw = await gateway(vm, { filterClient: (chunk) => (chunk[0] === 0xff ? new Error('not allowed') : chunk) });
    const [client] = await Promise.all([wsClient(gw.url), vm.next()]);
    const end = closedWith(client);
    client.send(Buffer.from([0xff]));
    expect(await end).toEqual({ code: 4403, reason: 'not allowed' });
  });

  it('re-frames what the filter lets through as binary frames toward the console', async () => {
    const vm = await wsVm();
    const gw = await gateway(vm, { filterClient: (chunk) => Buffer.from(chunk.toString().toUpperCase()) });
    const [client, atVm] = await Promise.all([wsClient(gw.url), vm.next()]);
    const got = nextMessage(atVm);
    client.send(Buffer.from('abc'));
    expect((await got).toString()).toBe('ABC');
  });

  it('pauses the console while a slow viewer has megabytes unread, and resumes it', async () => {
    const vm = await wsVm();
    const gw = await gateway(vm);
    const [client, atVm] = await Promise.all([wsClient(gw.url), vm.next()]);
    // The viewer stops reading; the console keeps sending.
    client.pause();
    const frame = Buffer.alloc(256 * 1024, 7);
    let relayPaused = false;
    for (let i = 0; i < 300 && !relayPaused; i++) {
      atVm.send(frame);
      await sleep(5);
      // The console's own socket backs up once the relay stops reading from it.
      relayPaused = atVm.bufferedAmount > 8 * 1024 * 1024;
    }
    expect(relayPaused).toBe(true);
    let received = 0;
    let corrupt = false;
    client.on('message', (data) => {
      received += (data as Buffer).length;
      if ((data as Buffer).some((b) => b !== 7)) corrupt = true;
    });
    client.on('error', () => (corrupt = true));
    client.resume();
    await sleep(700);
    expect(received).toBeGreaterThan(4 * 1024 * 1024);
    // Pooled read buffers are not reused while a write still holds them.
    expect(corrupt).toBe(false);
  });

  it('keeps each console its own bytes when idle consoles read into one shared buffer', async () => {
    const vm = await wsVm();
    const gw = await gateway(vm);
    const consoles = [];
    for (const fill of [1, 2, 3]) {
      const [client, atVm] = await Promise.all([wsClient(gw.url), vm.next()]);
      const received: Buffer[] = [];
      client.on('message', (data) => received.push(data as Buffer));
      consoles.push({ fill, atVm, received });
    }
    // Small messages from every console at once: their reads land in the same turn of
    // the event loop, while the writes toward the viewers are still corked.
    for (let round = 0; round < 50; round++) {
      for (const { fill, atVm } of consoles) atVm.send(Buffer.alloc(300, fill));
      await sleep(2);
    }
    await Promise.all(consoles.map(async ({ received }) => {
      const deadline = Date.now() + 3000;
      while (received.length < 50 && Date.now() < deadline) await sleep(20);
    }));
    for (const { fill, received } of consoles) {
      expect(received).toHaveLength(50);
      expect(received.every((message) => message.length === 300 && message.every((b) => b === fill))).toBe(true);
    }
  });

  it('pings both sides and keeps the pongs to itself', async () => {
    const vm = await wsVm();
    const gw = await gateway(vm, {}, 100);
    const [client, atVm] = await Promise.all([wsClient(gw.url), vm.next()]);
    let clientPings = 0;
    let vmPings = 0;
    let vmPongs = 0;
    client.on('ping', () => (clientPings += 1));
    atVm.on('ping', () => (vmPings += 1));
    atVm.on('pong', () => (vmPongs += 1));
    // Three pings each way (every 100 ms); a loaded machine may take longer than 300 ms to send them.
    const deadline = Date.now() + 5_000;
    while ((clientPings < 3 || vmPings < 3) && Date.now() < deadline) await sleep(50);
    expect(clientPings).toBeGreaterThanOrEqual(3);
    expect(vmPings).toBeGreaterThanOrEqual(3);
    // The client's pongs answer the gateway's pings; none reaches the console.
    expect(vmPongs).toBe(0);
    expect(client.readyState).toBe(WebSocket.OPEN);
  });

  it('drops a client that does not answer pings', async () => {
    const vm = await wsVm();
    const gw = await gateway(vm, {}, 100);
    const [{ reader }] = await Promise.all([rawClient(gw), vm.next()]);
    await reader.until(() => reader.frames.some((f) => f.opcode === Opcode.close));
    expect(reader.frames.find((f) => f.opcode === Opcode.close)!.payload.readUInt16BE(0)).toBe(1001);
    expect((await gw.relays[0]!.ended).by).toBe('ping-timeout');
  });

  it('ends the console when the client half-closes its connection', async () => {
    const vm = await wsVm();
    const gw = await gateway(vm);
    const [{ socket }, atVm] = await Promise.all([rawClient(gw), vm.next()]);
    const vmClosed = closedWith(atVm);
    socket.end();
    expect((await vmClosed).code).toBe(1000);
    expect((await gw.relays[0]!.ended).by).toBe('client');
  });

  it('answers a close frame that arrives split across reads, and closes the console', async () => {
    const vm = await wsVm();
    const gw = await gateway(vm);
    const [{ socket, reader }, atVm] = await Promise.all([rawClient(gw), vm.next()]);
    const vmClosed = closedWith(atVm);
    const close = closeFrame(1000, true);
    socket.write(close.subarray(0, 3));
    await sleep(50);
    socket.write(close.subarray(3));
    expect((await vmClosed).code).toBe(1000);
    await reader.until(() => reader.frames.some((f) => f.opcode === Opcode.close));
    expect((await gw.relays[0]!.ended).by).toBe('client');
  });

  it('passes a ping out of the middle of a fragmented message and answers it', async () => {
    const vm = await wsVm();
    const gw = await gateway(vm);
    const [{ socket, reader }, atVm] = await Promise.all([rawClient(gw), vm.next()]);
    const message = nextMessage(atVm);
    const first = masked(Opcode.binary, 'frag-1');
    first[0] = Opcode.binary;
    socket.write(first);
    socket.write(masked(Opcode.ping, 'hello'));
    socket.write(masked(Opcode.continuation, '-frag-2'));
    expect((await message).toString()).toBe('frag-1-frag-2');
    await reader.until(() => reader.frames.some((f) => f.opcode === Opcode.pong));
    expect(reader.frames.find((f) => f.opcode === Opcode.pong)!.payload.toString()).toBe('hello');
  });

  it('passes a 64-bit-length frame whose header is split across reads', async () => {
    const vm = await rawVm();
    const gw = await gateway(vm);
    const [client, atVm] = await Promise.all([wsClient(gw.url), vm.next()]);
    const payload = Buffer.alloc(70_000, 3);
    const frame = encodeFrame(Opcode.binary, payload, false);
    const got = nextMessage(client);
    atVm.socket.write(frame.subarray(0, 5));
    await sleep(50);
    atVm.socket.write(frame.subarray(5));
    expect((await got).equals(payload)).toBe(true);
  });

  it('puts its own close frame after the frame in flight, never inside it', async () => {
    const vm = await rawVm();
    const gw = await gateway(vm);
    const [client, atVm] = await Promise.all([wsClient(gw.url), vm.next()]);
    const payload = Buffer.alloc(100_000, 5);
    const frame = encodeFrame(Opcode.binary, payload, false);
    const got = nextMessage(client);
    const end = closedWith(client);
    atVm.socket.write(frame.subarray(0, 40_000));
    await sleep(50);
    gw.relays[0]!.close(4401, 'this link has been revoked', 'revoked');
    await sleep(50);
    atVm.socket.write(frame.subarray(40_000));
    expect((await got).equals(payload)).toBe(true);
    expect(await end).toEqual({ code: 4401, reason: 'this link has been revoked' });
  });

  it('drops the client without a close frame when the console dies inside a frame', async () => {
    const vm = await rawVm();
    const gw = await gateway(vm);
    const [{ reader }, atVm] = await Promise.all([rawClient(gw), vm.next()]);
    atVm.socket.write(encodeFrame(Opcode.binary, Buffer.alloc(1000), false).subarray(0, 100));
    await sleep(50);
    atVm.socket.destroy();
    await reader.until(() => reader.ended);
    expect(reader.frames).toHaveLength(0);
    expect((await gw.relays[0]!.ended).by).toBe('server');
  });

  it('tells the client the console was taken over when the console drops between frames', async () => {
    const vm = await rawVm();
    const gw = await gateway(vm);
    const [client, atVm] = await Promise.all([wsClient(gw.url), vm.next()]);
    const end = closedWith(client);
    atVm.socket.destroy();
    expect((await end).code).toBe(4409);
  });

  it('closes with 1002 on a frame with reserved bits, and passes none of it on', async () => {
    const vm = await rawVm();
    const gw = await gateway(vm);
    const [{ socket, reader }, atVm] = await Promise.all([rawClient(gw), vm.next()]);
    const vmReader = frameReader(atVm.socket, atVm.rest);
    const bad = masked(Opcode.binary, 'compressed?');
    bad[0] = 0x80 | 0x40 | Opcode.binary;
    socket.write(bad);
    await reader.until(() => reader.frames.some((f) => f.opcode === Opcode.close));
    expect(reader.frames.find((f) => f.opcode === Opcode.close)!.payload.readUInt16BE(0)).toBe(1002);
    await vmReader.until(() => vmReader.frames.length > 0);
    expect(vmReader.frames.map((f) => f.opcode)).toEqual([Opcode.close]);
  });
});
