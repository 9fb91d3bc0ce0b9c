// VM power in the app's main process, against the cluster stand-in's real RBAC:
// the operator (alice) may start, stop and restart VMs, and pause and unpause
// them, in team-a and team-b but not in kube-gateway; the viewer (bob) nowhere.
// What is offered and what is done both go through the person's own credentials.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDesktopApi, type DesktopApiImpl } from '../../main/desktop-api-impl.ts';
import type { KubeObject } from '../cluster/store.ts';
import { startCluster, type ClusterHandle } from '../cluster/server.ts';
import { waitFor } from '../support/gateway-harness.ts';
import { fakePlatform, memoryStore, rejection } from '../support/desktop-doubles.ts';

let cluster: ClusterHandle;
let api: DesktopApiImpl;
const reviews: string[] = [];

beforeAll(async () => {
  cluster = await startCluster({ log: (line) => line.includes('selfsubjectaccessreviews') && reviews.push(line) });
  api = createDesktopApi({ platform: fakePlatform(true).platform, store: memoryStore(), kubeconfigPaths: [cluster.kubeconfigPath], env: {}, loginPath: async () => undefined });
});

afterAll(async () => {
  await api?.dispose();
  await cluster?.close();
});

const printable = (vm: KubeObject | undefined) => (vm?.['status'] as { printableStatus?: string } | undefined)?.printableStatus;
const statusOf = (namespace: string, name: string) => printable(cluster.objects.get('VirtualMachine', namespace, name));

describe('vmPowerActions (what the VM details and row menu offer)', () => {
  it('offers the operator every action in team-a and team-b', async () => {
    expect(await api.vmPowerActions('operator', 'team-a', 'web-1')).toEqual(['start', 'stop', 'restart', 'pause', 'unpause']);
    expect(await api.vmPowerActions('operator', 'team-b', 'build-7')).toEqual(['start', 'stop', 'restart', 'pause', 'unpause']);
  });

  it('withholds every action from the operator in kube-gateway and from the viewer', async () => {
    expect(await api.vmPowerActions('operator', 'kube-gateway', 'testvm')).toEqual([]);
    expect(await api.vmPowerActions('viewer', 'team-a', 'web-1')).toEqual([]);
  });

  it('asks once per action and VM, then answers from memory for a while', async () => {
    const before = reviews.length;
    await api.vmPowerActions('operator', 'team-a', 'db-1');
    expect(reviews.length - before).toBe(5);
    await api.vmPowerActions('operator', 'team-a', 'db-1');
    expect(reviews.length - before).toBe(5);
  });

  it('refuses bad input before asking anything', async () => {
    const before = reviews.length;
    expect(await rejection(api.vmPowerActions('operator', 'team-a', 'a/b'))).toMatchObject({ code: 'invalid-input' });
    expect(await rejection(api.vmPowerActions('nope', 'team-a', 'web-1'))).toMatchObject({ code: 'not-found' });
    expect(reviews.length).toBe(before);
  });
});

describe('powerVm', () => {
  it('stops and starts a VM for the operator; the status follows', async () => {
    await api.powerVm('operator', 'team-a', 'web-1', 'stop');
    await waitFor(() => statusOf('team-a', 'web-1') === 'Stopped', 'web-1 stopped');
    await api.powerVm('operator', 'team-a', 'web-1', 'start');
    await waitFor(() => statusOf('team-a', 'web-1') === 'Running', 'web-1 running');
  });

  it('restarts, pauses and unpauses', async () => {
    const uid = cluster.objects.get('VirtualMachineInstance', 'team-a', 'db-1')?.metadata.uid;
    await api.powerVm('operator', 'team-a', 'db-1', 'restart');
    await waitFor(() => statusOf('team-a', 'db-1') === 'Running' && cluster.objects.get('VirtualMachineInstance', 'team-a', 'db-1')?.metadata.uid !== uid, 'db-1 restarted');
    await api.powerVm('operator', 'team-a', 'db-1', 'pause');
    await waitFor(() => statusOf('team-a', 'db-1') === 'Paused', 'db-1 paused');
    await api.powerVm('operator', 'team-a', 'db-1', 'unpause');
    await waitFor(() => statusOf('team-a', 'db-1') === 'Running', 'db-1 unpaused');
  });

  it('says in words why the API server refused, and leaves the VM alone', async () => {
    const error = await rejection(api.powerVm('operator', 'kube-gateway', 'testvm', 'stop'));
    expect(error).toMatchObject({ code: 'forbidden', context: 'operator' });
    expect(error.message).toMatch(/^You may not stop testvm in kube-gateway \(context "operator"\)\./);
    expect(await rejection(api.powerVm('viewer', 'team-a', 'web-1', 'restart'))).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/^You may not restart web-1 in team-a/) });
    expect(statusOf('kube-gateway', 'testvm')).toBe('Running');
  });

  it('says in words what KubeVirt refuses: a stopped VM cannot be stopped, restarted or paused', async () => {
    const stop = await rejection(api.powerVm('operator', 'team-b', 'build-7', 'stop'));
    expect(stop).toMatchObject({ code: 'unsupported' });
    expect(stop.message).toMatch(/^The VM build-7 is not running, so it cannot be stopped\. KubeVirt said: .*VM is not running/);
    expect((await rejection(api.powerVm('operator', 'team-b', 'build-7', 'restart'))).message).toMatch(/^The VM build-7 is not running, so it cannot be restarted\./);
    expect((await rejection(api.powerVm('operator', 'team-b', 'build-7', 'pause'))).message).toMatch(/^The VM build-7 is not running, so it cannot be paused\./);
    expect((await rejection(api.powerVm('operator', 'team-a', 'web-1', 'start'))).message).toMatch(/^The VM web-1 is already running\./);
  });

  it('refuses an action that is not one of the five', async () => {
    expect(await rejection(api.powerVm('operator', 'team-a', 'web-1', 'reset' as never))).toMatchObject({ code: 'invalid-input' });
  });
});
