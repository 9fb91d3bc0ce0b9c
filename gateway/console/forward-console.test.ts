// The forwarder between real sockets: a `ws` client as the viewer, the
// forwarder on an HTTP server as the replica it reached, and a `ws` server
// (over HTTP or HTTPS) as the replica holding the console.
import { once } from 'node:events';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { X509Certificate } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createPki, type Pki } from '../../test/cluster/pki.ts';
import { waitFor } from '../../test/support/gateway-harness.ts';
import type { Upstream } from '../upstream.ts';
import { ConsoleProxy } from './console-proxy.ts';
import { ConsoleForwarder, explainHolderClose, FORWARDED_BY_HEADER, isForwardedRequest } from './forward-console.ts';
import type { Relay } from './splice.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const certDer = (pem: string) => new X509Certificate(pem).raw;

/** The replica holding the console: records each request's headers, says hello, and echoes what it gets. */
async function holder(options: { tls?: { certPem: string; keyPem: string } } = {}) {
  const requests: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
  const sockets: WebSocket[] = [];
  const server = options.tls ? https.createServer({ cert: options.tls.certPem, key: options.tls.keyPem }) : http.createServer();
  const wss = new WebSocketServer({ server, handleProtocols: (offered) => (offered.has('plain.kubevirt.io') ? 'plain.kubevirt.io' : false) });
  wss.on('connection', (ws, req) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    sockets.push(ws);
    ws.send(Buffer.from('hello from the holder'));
    ws.send('{"type":"presence"}');
    ws.on('message', (data, isBinary) => isBinary && ws.send(Buffer.concat([Buffer.from('echo:'), data as Buffer])));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => {
    wss.close();
    server.closeAllConnections();
    server.close();
  });
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, requests, sockets };
}

/** The replica the viewer reached: every upgrade is forwarded to `holderAddress`. */
async function forwarding(holderAddress: string, options: { secure?: boolean; servingCert?: Buffer } = {}) {
  const proxy = new ConsoleProxy({} as Upstream, { pingMs: 60_000, connectTimeoutMs: 2000 });
  const forwarder = new ConsoleForwarder(proxy, {
    identity: 'replica-b', secure: options.secure ?? false, connectTimeoutMs: 1000, pingMs: 60_000,
    ...(options.servingCert ? { servingCert: options.servingCert } : {}),
  });
  const relays: Relay[] = [];
  const server = http.createServer();
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined);
    void forwarder.forward(req, socket, head, { holderAddress, client: '198.51.100.4', expiresAt: Date.now() + 60_000 }, {
      onBytes: () => undefined, onUpstreamLatency: () => undefined,
    }).then((outcome) => outcome.relay && relays.push(outcome.relay));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, relays };
}

/** A viewer: what it received (binary and text), and how it closed. */
function viewer(url: string, headers: Record<string, string> = {}, protocols = ['plain.kubevirt.io', 'base64url.bearer.authorization.k8s.io.dG9rZW4']) {
  const socket = new WebSocket(url, protocols, { headers });
  const received: Array<{ text: boolean; data: string }> = [];
  let closed: { code: number; reason: string } | undefined;
  socket.on('message', (data, isBinary) => received.push({ text: !isBinary, data: (data as Buffer).toString() }));
  const ended = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve(closed = { code, reason: reason.toString() })));
  socket.on('error', () => undefined);
  return { socket, received, ended, closed: () => closed };
}

describe('ConsoleForwarder', () => {
  it('sends the viewer’s token and origin to the holder, the viewer’s address as this replica saw it, and the loop guard', async () => {
    const held = await holder();
    const front = await forwarding(held.address);
    const v = viewer(`${front.url}/k8s/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/console?preserveSession=true`, {
      authorization: 'Bearer the-token',
      cookie: 'gatepass-session=s1',
      origin: 'https://gateway.example',
      // What a viewer writes about itself never reaches the holder: only what this replica determined.
      'x-forwarded-for': '203.0.113.9',
      forwarded: 'for=203.0.113.9',
      [FORWARDED_BY_HEADER]: 'a-replica-it-is-not',
    });
    await waitFor(() => held.requests.length === 1, 'the forwarded request');
    const { url, headers } = held.requests[0]!;
    expect(url).toBe('/k8s/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/console?preserveSession=true');
    expect(headers.host).toBe(new URL(front.url).host);
    expect(headers.authorization).toBe('Bearer the-token');
    expect(headers.cookie).toBe('gatepass-session=s1');
    expect(headers.origin).toBe('https://gateway.example');
    expect(headers['sec-websocket-protocol']).toBe('plain.kubevirt.io,base64url.bearer.authorization.k8s.io.dG9rZW4');
    expect(headers['x-forwarded-for']).toBe('198.51.100.4');
    expect(headers.forwarded).toBeUndefined();
    expect(headers[FORWARDED_BY_HEADER]).toBe('replica-b');
    await waitFor(() => v.received.length === 2, 'the holder’s first frames');
    expect(v.socket.protocol).toBe('plain.kubevirt.io');
    v.socket.close();
  });

  it('pipes both ways, the holder’s text frames (presence) too', async () => {
    const held = await holder();
    const front = await forwarding(held.address);
    const v = viewer(`${front.url}/console`);
    await waitFor(() => v.received.length === 2, 'the holder’s first frames');
    expect(v.received).toEqual([{ text: false, data: 'hello from the holder' }, { text: true, data: '{"type":"presence"}' }]);
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    v.socket.send(big);
    await waitFor(() => v.received.length === 3, 'the echo of a large message');
    expect(v.received[2]!.data.length).toBe('echo:'.length + big.length);
    v.socket.close();
  });

  it('passes the holder’s close code and reason on as they are (a refusal the holder decided)', async () => {
    const held = await holder();
    const front = await forwarding(held.address);
    const v = viewer(`${front.url}/console`);
    await waitFor(() => held.sockets.length === 1, 'the holder’s viewer');
    held.sockets[0]!.close(4401, 'the link is not valid');
    expect(await v.ended).toEqual({ code: 4401, reason: 'the link is not valid' });
  });

  it('tells the viewer readably when the holder goes away mid-session', async () => {
    const held = await holder();
    const front = await forwarding(held.address);
    const v = viewer(`${front.url}/console`);
    await waitFor(() => v.received.length === 2, 'the holder’s first frames');
    held.sockets[0]!.terminate();
    expect(await v.ended).toEqual({ code: 1001, reason: 'the gateway replica holding this console went away' });
  });

  it('refuses readably (Try Again Later) when the holder cannot be reached', async () => {
    const closedPort = net.createServer().listen(0, '127.0.0.1');
    await once(closedPort, 'listening');
    const port = (closedPort.address() as AddressInfo).port;
    closedPort.close();
    const front = await forwarding(`127.0.0.1:${port}`);
    const v = viewer(`${front.url}/console`);
    expect(await v.ended).toEqual({ code: 1013, reason: 'the gateway replica holding this console cannot be reached; try again' });
  });

  it('refuses when the holder answers without an upgrade, naming its status', async () => {
    const plain = http.createServer((_req, res) => res.writeHead(404).end());
    plain.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'));
    plain.listen(0, '127.0.0.1');
    await once(plain, 'listening');
    cleanups.push(() => plain.close());
    const front = await forwarding(`127.0.0.1:${(plain.address() as AddressInfo).port}`);
    const v = viewer(`${front.url}/console`);
    expect(await v.ended).toEqual({ code: 1013, reason: 'the gateway replica holding this console answered HTTP 404; try again' });
  });

  it('over HTTPS reaches a holder that presents this replica’s own certificate', async () => {
    const held = await holder({ tls: pki.server });
    const front = await forwarding(held.address, { secure: true, servingCert: certDer(pki.server.certPem) });
    const v = viewer(`${front.url}/console`);
    await waitFor(() => v.received.length === 2, 'the holder’s first frames');
    v.socket.close();
  });

  it('over HTTPS sends nothing, not the token, to a server presenting another certificate', async () => {
    const impostor = await pki.issueClient('impostor', []);
    const held = await holder({ tls: pki.server });
    const front = await forwarding(held.address, { secure: true, servingCert: certDer(impostor.certPem) });
    const v = viewer(`${front.url}/console`, { authorization: 'Bearer the-token' });
    expect((await v.ended).code).toBe(1013);
    expect(held.requests).toEqual([]);
  });
});

describe('isForwardedRequest', () => {
  it('is whether the loop guard header is there, whatever its value', () => {
    const req = (headers: IncomingHttpHeaders) => ({ headers }) as http.IncomingMessage;
    expect(isForwardedRequest(req({ [FORWARDED_BY_HEADER]: 'replica-a' }))).toBe(true);
    expect(isForwardedRequest(req({ [FORWARDED_BY_HEADER]: '' }))).toBe(true);
    expect(isForwardedRequest(req({ 'x-forwarded-for': '10.0.0.1' }))).toBe(false);
  });
});

describe('explainHolderClose', () => {
  it('keeps the holder’s words, and says so when the holder vanished', () => {
    expect(explainHolderClose(4409, 'someone took over this console')).toEqual({ code: 4409, reason: 'someone took over this console' });
    expect(explainHolderClose(1006, '')).toEqual({ code: 1001, reason: 'the gateway replica holding this console went away' });
    expect(explainHolderClose(1005, '')).toEqual({ code: 1000, reason: '' });
  });
});
