import { describe, expect, it } from 'vitest';
import type { InventoryEvent } from '../../shared/desktop-api.ts';
import { startInventory } from './inventory.ts';
import type { KubeClient, KubeObject, WatchEvent } from './kube-client.ts';

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
