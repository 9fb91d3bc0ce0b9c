import { describe, expect, it } from 'vitest';
import type { InventoryEvent, VmRow } from '../../shared/desktop-api.ts';
import { startInventory } from './inventory.ts';
import type { KubeClient, KubeObject, WatchEvent } from './kube-client.ts';
import { pagingCluster, vmiObject, vmObject } from './paging-cluster.test-support.ts';

const vm = (i: number, status = 'Running'): KubeObject => ({ metadata: { name: `vm-${i}`, namespace: 'ns', resourceVersion: String(i) }, status: { printableStatus: status } });

/** A client serving one list of VMs (no VMIs) and handing the test the VM watch. */
function fakeClient(count: number) {
  let push: ((event: WatchEvent) => void) | undefined;
  const client: KubeClient = {
    context: 'fake',
    server: 'https://fake',
    namespace: undefined,
    request: async <T>(_method: string, path: string) => ({ items: path.includes('virtualmachineinstances') ? [] : Array.from({ length: count }, (_, i) => vm(i)), metadata: { resourceVersion: '1' } }) as T,
    requestBytes: async () => ({ status: 404, body: Buffer.alloc(0), contentType: '' }),
    watch: (path, onEvent, signal, onOpen) => new Promise<void>((resolve) => {
      if (!path.includes('virtualmachineinstances')) push = onEvent;
      onOpen?.();
      signal.addEventListener('abort', () => resolve());
    }),
    openWebSocket: async () => {
      throw new Error('not used');
    },
  };
  return { client, push: (event: WatchEvent) => push?.(event), ready: () => push !== undefined };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
};

describe('startInventory', () => {
  it('sends one reset, then batches a burst of changes into few deltas', async () => {
    const fake = fakeClient(10_000);
    const events: InventoryEvent[] = [];
    const inventory = startInventory(fake.client, (e) => events.push(e), { batchMs: 30 });
    await until(() => fake.ready());
    const reset = events.find((e) => e.kind === 'reset');
    expect(reset?.kind === 'reset' && reset.rows.length).toBe(10_000);

    for (let i = 0; i < 5000; i++) fake.push({ type: 'MODIFIED', object: vm(i, 'Stopped') });
    fake.push({ type: 'MODIFIED', object: vm(5000) }); // unchanged for the renderer: no delta
    fake.push({ type: 'DELETED', object: vm(9999) });
    await until(() => events.some((e) => e.kind === 'remove'));
    const upserts = events.filter((e) => e.kind === 'upsert');
    expect(upserts).toHaveLength(1);
    expect(upserts[0]?.kind === 'upsert' && upserts[0].rows.length).toBe(5000);
    expect(events.filter((e) => e.kind === 'reset')).toHaveLength(1);
    expect(inventory.row('ns', 'vm-9999')).toBeUndefined();
    expect(inventory.row('ns', 'vm-1')?.status).toBe('Stopped');
    inventory.stop();
  });
});

/** The rows as the renderer holds them after applying every event, and the state it shows. */
function replay(events: readonly InventoryEvent[]) {
  const rows = new Map<string, VmRow>();
  let state = '';
  for (const event of events) {
    if (event.kind === 'reset') {
      rows.clear();
      for (const row of event.rows) rows.set(row.key, row);
    } else if (event.kind === 'upsert') for (const row of event.rows) rows.set(row.key, row);
    else if (event.kind === 'remove') for (const key of event.keys) rows.delete(key);
    else state = event.state;
  }
  return { rows, state };
}

function pagedVms(count: number) {
  const cluster = pagingCluster();
  for (let i = 0; i < count; i++) {
    const name = `vm-${String(i).padStart(4, '0')}`;
    cluster.put('vms', vmObject('ns', name));
    if (i % 2 === 0) cluster.put('vmis', vmiObject('ns', name, `node-${i % 3}`));
  }
  return cluster;
}

const PAGES = { first: 100, rest: 250 };

describe('startInventory, paging', () => {
  it('sends the first page of VMs as the reset and stays loading until every page of VMs and VMIs is in', async () => {
    const cluster = pagedVms(1050);
    const events: InventoryEvent[] = [];
    const inventory = startInventory(cluster.client, (e) => events.push(e), { batchMs: 10, pageSizes: PAGES });
    await until(() => replay(events).state === 'live');
    inventory.stop();

    const reset = events.findIndex((e) => e.kind === 'reset');
    expect(events.slice(0, reset)).toEqual([{ kind: 'state', context: 'paging', state: 'loading' }]);
    expect(events[reset]?.kind === 'reset' && events[reset].rows.length).toBe(100);
    const live = events.findIndex((e) => e.kind === 'state' && e.state === 'live');
    expect(events.slice(reset + 1, live).every((e) => e.kind === 'upsert')).toBe(true);
    expect(live).toBe(events.length - 1);
    const { rows } = replay(events);
    expect(rows.size).toBe(1050);
    expect(rows.get('ns/vm-0998')).toMatchObject({ status: 'Running', node: 'node-2' });
    expect(rows.get('ns/vm-0999')?.node).toBeUndefined();
    // VMIs were listed beside the VMs, not after them.
    const firstVmi = cluster.requests.findIndex((path) => path.includes('virtualmachineinstances'));
    const lastVm = cluster.requests.findLastIndex((path) => !path.includes('virtualmachineinstances'));
    expect(firstVmi).toBeLessThan(lastVm);
  });

  it('loses and doubles nothing that changes while the lists are paged', async () => {
    const cluster = pagedVms(600);
    let pages = 0;
    cluster.onPage = (collection) => {
      if (collection !== 'vms' || ++pages !== 2) return;
      cluster.put('vms', vmObject('ns', 'vm-0000', 'Stopped'));
      cluster.put('vms', vmObject('ns', 'vm-added'));
      cluster.remove('vms', 'ns', 'vm-0599');
      cluster.remove('vmis', 'ns', 'vm-0004');
      cluster.put('vmis', vmiObject('ns', 'vm-0001', 'node-late'));
    };
    const events: InventoryEvent[] = [];
    const inventory = startInventory(cluster.client, (e) => events.push(e), { batchMs: 10, pageSizes: PAGES });
    await until(() => replay(events).state === 'live' && replay(events).rows.get('ns/vm-0000')?.status === 'Stopped' && !replay(events).rows.has('ns/vm-0599'));
    await until(() => replay(events).rows.get('ns/vm-0001')?.node === 'node-late' && replay(events).rows.get('ns/vm-0004')?.node === undefined);
    inventory.stop();
    const { rows } = replay(events);
    expect(rows.size).toBe(600);
    expect(rows.has('ns/vm-added')).toBe(true);
    expect(new Map(inventory.rows().map((row) => [row.key, row]))).toEqual(rows);
  });

  it('ends with exactly the objects of a relist when a continue token expires mid-list', async () => {
    const cluster = pagedVms(400);
    cluster.onPage = (collection, query) => {
      if (collection !== 'vms' || query.get('continue') !== null) return;
      // vm-0002 was on the first page; the full relist no longer has it.
      cluster.remove('vms', 'ns', 'vm-0002');
      cluster.remove('vmis', 'ns', 'vm-0002');
      cluster.expireNextContinue();
    };
    const events: InventoryEvent[] = [];
    const inventory = startInventory(cluster.client, (e) => events.push(e), { batchMs: 10, pageSizes: PAGES });
    await until(() => replay(events).state === 'live');
    inventory.stop();
    const { rows } = replay(events);
    expect(rows.size).toBe(399);
    expect(rows.has('ns/vm-0002')).toBe(false);
    expect(events.some((e) => e.kind === 'remove' && e.keys.includes('ns/vm-0002'))).toBe(true);
  });

  it('drops the VMI details of a VMI list that fails part-way, keeping every VM', async () => {
    const cluster = pagedVms(600);
    cluster.onPage = (collection, query) => {
      if (collection === 'vmis' && query.get('continue') !== null) throw Object.assign(new Error('etcd is unhappy'), { status: 500 });
    };
    const events: InventoryEvent[] = [];
    const inventory = startInventory(cluster.client, (e) => events.push(e), { batchMs: 10, pageSizes: PAGES });
    await until(() => replay(events).state === 'live');
    inventory.stop();
    const { rows } = replay(events);
    expect(rows.size).toBe(600);
    expect([...rows.values()].filter((row) => row.node !== undefined)).toEqual([]);
  });

  it('without streaming (the baseline), sends everything as one reset at the end', async () => {
    const cluster = pagedVms(700);
    const events: InventoryEvent[] = [];
    const inventory = startInventory(cluster.client, (e) => events.push(e), { batchMs: 10, pageSizes: PAGES, stream: false });
    await until(() => replay(events).state === 'live');
    inventory.stop();
    expect(events.map((e) => e.kind)).toEqual(['state', 'reset', 'state']);
    expect(events[1]?.kind === 'reset' && events[1].rows.length).toBe(700);
  });
});
