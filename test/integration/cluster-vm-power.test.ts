// The stand-in's KubeVirt power subresources: start, stop and restart on a VM,
// pause and unpause on its VMI, with the status transitions KubeVirt shows on
// the way, KubeVirt's refusals, and the default fixture's RBAC (the operator
// may in team-a and team-b, not in kube-gateway; the viewer nowhere).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterRequest } from '../cluster/client.ts';
import { VM_KEY, VMI_KEY } from '../cluster/kubevirt.ts';
import { startCluster } from '../cluster/server.ts';
import type { ClusterHandle } from '../cluster/server.ts';
import type { KubeObject, StoreEvent } from '../cluster/store.ts';
import { waitFor } from '../support/gateway-harness.ts';

let cluster: ClusterHandle;

beforeAll(async () => {
  cluster = await startCluster();
});

afterAll(async () => {
  await cluster?.close();
});

const vmPower = (namespace: string, name: string, action: string) => `/apis/subresources.kubevirt.io/v1/namespaces/${namespace}/virtualmachines/${name}/${action}`;
const vmiPower = (namespace: string, name: string, action: string) => `/apis/subresources.kubevirt.io/v1/namespaces/${namespace}/virtualmachineinstances/${name}/${action}`;

const put = (context: string, path: string) => clusterRequest(cluster, { context, method: 'PUT', path, body: {} });

const printable = (vm: KubeObject | undefined) => (vm?.['status'] as { printableStatus?: string } | undefined)?.printableStatus;
const phase = (vmi: KubeObject | undefined) => (vmi?.['status'] as { phase?: string } | undefined)?.phase;
const conditions = (object: KubeObject | undefined) => ((object?.['status'] as { conditions?: { type: string; status: string; reason?: string }[] } | undefined)?.conditions ?? []);

/** Every status the VM showed and every VMI change, in order, while `run` and the transition that follows happen. */
async function record(namespace: string, name: string, run: () => Promise<void>, until: () => boolean) {
  // Only changes count: the spec write that starts an action still carries the old status.
  let last = printable(cluster.objects.get('VirtualMachine', namespace, name));
  const statuses: string[] = [];
  const vmis: Array<{ type: string; phase?: string; uid?: string; deleting: boolean }> = [];
  const subscription = cluster.store.onChange((e: StoreEvent) => {
    if (e.object.metadata.namespace !== namespace || e.object.metadata.name !== name) return;
    if (e.key === VM_KEY) {
      const status = printable(e.object);
      if (status !== undefined && status !== last) statuses.push(status);
      last = status;
    }
    if (e.key === VMI_KEY) {
      vmis.push({ type: e.type, ...(phase(e.object) ? { phase: phase(e.object)! } : {}), ...(e.object.metadata.uid ? { uid: e.object.metadata.uid } : {}), deleting: e.object.metadata['deletionTimestamp'] !== undefined });
    }
  });
  try {
    await run();
    await waitFor(until, `${namespace}/${name} to settle`);
  } finally {
    subscription.stop();
  }
  return { statuses, vmis };
}

const vm = (namespace: string, name: string) => cluster.objects.get('VirtualMachine', namespace, name);
const vmi = (namespace: string, name: string) => cluster.objects.get('VirtualMachineInstance', namespace, name);

describe('start and stop', () => {
  it('starts a stopped VM through Starting (a VMI being scheduled) to Running', async () => {
    const seen = await record('team-b', 'build-7', async () => {
      expect((await put('operator', vmPower('team-b', 'build-7', 'start'))).status).toBe(202);
    }, () => printable(vm('team-b', 'build-7')) === 'Running');
    expect(seen.statuses).toEqual(['Starting', 'Running']);
    expect(seen.vmis.map((v) => `${v.type} ${v.phase}`)).toEqual(['ADDED Scheduling', 'MODIFIED Running']);
    expect(vm('team-b', 'build-7')?.['status']).toMatchObject({ printableStatus: 'Running', ready: true });
    expect(vmi('team-b', 'build-7')?.['status']).toMatchObject({ phase: 'Running', nodeName: 'node-2' });
  });

  it('refuses to start a running VM as KubeVirt does (409)', async () => {
    const again = await put('operator', vmPower('team-b', 'build-7', 'start'));
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ kind: 'Status', reason: 'Conflict', message: 'Operation cannot be fulfilled on virtualmachine.kubevirt.io "build-7": VM is already running' });
  });

  it('stops a running VM through Stopping (the VMI being deleted) to Stopped', async () => {
    const seen = await record('team-b', 'build-7', async () => {
      expect((await put('operator', vmPower('team-b', 'build-7', 'stop'))).status).toBe(202);
    }, () => printable(vm('team-b', 'build-7')) === 'Stopped');
    expect(seen.statuses).toEqual(['Stopping', 'Stopped']);
    expect(seen.vmis.map((v) => `${v.type}${v.deleting ? ' deleting' : ''}`)).toEqual(['MODIFIED deleting', 'DELETED deleting']);
    expect(vmi('team-b', 'build-7')).toBeUndefined();
  });

  it('refuses to stop a stopped VM (409 "VM is not running")', async () => {
    const again = await put('operator', vmPower('team-b', 'build-7', 'stop'));
    expect(again.status).toBe(409);
    expect((again.json as { message: string }).message).toContain('VM is not running');
  });

  it('lets a stop replace a start under way, as KubeVirt does', async () => {
    const slow = await startCluster({ vmStepMs: 300 });
    try {
      const request = (action: string) => clusterRequest(slow, { context: 'operator', method: 'PUT', path: vmPower('team-b', 'build-7', action), body: {} });
      expect((await request('start')).status).toBe(202);
      expect(printable(slow.objects.get('VirtualMachine', 'team-b', 'build-7'))).toBe('Starting');
      expect(phase(slow.objects.get('VirtualMachineInstance', 'team-b', 'build-7'))).toBe('Scheduling');
      expect((await request('stop')).status).toBe(202);
      expect(printable(slow.objects.get('VirtualMachine', 'team-b', 'build-7'))).toBe('Stopping');
      await waitFor(() => printable(slow.objects.get('VirtualMachine', 'team-b', 'build-7')) === 'Stopped', 'the stop to finish');
      expect(slow.objects.get('VirtualMachineInstance', 'team-b', 'build-7')).toBeUndefined();
      // The start's later steps were dropped: it stays stopped.
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(printable(slow.objects.get('VirtualMachine', 'team-b', 'build-7'))).toBe('Stopped');
    } finally {
      await slow.close();
    }
  });
});

describe('restart', () => {
  it('replaces the VMI with a new one (new uid): Stopping, Starting, Running', async () => {
    const before = vmi('team-a', 'web-1')?.metadata.uid;
    expect(before).toBeDefined();
    const seen = await record('team-a', 'web-1', async () => {
      expect((await put('operator', vmPower('team-a', 'web-1', 'restart'))).status).toBe(202);
    }, () => printable(vm('team-a', 'web-1')) === 'Running' && vmi('team-a', 'web-1')?.metadata.uid !== before);
    expect(seen.statuses).toEqual(['Stopping', 'Starting', 'Running']);
    expect(seen.vmis.map((v) => v.type)).toEqual(['MODIFIED', 'DELETED', 'ADDED', 'MODIFIED']);
    const after = vmi('team-a', 'web-1');
    expect(after?.metadata.uid).not.toBe(before);
    expect(phase(after)).toBe('Running');
    expect(vm('team-a', 'web-1')?.['spec']).toMatchObject({ runStrategy: 'Always' });
  });

  it('refuses to restart a stopped VM', async () => {
    const refused = await put('operator', vmPower('team-b', 'build-7', 'restart'));
    expect(refused.status).toBe(409);
    expect((refused.json as { message: string }).message).toContain('does not support manual restart requests');
  });
});

describe('pause and unpause', () => {
  it('pauses a running VMI: condition Paused, VM status Paused; the VMI keeps running', async () => {
    const seen = await record('team-a', 'db-1', async () => {
      expect((await put('operator', vmiPower('team-a', 'db-1', 'pause'))).status).toBe(200);
    }, () => printable(vm('team-a', 'db-1')) === 'Paused');
    expect(seen.statuses).toEqual(['Paused']);
    expect(conditions(vmi('team-a', 'db-1'))).toContainEqual(expect.objectContaining({ type: 'Paused', status: 'True', reason: 'PausedByUser' }));
    expect(phase(vmi('team-a', 'db-1'))).toBe('Running');
    expect(conditions(vm('team-a', 'db-1'))).toContainEqual(expect.objectContaining({ type: 'Paused', status: 'True' }));
  });

  it('refuses to pause a paused VMI', async () => {
    const again = await put('operator', vmiPower('team-a', 'db-1', 'pause'));
    expect(again.status).toBe(409);
    expect((again.json as { message: string }).message).toBe('Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "db-1": VMI is already paused');
  });

  it('unpauses: the condition goes, the VM is Running again', async () => {
    const seen = await record('team-a', 'db-1', async () => {
      expect((await put('operator', vmiPower('team-a', 'db-1', 'unpause'))).status).toBe(200);
    }, () => printable(vm('team-a', 'db-1')) === 'Running');
    expect(seen.statuses).toEqual(['Running']);
    expect(conditions(vmi('team-a', 'db-1')).some((c) => c.type === 'Paused')).toBe(false);
  });

  it('refuses to unpause a VMI that is not paused, and to pause one that does not exist', async () => {
    const notPaused = await put('operator', vmiPower('team-a', 'db-1', 'unpause'));
    expect(notPaused.status).toBe(409);
    expect((notPaused.json as { message: string }).message).toContain('VMI is not paused');
    const noVmi = await put('operator', vmiPower('team-b', 'build-7', 'pause'));
    expect(noVmi.status).toBe(404);
    expect((noVmi.json as { message: string }).message).toBe('virtualmachineinstances.kubevirt.io "build-7" not found');
  });
});

describe('RBAC of the default fixture', () => {
  it('lets the operator act in team-a and team-b but not in kube-gateway, and the viewer nowhere', async () => {
    const forbidden = await put('operator', vmPower('kube-gateway', 'testvm', 'stop'));
    expect(forbidden.status).toBe(403);
    expect((forbidden.json as { message: string }).message).toBe(
      'virtualmachines.subresources.kubevirt.io "testvm" is forbidden: User "alice" cannot update resource "virtualmachines/stop" in API group "subresources.kubevirt.io" in the namespace "kube-gateway"',
    );
    expect((await put('operator', vmiPower('kube-gateway', 'testvm', 'pause'))).status).toBe(403);
    for (const action of ['start', 'stop', 'restart']) {
      expect((await put('viewer', vmPower('team-a', 'web-1', action))).status).toBe(403);
    }
    expect((await put('viewer', vmiPower('team-a', 'web-1', 'pause'))).status).toBe(403);
    expect(printable(vm('kube-gateway', 'testvm'))).toBe('Running');
  });

  it('answers SelfSubjectAccessReviews the same way', async () => {
    const ask = async (context: string, namespace: string, resource: string, subresource: string) => {
      const review = await clusterRequest(cluster, {
        context, method: 'POST', path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace, verb: 'update', group: 'subresources.kubevirt.io', resource, subresource, name: 'x' } } },
      });
      return (review.json as { status: { allowed: boolean } }).status.allowed;
    };
    expect(await ask('operator', 'team-a', 'virtualmachines', 'restart')).toBe(true);
    expect(await ask('operator', 'team-b', 'virtualmachineinstances', 'unpause')).toBe(true);
    expect(await ask('operator', 'kube-gateway', 'virtualmachines', 'start')).toBe(false);
    expect(await ask('viewer', 'team-a', 'virtualmachines', 'start')).toBe(false);
  });
});
