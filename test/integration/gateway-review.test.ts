// Attacks found in a security review of the gateway, each kept as a test:
// crashing the process through a console query, exhausting upstream connections
// with watches, streams outliving their link, proxied pages running script on
// the gateway's origin, trickled bodies, and view-only links kicking others off.
import net from 'node:net';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vncPath } from '../../shared/kubevirt-paths.ts';
import { closeReason } from '../../gateway/console/close-codes.ts';
import { bearerSubprotocol, closed, openConsole } from '../support/console-client.ts';
import { startHarness, waitFor, type Harness } from '../support/gateway-harness.ts';
import { rawRequest } from '../support/raw-http.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ tuning: { requestTimeoutMs: 1000 } });
});
afterAll(async () => {
  await h?.close();
});

const secrets = '/api/v1/namespaces/kube-gateway/secrets';
const byName = `fieldSelector=${encodeURIComponent('metadata.name=kube-gateway-jwt')}`;
const now = () => Math.floor(Date.now() / 1000);
const secretsToken = (extra: Record<string, unknown> = {}) => h.sign({ URLs: [secrets], verbs: ['get'], nbf: now() - 60, exp: now() + 600, id: `watch-${Math.random()}`, ...extra });

/** Opens a watch through the gateway; resolves once its headers arrive. */
function watch(token: string): Promise<{ status: number; ended: Promise<void>; req: http.ClientRequest }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${h.url}/k8s${secrets}?${byName}&watch=true`, { headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, ended: new Promise((done) => res.once('close', () => done())), req });
    });
    req.on('error', reject);
  });
}

describe('a console query the upstream URL cannot hold', () => {
  it('is refused, and the gateway stays up', async () => {
    const token = await h.consoleToken();
    const socket = net.connect(Number(new URL(h.url).port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write([
      `GET /k8s${vncPath('team-a', 'web-1')}?preserveSession=true#x HTTP/1.1`, 'Host: 127.0.0.1', 'Upgrade: websocket', 'Connection: Upgrade',
      'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', `Sec-WebSocket-Protocol: plain.kubevirt.io, ${bearerSubprotocol(token)}`, '', '',
    ].join('\r\n'));
    const answer = await new Promise<string>((resolve) => socket.once('data', (d) => resolve(d.toString())));
    socket.destroy();
    expect(answer).toMatch(/^HTTP\/1.1 400/);
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
  });

  it('is refused on plain requests too', async () => {
    const res = await rawRequest(h.url, `/k8s${secrets}?a="b"`, { headers: { authorization: `Bearer ${await secretsToken()}` } });
    expect(res.status).toBe(400);
  });
});

describe('streams', () => {
  it('are limited per link, so one link cannot hold every upstream connection', async () => {
    const token = await secretsToken();
    const open = await Promise.all(Array.from({ length: 16 }, () => watch(token)));
    expect(open.every((w) => w.status === 200)).toBe(true);
    const extra = await watch(token);
    expect(extra.status).toBe(429);
    for (const w of open) w.req.destroy();
    // Another link is unaffected meanwhile.
    expect((await watch(await secretsToken())).status).toBe(200);
  });

  it('end when their link expires', async () => {
    const token = await secretsToken({ exp: now() + 2 });
    const w = await watch(token);
    expect(w.status).toBe(200);
    await w.ended;
  }, 10_000);

  it('end when their link is revoked', async () => {
    const token = await secretsToken({ id: 'revoked-stream', jti: 'revoked-stream' });
    const w = await watch(token);
    const list = h.cluster.objects.get('ConfigMap', 'kube-gateway', 'gatepass-revoked')!;
    h.cluster.objects.put({ ...list, data: { 'revoked-stream': new Date(Date.now() + 3_600_000).toISOString() } } as never);
    await w.ended;
  });
});

describe('proxied responses', () => {
  it('cannot run script on the gateway’s origin, nor be read cross-site', async () => {
    const res = await fetch(`${h.url}/k8s${secrets}?${byName}`, { headers: { authorization: `Bearer ${await secretsToken()}`, origin: 'https://evil.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe("sandbox; default-src 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect([...res.headers.keys()].filter((k) => k.startsWith('access-control-'))).toEqual([]);
  });
});

describe('request bodies', () => {
  it('must arrive in time: a trickled body is cut off', async () => {
    const socket = net.connect(Number(new URL(h.url).port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('POST /auth/jwt/set HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\ntoken=');
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      socket.once('data', (d) => resolve(d.toString()));
      socket.once('close', () => resolve('closed'));
    });
    socket.destroy();
    expect(answer).toMatch(/^HTTP\/1.1 408/);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('consoles', () => {
  it('a view-only link never kicks the current viewer off, whatever it asks: it joins the console', async () => {
    const full = await h.consoleToken({ namespace: 'kube-gateway', name: 'testvm' });
    const first = await openConsole(`${h.url.replace('http', 'ws')}/k8s${vncPath('kube-gateway', 'testvm')}`, { protocols: ['plain.kubevirt.io', bearerSubprotocol(full)] });
    expect(first.data).toBeDefined();
    const watcher = await h.consoleToken({ namespace: 'kube-gateway', name: 'testvm', restrictions: { viewOnly: true } });
    const second = await openConsole(`${h.url.replace('http', 'ws')}/k8s${vncPath('kube-gateway', 'testvm')}?preserveSession=false`, { protocols: ['plain.kubevirt.io', bearerSubprotocol(watcher)] });
    expect(second.data?.toString('latin1')).toBe('RFB 003.008\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(first.ws.readyState).toBe(first.ws.OPEN);
    second.ws.close();
    const end = closed(first.ws);
    first.ws.close();
    await end;
  });

  it('spends no use of a single-use link on a client that cannot speak to a console', async () => {
    const token = await h.consoleToken({ name: 'db-1', restrictions: { maxUses: 1 } });
    const url = `${h.url.replace('http', 'ws')}/k8s${vncPath('team-a', 'db-1')}`;
    // Nothing to agree on, so the handshake itself fails (a browser would see 1006).
    await expect(openConsole(url, { protocols: ['chat', bearerSubprotocol(token)] })).rejects.toThrow(/subprotocol/);
    const right = await openConsole(url, { protocols: ['plain.kubevirt.io', bearerSubprotocol(token)] });
    expect(right.data?.toString('latin1')).toBe('RFB 003.008\n');
    right.ws.close();
  });

  it('refuses a limited-use link without an id, which could not be counted', async () => {
    const { jti: _jti, id: _id, ...claims } = { URLs: [vncPath('team-a', 'web-1')], verbs: ['gatepass:get'], nbf: now() - 60, exp: now() + 600, jti: 'x', id: 'x', gatepass: { maxUses: 1 } };
    const token = await h.sign(claims);
    const attempt = await openConsole(`${h.url.replace('http', 'ws')}/k8s${vncPath('team-a', 'web-1')}`, { protocols: ['plain.kubevirt.io', bearerSubprotocol(token)] });
    expect(attempt.code).toBe(4403);
    expect(attempt.reason).toMatch(/id/);
  });

  it('close reasons fit the websocket limit in bytes, not characters', () => {
    const reason = closeReason('é'.repeat(200));
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(123);
    expect(reason).toBe('é'.repeat(60));
  });
});

describe('liveness after all of the above', () => {
  it('still answers', async () => {
    await waitFor(async () => (await fetch(`${h.url}/healthz`)).status === 200, 'the gateway');
  });
});
