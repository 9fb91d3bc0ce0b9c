// The upstream console websocket over TLS, against a TLS server that answers the
// handshake by hand and records what the gateway's ClientHello offered.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPki, type Pki } from '../../test/cluster/pki.ts';
import { openUpstreamConsole, websocketAccept } from './upstream-console.ts';

let pki: Pki;
beforeAll(async () => {
  pki = await createPki();
});

const servers: tls.Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A TLS console server: it notes the ALPN protocols offered, then answers the upgrade with a 101 and an RFB banner. */
async function tlsConsole(): Promise<{ url: URL; offered: Array<string[] | undefined> }> {
  const offered: Array<string[] | undefined> = [];
  const server = tls.createServer({
    key: pki.server.keyPem,
    cert: pki.server.certPem,
    ALPNCallback: ({ protocols }) => {
      offered.push(protocols);
      return 'http/1.1';
    },
  }, (socket) => {
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      const key = /sec-websocket-key: (\S+)/i.exec(head)?.[1] ?? '';
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${websocketAccept(key)}\r\n\r\n\x82\x0cRFB 003.008\n`, 'latin1');
    });
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: new URL(`https://127.0.0.1:${(server.address() as AddressInfo).port}`), offered };
}

describe('openUpstreamConsole over TLS', () => {
  it('offers ALPN http/1.1 and nothing else, and opens the console', async () => {
    const vm = await tlsConsole();
    const { result } = openUpstreamConsole({
      server: vm.url,
      target: '/apis/subresources.kubevirt.io/v1/namespaces/a/virtualmachineinstances/b/vnc',
      bearer: undefined,
      tls: { secureContext: tls.createSecureContext({ ca: pki.ca.certPem }), rejectUnauthorized: true },
      timeoutMs: 2000,
    });
    const upstream = await result;
    expect(upstream.open).toBe(true);
    if (!upstream.open) return;
    upstream.socket.destroy();
    upstream.reader.dispose();
    expect(vm.offered).toEqual([['http/1.1']]);
    expect((upstream.socket as tls.TLSSocket).alpnProtocol).toBe('http/1.1');
    expect(upstream.head.toString('latin1')).toBe('\x82\x0cRFB 003.008\n');
  });
});
