// Faults at the edges of a console and of the proxy: a VNC backend that dies,
// clients that vanish mid-stream, and no socket left behind after many connections.
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vncPath } from '../../shared/kubevirt-paths.ts';
import { bearerSubprotocol, closed, openConsole } from '../support/console-client.ts';
import { startHarness, waitFor, type Harness } from '../support/gateway-harness.ts';

let h: Harness;
let backend: net.Server;
const backendSockets = new Set<net.Socket>();

beforeAll(async () => {
  // A VNC server that greets and then dies: what a crashing QEMU looks like from the gateway.
  backend = net.createServer((socket) => {
    backendSockets.add(socket);
    socket.write('RFB 003.008\n');
    setTimeout(() => socket.destroy(), 100);
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const port = (backend.address() as AddressInfo).port;
  h = await startHarness({
    cluster: { fixture: { base: 'default', namespaces: ['lab'], vms: [{ namespace: 'lab', name: 'flaky', running: true, vncBackend: `tcp://127.0.0.1:${port}` }] } },
  });
});
afterAll(async () => {
  await h?.close();
  backend?.close();
});

// What the gateway's own service account may list and watch: the public key secret, by name.
const secrets = '/api/v1/namespaces/kube-gateway/secrets';
const byName = `fieldSelector=${encodeURIComponent('metadata.name=kube-gateway-jwt')}`;

const consoleUrl = (namespace: string, name: string) => `${h.url.replace('http', 'ws')}/k8s${vncPath(namespace, name)}`;

function tcpSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

describe('console faults', () => {
  it('tells the viewer when the VNC backend goes away', async () => {
    const token = await h.consoleToken({ namespace: 'lab', name: 'flaky' });
    const attempt = await openConsole(consoleUrl('lab', 'flaky'), { protocols: ['plain.kubevirt.io', bearerSubprotocol(token)] });
    expect(attempt.data?.toString('latin1')).toBe('RFB 003.008\n');
    const { code, reason } = await closed(attempt.ws);
    expect(code).not.toBe(1006);
    expect(reason).toMatch(/console/);
  });

  it('closes the upstream console when the client vanishes mid-stream', async () => {
    const token = await h.consoleToken({ namespace: 'kube-gateway', name: 'testvm' });
    const attempt = await openConsole(consoleUrl('kube-gateway', 'testvm'), { protocols: ['plain.kubevirt.io', bearerSubprotocol(token)] });
    const server = h.cluster.vnc.builtinServer('kube-gateway', 'testvm');
    expect(server?.connected).toBe(true);
    attempt.ws.terminate();
    await waitFor(() => server?.connected === false, 'the upstream console to close');
  });
});

describe('proxy faults', () => {
  it('ends the upstream watch when the client aborts it', async () => {
    const token = await h.sign({ URLs: [secrets], verbs: ['get'], nbf: Math.floor(Date.now() / 1000) - 60, exp: Math.floor(Date.now() / 1000) + 600, id: 'watcher' });
    const before = tcpSockets();
    await new Promise<void>((resolve, reject) => {
      const req = http.get(`${h.url}/k8s${secrets}?${byName}&watch=true`, { headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
        expect(res.statusCode).toBe(200);
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? resolve() : reject(err)));
    });
    await waitFor(() => tcpSockets() <= before, 'the watch sockets to close');
  });

  it('leaves no socket behind after 10,000 connections', async () => {
    const token = await h.consoleToken({ urls: [secrets] });
    const agent = new http.Agent({ keepAlive: false, maxSockets: 50 });
    const before = tcpSockets();
    const one = (i: number) =>
      new Promise<number>((resolve, reject) => {
        // Most are refused at the gateway; every tenth goes through to the API server.
        const headers = i % 10 === 0 ? { authorization: `Bearer ${token}` } : {};
        http.get(`${h.url}/k8s${secrets}?${byName}`, { agent, headers }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        }).on('error', reject);
      });
    const statuses = new Map<number, number>();
    for (let start = 0; start < 10_000; start += 500) {
      const batch = await Promise.all(Array.from({ length: 500 }, (_, k) => one(start + k)));
      for (const status of batch) statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    expect(statuses.get(200)).toBe(1000);
    expect(statuses.get(401)).toBe(9000);
    agent.destroy();
    // The gateway keeps a few keep-alive connections to the API server on purpose; nothing grows with the count.
    await waitFor(() => tcpSockets() <= before + 8, `sockets to settle (now ${tcpSockets()}, before ${before})`);
  }, 120_000);
});
