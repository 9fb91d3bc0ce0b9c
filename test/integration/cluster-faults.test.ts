import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterRequest } from '../cluster/client.ts';
import { defaultFixture } from '../cluster/default-fixture.ts';
import { FaultInjector } from '../cluster/faults.ts';
import { startCluster } from '../cluster/server.ts';
import type { ClusterHandle } from '../cluster/server.ts';

let cluster: ClusterHandle;
const VMS = '/apis/kubevirt.io/v1/virtualmachines';
const get = (path: string) => clusterRequest(cluster, { context: 'operator', path });

beforeAll(async () => {
  const fixture = await defaultFixture();
  cluster = await startCluster({ fixture: { ...fixture, faults: [{ path: '/api/v1/namespaces/kube-gateway/configmaps', status: 503, times: 1 }] } });
});

afterAll(async () => {
  await cluster?.close();
});

describe('fault injection', () => {
  it('applies a fault rule from the fixture, then retires it after `times`', async () => {
    const path = '/api/v1/namespaces/kube-gateway/configmaps/gatepass';
    const failed = await get(path);
    expect(failed.status).toBe(503);
    expect(failed.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'ServiceUnavailable', code: 503 });
    expect((await get(path)).status).toBe(200);
  });

  it('delays matching requests by latencyMs', async () => {
    cluster.faults.add({ path: VMS, latencyMs: 300, times: 1 });
    const started = Date.now();
    expect((await get(VMS)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    const again = Date.now();
    await get(VMS);
    expect(Date.now() - again).toBeLessThan(250);
  });

  it('drops the connection, matching by regex and method', async () => {
    const id = cluster.faults.add({ pathRegex: '^/apis/kubevirt\\.io/v1/namespaces/[^/]+/virtualmachines$', method: 'GET', drop: true });
    await expect(get('/apis/kubevirt.io/v1/namespaces/team-a/virtualmachines')).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect((await get(VMS)).status).toBe(200);
    cluster.faults.clear(id);
    expect((await get('/apis/kubevirt.io/v1/namespaces/team-a/virtualmachines')).status).toBe(200);
  });

  it('fails websocket upgrades too', async () => {
    cluster.faults.add({ path: '/apis/subresources.kubevirt.io/', status: 500, message: 'console backend exploded', times: 1 });
    const r = await clusterRequest(cluster, {
      context: 'gateway', path: '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/vnc',
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol': 'plain.kubevirt.io' },
    });
    expect(r.status).toBe(500);
    expect(r.json).toMatchObject({ message: 'console backend exploded' });
  });

  it('clears every rule at once', async () => {
    cluster.faults.add({ status: 502 });
    expect((await get(VMS)).status).toBe(502);
    cluster.faults.clear();
    expect((await get(VMS)).status).toBe(200);
  });

  it('rejects malformed rules with a clear message', () => {
    const faults = new FaultInjector();
    expect(() => faults.add({ path: '/x' })).toThrow('a fault rule needs at least one of latencyMs, status or drop');
    expect(() => faults.add({ pathRegex: '(', status: 500 })).toThrow(/not a valid regular expression/);
    expect(() => faults.add({ status: 42 })).toThrow('fault rule status must be an HTTP status code, got 42');
    expect(() => faults.add({ status: 500, times: 0 })).toThrow(/positive integer/);
  });
});
