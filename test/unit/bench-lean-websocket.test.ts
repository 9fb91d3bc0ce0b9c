import { once } from 'node:events';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { websocketAccept } from '../../gateway/console/upstream-console.ts';
import type { ByteChannel } from '../bench/lib/byte-channel.ts';
import { leanWebsocketChannel } from '../bench/lib/lean-websocket.ts';
import { createPki } from '../cluster/pki.ts';

const PROTOCOLS = ['plain.kubevirt.io', 'base64url.bearer.authorization.k8s.io.c2VjcmV0'];

let server: WebSocketServer | undefined;
let rawServer: net.Server | https.Server | undefined;
let channel: ByteChannel | undefined;

afterEach(async () => {
  channel?.close();
  channel = undefined;
  for (const client of server?.clients ?? []) client.terminate();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  await new Promise((resolve) => rawServer?.close(resolve) ?? resolve(undefined));
  server = undefined;
  rawServer = undefined;
});

/** A `ws` server that chooses the first subprotocol offered, or `choose`'s answer, or refuses with `refuseWith`; its connection comes out of `connected`. */
async function wsServer(
  choose?: (offered: Set<string>) => string | false,
  refuseWith?: number,
): Promise<{ url: string; connected: Promise<{ ws: WebSocket; offered: string[]; header: string | undefined }> }> {
  let offered: string[] = [];
  server = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    ...(refuseWith ? { verifyClient: (_info: unknown, done: (ok: boolean, code: number) => void) => done(false, refuseWith) } : {}),
    handleProtocols: (protocols) => {
      offered = [...protocols];
      return choose ? choose(protocols) : offered[0]!;
    },
  });
  const connected = new Promise<{ ws: WebSocket; offered: string[]; header: string | undefined }>((resolve) => {
    server!.once('connection', (ws, req) => resolve({ ws, offered, header: req.headers['x-bench'] as string | undefined }));
  });
  await once(server, 'listening');
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/k8s/console?preserveSession=true`, connected };
}

/** Collects copies of what a channel delivers (its chunks are read over later) until `bytes` have come. */
function collect(c: ByteChannel, bytes: number): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  let got = 0;
  return new Promise((resolve) => {
    c.onData((chunk) => {
      chunks.push(Buffer.from(chunk));
      got += chunk.length;
      if (got >= bytes) resolve(chunks);
    });
  });
}

const closeReason = (c: ByteChannel): Promise<string> => new Promise((resolve) => c.onClose(resolve));

describe('the lean websocket channel', () => {
  it('upgrades with the subprotocols and headers given, and its masked frames reach the server as sent', async () => {
    const { url, connected } = await wsServer();
    channel = await leanWebsocketChannel(url, { protocols: PROTOCOLS, headers: { 'X-Bench': 'shared' } });
    const { ws, offered, header } = await connected;
    expect(ws.protocol).toBe('plain.kubevirt.io');
    expect(offered).toEqual(PROTOCOLS);
    expect(header).toBe('shared');
    // `ws` closes a connection with 1002 on an unmasked client frame: these arriving intact means they were masked.
    const received = new Promise<Buffer[]>((resolve) => {
      const messages: Buffer[] = [];
      ws.on('message', (data) => {
        messages.push(data as Buffer);
        if (messages.length === 2) resolve(messages);
      });
    });
    channel.write(Buffer.from('RFB 003.008\n', 'latin1'));
    channel.write(Buffer.alloc(70_000, 7));
    const [first, second] = await received;
    expect(first!.toString('latin1')).toBe('RFB 003.008\n');
    expect(second!.equals(Buffer.alloc(70_000, 7))).toBe(true);
  });

  it('delivers a message larger than a read in pieces, every byte in order, and the messages behind it', async () => {
    const { url, connected } = await wsServer();
    channel = await leanWebsocketChannel(url, { protocols: PROTOCOLS });
    const { ws } = await connected;
    const big = Buffer.from(Array.from({ length: 1_500_000 }, (_, i) => (i * 7) % 251));
    const small = Buffer.from('after', 'latin1');
    const chunks = collect(channel, big.length + small.length);
    ws.send(big);
    ws.send(small);
    ws.send('a text message is not part of the byte stream');
    const got = await chunks;
    expect(Buffer.concat(got).equals(Buffer.concat([big, small]))).toBe(true);
    // 1.5 MB came in reads of at most 64 KiB: one message, many pieces, none copied into one.
    expect(got.length).toBeGreaterThanOrEqual(Math.ceil(big.length / 65_536));
    expect(Math.max(...got.map((c) => c.length))).toBeLessThanOrEqual(65_536);
  });

  it('answers a ping with its payload', async () => {
    const { url, connected } = await wsServer();
    channel = await leanWebsocketChannel(url, { protocols: PROTOCOLS });
    const { ws } = await connected;
    const pong = once(ws, 'pong');
    ws.ping(Buffer.from('are you there'));
    const [payload] = (await pong) as [Buffer];
    expect(payload.toString()).toBe('are you there');
  });

  it("reports the server's close code and reason, and answers the close with the code", async () => {
    const { url, connected } = await wsServer();
    channel = await leanWebsocketChannel(url, { protocols: PROTOCOLS });
    const { ws } = await connected;
    const closed = once(ws, 'close');
    const why = closeReason(channel);
    ws.close(4409, 'someone else is using this console');
    expect(await why).toBe('closed with 4409 someone else is using this console');
    const [code] = (await closed) as [number];
    expect(code).toBe(4409);
  });

  it('hands a listener set late all that came before it, though the read buffer went round since, and why the channel ended meanwhile', async () => {
    const { url, connected } = await wsServer();
    const version = Buffer.from('RFB 003.008\n', 'latin1');
    const screen = Buffer.from(Array.from({ length: 1_200_000 }, (_, i) => (i * 11) % 251));
    void connected.then(({ ws }) => {
      ws.send(version);
      ws.send(screen);
      ws.close(4410, 'the link has expired');
    });
    channel = await leanWebsocketChannel(url, { protocols: PROTOCOLS });
    expect(await closeReason(channel)).toBe('closed with 4410 the link has expired');
    const chunks: Buffer[] = [];
    channel.onData((chunk) => chunks.push(chunk));
    expect(chunks[0]!.toString('latin1')).toBe('RFB 003.008\n');
    expect(Buffer.concat(chunks).equals(Buffer.concat([version, screen]))).toBe(true);
  });

  it("fails with the HTTP status of a refusal, and when the server chose no subprotocol or one not offered, quoting none", async () => {
    const attempts: Array<[Parameters<typeof wsServer>, string]> = [
      [[undefined, 401], 'HTTP 401'],
      [[() => false], 'the server chose none of the subprotocols offered'],
      [[() => 'never-offered'], 'the server chose a subprotocol that was not offered'],
    ];
    for (const [serverOptions, why] of attempts) {
      const { url } = await wsServer(...serverOptions);
      const error = await leanWebsocketChannel(url, { protocols: PROTOCOLS }).then(() => undefined, (err: unknown) => err as Error);
      expect(error?.message).toBe(`websocket ${url}: ${why}`);
      for (const client of server!.clients) client.terminate();
      await new Promise((resolve) => server!.close(resolve));
    }
  });

  it('ends with why when the server breaks the protocol (a masked frame from a server)', async () => {
    rawServer = net.createServer((socket) => {
      let head = '';
      socket.on('data', (data) => {
        head += data.toString('latin1');
        const key = /Sec-WebSocket-Key: (\S+)/i.exec(head)?.[1];
        if (!head.includes('\r\n\r\n') || key === undefined) return;
        socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${websocketAccept(key)}\r\nSec-WebSocket-Protocol: plain.kubevirt.io\r\n\r\n`);
        // A binary frame of one byte, masked with an all-zero key.
        socket.write(Buffer.from([0x82, 0x81, 0, 0, 0, 0, 0x41]));
      });
    });
    rawServer.listen(0, '127.0.0.1');
    await once(rawServer, 'listening');
    channel = await leanWebsocketChannel(`ws://127.0.0.1:${(rawServer.address() as AddressInfo).port}/`, { protocols: PROTOCOLS });
    expect(await closeReason(channel)).toBe('invalid websocket frame: frames from a server must not be masked');
  });

  it('speaks over TLS to a server the CA given vouches for, and refuses one it does not', async () => {
    const pki = await createPki();
    const other = await createPki();
    const tlsServer = https.createServer({ cert: pki.server.certPem, key: pki.server.keyPem });
    rawServer = tlsServer;
    server = new WebSocketServer({ server: tlsServer, handleProtocols: (offered) => [...offered][0]! });
    const connected = once(server, 'connection') as Promise<[WebSocket]>;
    tlsServer.listen(0, '127.0.0.1');
    await once(tlsServer, 'listening');
    const url = `wss://localhost:${(tlsServer.address() as AddressInfo).port}/`;
    await expect(leanWebsocketChannel(url, { protocols: PROTOCOLS, ca: other.ca.certPem })).rejects.toThrow(`websocket ${url}: `);
    channel = await leanWebsocketChannel(url, { protocols: PROTOCOLS, ca: pki.ca.certPem });
    const [ws] = await connected;
    const big = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 13) % 251));
    const chunks = collect(channel, big.length);
    ws.send(big);
    expect(Buffer.concat(await chunks).equals(big)).toBe(true);
  });
});
