import { describe, expect, it } from 'vitest';
import type { ApiCall, Upstream } from '../upstream.ts';
import { microTime } from '../gatetoken/lease.ts';
import { claimSpec, consoleLeaseName, ConsoleLeaseError, kubeConsoleLeases, liveHolder } from './console-lease.ts';

const now = Date.parse('2026-12-05T20:00:00Z');

describe('console Leases', () => {
  it('names the Lease after the console kind and the VMI, so an operator finds it by namespace and name', () => {
    expect(consoleLeaseName('serial', 'team-a', 'web-1')).toBe('gatepass-serial.team-a.web-1');
    expect(consoleLeaseName('vnc', 'team-a', 'web-1')).toBe('gatepass-vnc.team-a.web-1');
  });

  it('sees a holder only while the Lease was renewed within its duration', () => {
    const spec = { holderIdentity: 'gw-b', leaseDurationSeconds: 30, renewTime: microTime(now - 29_000) };
    expect(liveHolder(spec, now)).toBe('gw-b');
    expect(liveHolder({ ...spec, renewTime: microTime(now - 30_000) }, now)).toBeUndefined();
    expect(liveHolder({ ...spec, holderIdentity: '' }, now)).toBeUndefined();
    expect(liveHolder({ ...spec, renewTime: 'not a time' }, now)).toBeUndefined();
  });

  it('keeps its own acquire time on renewal and counts a transition when it takes the Lease from another replica', () => {
    const taken = claimSpec('gw-a', now, 30_000, { holderIdentity: 'gw-b', acquireTime: microTime(now - 60_000), leaseTransitions: 2 });
    expect(taken).toEqual({ holderIdentity: 'gw-a', leaseDurationSeconds: 30, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 3 });
    const renewed = claimSpec('gw-a', now + 10_000, 30_000, taken);
    expect(renewed.acquireTime).toBe(taken.acquireTime);
    expect(renewed.renewTime).toBe(microTime(now + 10_000));
    expect(renewed.leaseTransitions).toBe(3);
    expect(claimSpec('gw-a', now, 30_000).leaseTransitions).toBe(0);
  });
});

describe('the Lease API client', () => {
  function fakeUpstream(answers: Array<{ status: number; body?: unknown }>, kind: 'serial' | 'vnc' = 'serial') {
    const calls: ApiCall[] = [];
    const upstream = {
      call: async (call: ApiCall) => {
        calls.push(call);
        const next = answers.shift() ?? { status: 500 };
        return { status: next.status, body: JSON.stringify(next.body ?? {}) };
      },
    } as unknown as Upstream;
    const leases = kubeConsoleLeases(upstream, { kind, namespace: 'kube-gateway', identity: 'gw-a', servingAddress: () => '10.0.0.7:8080', pod: 'kube-gateway/gw-a', durationMs: 30_000, now: () => now });
    return { calls, leases };
  }
  const lease = (holder: string, resourceVersion: string) => ({ metadata: { resourceVersion }, spec: { holderIdentity: holder } });

  it('creates a missing Lease in the gateway namespace, labelled and annotated with this replica’s address', async () => {
    const { calls, leases } = fakeUpstream([{ status: 404 }, { status: 201, body: lease('gw-a', '5') }]);
    expect(await leases.read('team-a', 'web-1')).toBeUndefined();
    expect(await leases.take('team-a', 'web-1', undefined)).toEqual({ spec: { holderIdentity: 'gw-a' }, resourceVersion: '5' });
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /apis/coordination.k8s.io/v1/namespaces/kube-gateway/leases/gatepass-serial.team-a.web-1',
      'POST /apis/coordination.k8s.io/v1/namespaces/kube-gateway/leases',
    ]);
    const body = calls[1]!.body as { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: { holderIdentity: string } };
    expect(body.metadata.labels['gatepass.io/kind']).toBe('serial-console');
    expect(body.metadata.annotations).toEqual({ 'gatepass.io/serving-address': '10.0.0.7:8080', 'gatepass.io/vmi': 'team-a/web-1', 'gatepass.io/pod': 'kube-gateway/gw-a' });
    expect(body.spec.holderIdentity).toBe('gw-a');
  });

  it('keeps a VNC console’s Lease apart from the serial one', async () => {
    const { calls, leases } = fakeUpstream([{ status: 404 }, { status: 201, body: lease('gw-a', '5') }], 'vnc');
    await leases.take('team-a', 'web-1', await leases.read('team-a', 'web-1'));
    expect(calls[0]!.path).toBe('/apis/coordination.k8s.io/v1/namespaces/kube-gateway/leases/gatepass-vnc.team-a.web-1');
    expect((calls[1]!.body as { metadata: { labels: Record<string, string> } }).metadata.labels['gatepass.io/kind']).toBe('vnc-console');
  });

  it('reads where the holder serves, for viewers to be forwarded there', async () => {
    const held = { ...lease('gw-b', '6'), metadata: { resourceVersion: '6', annotations: { 'gatepass.io/serving-address': '10.0.0.8:8080' } } };
    const { leases } = fakeUpstream([{ status: 200, body: held }, { status: 200, body: lease('gw-c', '7') }]);
    expect(await leases.read('team-a', 'web-1')).toEqual({ spec: { holderIdentity: 'gw-b' }, resourceVersion: '6', servingAddress: '10.0.0.8:8080' });
    expect((await leases.read('team-a', 'web-1'))?.servingAddress).toBeUndefined();
  });

  it('asks for the serving address at each write: the port is known only once the gateway listens', async () => {
    let address = '10.0.0.7:0';
    const upstream = {
      call: async (call: ApiCall) => ({ status: 201, body: JSON.stringify({ metadata: { resourceVersion: '1', annotations: (call.body as { metadata: { annotations: unknown } }).metadata.annotations }, spec: {} }) }),
    } as unknown as Upstream;
    const leases = kubeConsoleLeases(upstream, { kind: 'serial', namespace: 'kube-gateway', identity: 'gw-a', servingAddress: () => address, durationMs: 30_000 });
    address = '10.0.0.7:8443';
    const taken = await leases.take('team-a', 'web-1', undefined);
    expect(taken !== 'conflict' && taken.servingAddress).toBe('10.0.0.7:8443');
  });

  it('takes over at the version it read, and reports a lost race as a conflict', async () => {
    const { calls, leases } = fakeUpstream([{ status: 409 }, { status: 409 }]);
    expect(await leases.take('team-a', 'web-1', { spec: { holderIdentity: 'gw-b' }, resourceVersion: '7' })).toBe('conflict');
    expect((calls[0]!.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion).toBe('7');
    expect(await leases.renew('team-a', 'web-1', { spec: { holderIdentity: 'gw-a' }, resourceVersion: '8' })).toBe('lost');
  });

  it('deletes only the version it wrote, and takes a 409 as another replica’s Lease now', async () => {
    const { calls, leases } = fakeUpstream([{ status: 200 }, { status: 409 }, { status: 403 }]);
    await leases.release('team-a', 'web-1', { spec: {}, resourceVersion: '9' });
    await leases.release('team-a', 'web-1', { spec: {}, resourceVersion: '9' });
    expect(calls[0]!.body).toEqual({ apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion: '9' } });
    await expect(leases.release('team-a', 'web-1', { spec: {}, resourceVersion: '9' })).rejects.toThrow(ConsoleLeaseError);
  });

  it('turns any other answer into an error that names the status', async () => {
    const { leases } = fakeUpstream([{ status: 403 }]);
    await expect(leases.read('team-a', 'web-1')).rejects.toThrow('the Lease API answered HTTP 403');
  });
});
