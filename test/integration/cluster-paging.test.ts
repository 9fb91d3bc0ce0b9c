// Paged lists against the stand-in, as the API server pages them: every page
// served from the first page's snapshot with its resourceVersion, 410 Expired
// for a continue token the history no longer reaches, and the app's inventory
// streaming those pages while VMs change underneath it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InventoryEvent, VmRow } from '../../shared/desktop-api.ts';
import { vmListPath } from '../../shared/kubevirt-paths.ts';
import { startInventory } from '../../main/services/inventory.ts';
import { createKubeClient } from '../../main/services/kube-client.ts';
import { createKubeconfigService } from '../../main/services/kubeconfig.ts';
import { clusterRequest } from '../cluster/client.ts';
import { generateFixture } from '../cluster/default-fixture.ts';
import { startCluster, type ClusterHandle } from '../cluster/server.ts';
import { waitFor } from '../support/gateway-harness.ts';

interface Page {
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: { metadata: { namespace: string; name: string; resourceVersion: string } }[];
}

const VMS = 600;
let cluster: ClusterHandle;

beforeAll(async () => {
  cluster = await startCluster({ fixture: await generateFixture({ vms: VMS, namespaces: 6 }), watchHistory: 40 });
});

afterAll(async () => {
  await cluster?.close();
});

async function page(query: string): Promise<Page> {
  const response = await clusterRequest(cluster, { context: 'operator', path: `${vmListPath()}?${query}` });
  expect(response.status, response.text).toBe(200);
  return response.json as Page;
}

const vm = (namespace: string, name: string) => ({ apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachine', metadata: { name, namespace }, spec: { runStrategy: 'Halted' } });
const idsOf = (p: Page) => p.items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);

describe('the stand-in pages lists like the API server', () => {
  it('serves every page from the first page’s snapshot, with its resourceVersion', async () => {
    const first = await page('limit=100');
    expect(first.items).toHaveLength(100);
    expect(first.metadata.remainingItemCount).toBe(VMS + 4 - 100);
    const onLastPage = cluster.objects.list('VirtualMachine').at(-1)!;
    cluster.objects.delete('VirtualMachine', onLastPage.metadata.namespace, onLastPage.metadata.name);
    cluster.objects.put(vm('team-a', 'added-while-paging'));

    const seen = idsOf(first);
    let token = first.metadata.continue;
    while (token) {
      const next = await page(`limit=200&continue=${encodeURIComponent(token)}`);
      expect(next.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
      seen.push(...idsOf(next));
      token = next.metadata.continue;
    }
    expect(seen).toHaveLength(VMS + 4);
    expect(new Set(seen).size).toBe(VMS + 4);
    expect(seen).toContain(`${onLastPage.metadata.namespace}/${onLastPage.metadata.name}`);
    expect(seen).not.toContain('team-a/added-while-paging');
    cluster.objects.put(onLastPage);
    cluster.objects.delete('VirtualMachine', 'team-a', 'added-while-paging');
  });

  it('answers 410 Expired for a continue token older than the history, and 400 for one with a resourceVersion', async () => {
    const first = await page('limit=50');
    const token = encodeURIComponent(first.metadata.continue!);
    expect((await clusterRequest(cluster, { context: 'operator', path: `${vmListPath()}?limit=50&continue=${token}&resourceVersion=5` })).status).toBe(400);
    for (let i = 0; i < 60; i++) cluster.objects.put(vm('team-a', `churn-${i}`));
    const stale = await clusterRequest(cluster, { context: 'operator', path: `${vmListPath()}?limit=50&continue=${token}` });
    expect(stale.status).toBe(410);
    expect(stale.json).toMatchObject({ kind: 'Status', reason: 'Expired', message: expect.stringContaining('continue parameter is too old') });
    for (let i = 0; i < 60; i++) cluster.objects.delete('VirtualMachine', 'team-a', `churn-${i}`);
  });
});

describe('the inventory over paged lists', () => {
  it('shows the first page at once and ends exact, with changes made while paging', async () => {
    const client = createKubeClient(createKubeconfigService({ paths: [cluster.kubeconfigPath] }).entry('operator'), { env: {}, loginPath: async () => undefined });
    // Slow pages, so the changes below land between pages.
    const slow = cluster.faults.add({ path: vmListPath(), method: 'GET', latencyMs: 20 });
    const events: InventoryEvent[] = [];
    const rows = new Map<string, VmRow>();
    let state = '';
    const inventory = startInventory(client, (event) => {
      events.push(event);
      if (event.kind === 'reset') {
        rows.clear();
        for (const row of event.rows) rows.set(row.key, row);
        // Between the first page and the rest: one VM stops, one goes, one comes.
        cluster.setVmRunning('bench-000', 'vm-00000', false);
        cluster.objects.delete('VirtualMachine', 'bench-005', 'vm-00599');
        cluster.objects.put(vm('bench-001', 'vm-late'));
      } else if (event.kind === 'upsert') for (const row of event.rows) rows.set(row.key, row);
      else if (event.kind === 'remove') for (const key of event.keys) rows.delete(key);
      else state = event.state;
    }, { batchMs: 20, pageSizes: { first: 100, rest: 200 } });
    try {
      await waitFor(() => state === 'live', 'every page listed');
      const reset = events.find((e) => e.kind === 'reset');
      expect(reset?.kind === 'reset' && reset.rows.length).toBe(100);
      expect(events.filter((e) => e.kind === 'state').map((e) => e.kind === 'state' && e.state)).toEqual(['loading', 'live']);
      await waitFor(() => rows.get('bench-000/vm-00000')?.status === 'Stopped' && !rows.has('bench-005/vm-00599') && rows.has('bench-001/vm-late'), 'the changes made while paging');
      expect(rows.size).toBe(VMS + 4);
      expect(new Map(inventory.rows().map((row) => [row.key, row]))).toEqual(rows);
    } finally {
      inventory.stop();
      cluster.faults.clear(slow);
    }
  });
});
