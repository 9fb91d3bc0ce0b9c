import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig, Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterRequest } from '../cluster/client.ts';
import { generateFixture } from '../cluster/default-fixture.ts';
import { startCluster } from '../cluster/server.ts';
import { waitFor } from '../support/gateway-harness.ts';
import type { ClusterHandle } from '../cluster/server.ts';

let cluster: ClusterHandle;

beforeAll(async () => {
  cluster = await startCluster({ fixture: await generateFixture({ vms: 120, namespaces: 7 }) });
});

afterAll(async () => {
  await cluster?.close();
});

function kubeConfig(context: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  kc.setCurrentContext(context);
  return kc;
}

interface VmList {
  metadata: { continue?: string; resourceVersion: string; remainingItemCount?: number };
  items: { metadata: { namespace: string; name: string } }[];
}

async function expectApiError(promise: Promise<unknown>, code: number): Promise<ApiException<string>> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ApiException);
  expect((error as ApiException<string>).code).toBe(code);
  return error as ApiException<string>;
}

describe('@kubernetes/client-node against the stand-in', () => {
  it('pages through all VMs with limit and continue', async () => {
    const api = kubeConfig('operator').makeApiClient(CustomObjectsApi);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = (await api.listClusterCustomObject({ group: 'kubevirt.io', version: 'v1', plural: 'virtualmachines', limit: 50, ...(token ? { _continue: token } : {}) })) as VmList;
      seen.push(...page.items.map((vm) => `${vm.metadata.namespace}/${vm.metadata.name}`));
      token = page.metadata.continue;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(124);
    expect(new Set(seen).size).toBe(124);
    expect(seen).toContain('team-a/web-1');
  });

  it('lists one namespace with a label selector', async () => {
    const api = kubeConfig('operator').makeApiClient(CustomObjectsApi);
    const list = (await api.listNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: 'bench-003', plural: 'virtualmachines', labelSelector: 'app=app-3' })) as VmList;
    expect(list.items.length).toBeGreaterThan(0);
    for (const vm of list.items) expect(vm.metadata.namespace).toBe('bench-003');
  });

  it('delivers a watch event when a VM is stopped through the stop subresource', async () => {
    const kc = kubeConfig('operator');
    const api = kc.makeApiClient(CustomObjectsApi);
    const list = (await api.listNamespacedCustomObject({ group: 'kubevirt.io', version: 'v1', namespace: 'team-a', plural: 'virtualmachines' })) as VmList;
    const events: { type: string; name: string; status?: string }[] = [];
    const stopped = new Promise<void>((resolve, reject) => {
      void new Watch(kc).watch(
        '/apis/kubevirt.io/v1/namespaces/team-a/virtualmachines',
        { resourceVersion: list.metadata.resourceVersion },
        (type, obj: { metadata: { name: string }; status?: { printableStatus?: string } }) => {
          events.push({ type, name: obj.metadata.name, ...(obj.status?.printableStatus ? { status: obj.status.printableStatus } : {}) });
          if (obj.status?.printableStatus === 'Stopped') resolve();
        },
        (err: unknown) => (err ? reject(err as Error) : undefined),
      ).then((controller) => stopped.finally(() => controller.abort()));
    });
    // The viewer may not stop VMs; the admin (client certificate) may.
    const denied = await clusterRequest(cluster, { context: 'viewer', method: 'PUT', path: '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachines/db-1/stop', body: {} });
    expect(denied.status).toBe(403);
    const stop = await clusterRequest(cluster, { context: 'admin', method: 'PUT', path: '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachines/db-1/stop', body: {} });
    expect(stop.status).toBe(202);
    await stopped;
    expect(events.every((e) => e.name === 'db-1')).toBe(true);
    expect(events.at(-1)).toEqual({ type: 'MODIFIED', name: 'db-1', status: 'Stopped' });
    expect(cluster.objects.get('VirtualMachineInstance', 'team-a', 'db-1')).toBeUndefined();
    const again = await clusterRequest(cluster, { context: 'admin', method: 'PUT', path: '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachines/db-1/stop', body: {} });
    expect(again.status).toBe(409);
    const start = await clusterRequest(cluster, { context: 'admin', method: 'PUT', path: '/apis/subresources.kubevirt.io/v1alpha3/namespaces/team-a/virtualmachines/db-1/start', body: {} });
    expect(start.status).toBe(202);
    // Starting, then Running a step later.
    await waitFor(() => (cluster.objects.get('VirtualMachineInstance', 'team-a', 'db-1')?.['status'] as { phase?: string } | undefined)?.phase === 'Running', 'db-1 running again');
    expect(cluster.objects.get('VirtualMachineInstance', 'team-a', 'db-1')?.['status']).toMatchObject({ phase: 'Running', nodeName: 'node-2' });
  });

  it('reads secrets with CoreV1Api as RBAC allows', async () => {
    const operator = kubeConfig('operator').makeApiClient(CoreV1Api);
    const secret = await operator.readNamespacedSecret({ name: 'kube-gateway-jwt-private', namespace: 'kube-gateway' });
    expect(Buffer.from(secret.data!['tls.key']!, 'base64').toString()).toContain('-----BEGIN RSA PRIVATE KEY-----');
    const denied = await expectApiError(operator.readNamespacedSecret({ name: 'kube-gateway-jwt', namespace: 'kube-gateway' }), 403);
    expect(JSON.parse(denied.body)).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
    const gateway = kubeConfig('gateway').makeApiClient(CoreV1Api);
    const pub = await gateway.readNamespacedSecret({ name: 'kube-gateway-jwt', namespace: 'kube-gateway' });
    expect(Buffer.from(pub.data!['tls.crt']!, 'base64').toString()).toMatch(/^-----BEGIN CERTIFICATE-----/);
    const configMap = await operator.readNamespacedConfigMap({ name: 'gatepass', namespace: 'kube-gateway' });
    expect(configMap.metadata?.name).toBe('gatepass');
  });

  it('answers 409 to a stale update and to a duplicate create', async () => {
    const admin = kubeConfig('admin').makeApiClient(CoreV1Api);
    const created = await admin.createNamespacedConfigMap({ namespace: 'team-b', body: { metadata: { name: 'settings' }, data: { a: '1' } } });
    await expectApiError(admin.createNamespacedConfigMap({ namespace: 'team-b', body: { metadata: { name: 'settings' } } }), 409);
    const updated = await admin.replaceNamespacedConfigMap({ name: 'settings', namespace: 'team-b', body: { ...created, data: { a: '2' } } });
    expect(Number(updated.metadata!.resourceVersion)).toBeGreaterThan(Number(created.metadata!.resourceVersion));
    const stale = await expectApiError(admin.replaceNamespacedConfigMap({ name: 'settings', namespace: 'team-b', body: { ...created, data: { a: '3' } } }), 409);
    expect(JSON.parse(stale.body)).toMatchObject({ reason: 'Conflict', message: expect.stringContaining('the object has been modified') as unknown });
    const read = await admin.readNamespacedConfigMap({ name: 'settings', namespace: 'team-b' });
    expect(read.data).toEqual({ a: '2' });
  });

  it('deletes only at the uid and resourceVersion a DeleteOptions precondition names', async () => {
    const admin = kubeConfig('admin').makeApiClient(CoreV1Api);
    const created = await admin.createNamespacedConfigMap({ namespace: 'team-b', body: { metadata: { name: 'counter' }, data: { uses: '1' } } });
    const updated = await admin.replaceNamespacedConfigMap({ name: 'counter', namespace: 'team-b', body: { ...created, data: { uses: '2' } } });
    const stale = await expectApiError(admin.deleteNamespacedConfigMap({ name: 'counter', namespace: 'team-b', body: { preconditions: { resourceVersion: created.metadata!.resourceVersion! } } }), 409);
    expect(JSON.parse(stale.body)).toMatchObject({ reason: 'Conflict', message: expect.stringContaining('Precondition failed: ResourceVersion in precondition') as unknown });
    await expectApiError(admin.deleteNamespacedConfigMap({ name: 'counter', namespace: 'team-b', body: { preconditions: { uid: 'another-object' } } }), 409);
    expect((await admin.readNamespacedConfigMap({ name: 'counter', namespace: 'team-b' })).data).toEqual({ uses: '2' });
    await admin.deleteNamespacedConfigMap({ name: 'counter', namespace: 'team-b', body: { preconditions: { uid: updated.metadata!.uid!, resourceVersion: updated.metadata!.resourceVersion! } } });
    await expectApiError(admin.readNamespacedConfigMap({ name: 'counter', namespace: 'team-b' }), 404);
  });

  it('rejects an unknown token with 401', async () => {
    const kc = kubeConfig('viewer');
    kc.users = kc.users.map((u) => (u.name === 'viewer' ? { ...u, token: 'forged' } : u));
    await expectApiError(kc.makeApiClient(CustomObjectsApi).listClusterCustomObject({ group: 'kubevirt.io', version: 'v1', plural: 'virtualmachines' }), 401);
    // client-node drops the body of a 401, so read it raw.
    const raw = await clusterRequest(cluster, { token: 'forged', path: '/apis/kubevirt.io/v1/virtualmachines' });
    expect(raw.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  });
});
