import { describe, expect, it } from 'vitest';
import { vmListPath } from '../../shared/kubevirt-paths.ts';
import type { KubeObject } from './kube-client.ts';
import { listAll, listPaged, watchFrom } from './list-watch.ts';
import { pagingCluster, vmObject } from './paging-cluster.test-support.ts';

const names = (items: KubeObject[]) => items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);

function clusterWith(count: number) {
  const cluster = pagingCluster();
  for (let i = 0; i < count; i++) cluster.put('vms', vmObject('ns', `vm-${String(i).padStart(4, '0')}`));
  return cluster;
}

describe('listPaged', () => {
  it('hands over a small first page, then larger ones, each object once', async () => {
    const cluster = clusterWith(1234);
    const pages: number[] = [];
    const seen: string[] = [];
    await listPaged(cluster.client, vmListPath(), {
      onPage: (items) => {
        pages.push(items.length);
        seen.push(...names(items));
      },
      onRestart: () => expect.unreachable('no continue token expired'),
    }, { first: 100, rest: 500 });
    expect(pages).toEqual([100, 500, 500, 134]);
    expect(seen).toHaveLength(1234);
    expect(new Set(seen).size).toBe(1234);
  });

  it("returns the first page's resourceVersion, from which a watch sees every change made while paging", async () => {
    const cluster = clusterWith(30);
    cluster.onPage = (_, query) => {
      // After the first page: change an object already handed over, add one, delete one not yet reached.
      if (query.get('continue') !== null) return;
      cluster.put('vms', vmObject('ns', 'vm-0000', 'Stopped'));
      cluster.put('vms', vmObject('ns', 'vm-new'));
      cluster.remove('vms', 'ns', 'vm-0029');
    };
    const listed = await listAll(cluster.client, vmListPath(), { first: 10, rest: 10 });
    expect(listed.items).toHaveLength(30);
    expect(names(listed.items)).toContain('ns/vm-0029');

    const events: string[] = [];
    const watch = watchFrom(cluster.client, vmListPath(), listed, {
      onRelist: () => expect.unreachable('no relist'),
      onEvent: (type, object) => events.push(`${type} ${object.metadata.name}`),
      onState: () => undefined,
    });
    await expect.poll(() => events.length).toBe(3);
    watch.stop();
    expect(events).toEqual(['MODIFIED vm-0000', 'ADDED vm-new', 'DELETED vm-0029']);
  });

  it('starts again with one unpaged list when a continue token has expired (410)', async () => {
    const cluster = clusterWith(25);
    cluster.onPage = (_, query) => {
      if (query.get('continue') !== null) return;
      cluster.remove('vms', 'ns', 'vm-0003');
      cluster.expireNextContinue();
    };
    const restarts: number[] = [];
    let items: KubeObject[] = [];
    await listPaged(cluster.client, vmListPath(), {
      onPage: (page) => void items.push(...page),
      onRestart: () => {
        restarts.push(items.length);
        items = [];
      },
    }, { first: 10, rest: 10 });
    expect(restarts).toEqual([10]);
    expect(cluster.requests.at(-1)).toBe(vmListPath());
    expect(items).toHaveLength(24);
    expect(names(items)).not.toContain('ns/vm-0003');
  });

  it('passes on a 410 for a first page: only a continue token can expire', async () => {
    const cluster = clusterWith(3);
    const expired = { ...cluster.client, request: async () => Promise.reject(Object.assign(new Error('too old resource version'), { status: 410 })) };
    let restarts = 0;
    await expect(listPaged(expired, vmListPath(), { onPage: () => undefined, onRestart: () => void restarts++ })).rejects.toMatchObject({ status: 410 });
    expect(restarts).toBe(0);
  });
});
