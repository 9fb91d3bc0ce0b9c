import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterRequest } from '../cluster/client.ts';
import type { ClusterRequest } from '../cluster/client.ts';
import { startCluster } from '../cluster/server.ts';
import type { ClusterHandle } from '../cluster/server.ts';

let cluster: ClusterHandle;
const call = (r: ClusterRequest): ReturnType<typeof clusterRequest> => clusterRequest(cluster, r);

beforeAll(async () => {
  cluster = await startCluster({ watchHistory: 50 });
});

afterAll(async () => {
  await cluster?.close();
});

interface WatchEvent {
  type: string;
  object: { metadata: { name: string; resourceVersion: string }; code?: number; reason?: string };
}

async function watchBriefly(path: string, during?: () => Promise<void>): Promise<WatchEvent[]> {
  const pending = call({ context: 'admin', path: `${path}${path.includes('?') ? '&' : '?'}watch=true&timeoutSeconds=1` });
  if (during) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    await during();
  }
  const r = await pending;
  expect(r.status).toBe(200);
  return r.text.trim() === '' ? [] : r.text.trim().split('\n').map((l) => JSON.parse(l) as WatchEvent);
}

const CM = '/api/v1/namespaces/team-a/configmaps';

describe('watch', () => {
  it('resumes from a resourceVersion with only the later events, in order', async () => {
    const first = await call({ context: 'admin', method: 'POST', path: CM, body: { metadata: { name: 'w1' } } });
    const rv = (first.json as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    await call({ context: 'admin', method: 'POST', path: CM, body: { metadata: { name: 'w2' } } });
    await call({ context: 'admin', method: 'DELETE', path: `${CM}/w1` });
    const events = await watchBriefly(`${CM}?resourceVersion=${rv}`);
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'w2'], ['DELETED', 'w1']]);
    const versions = events.map((e) => Number(e.object.metadata.resourceVersion));
    expect(versions[0]).toBeGreaterThan(Number(rv));
    expect(versions[1]).toBeGreaterThan(versions[0]!);
  });

  it('starts with ADDED for existing objects when no resourceVersion is given', async () => {
    const events = await watchBriefly('/apis/kubevirt.io/v1/namespaces/team-a/virtualmachines');
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED db-1', 'ADDED web-1']);
  });

  it('turns label changes into ADDED/DELETED for a label-selector watch', async () => {
    const list = await call({ context: 'admin', path: '/apis/kubevirt.io/v1/virtualmachines' });
    const rv = (list.json as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    const path = `/apis/kubevirt.io/v1/virtualmachines?labelSelector=${encodeURIComponent('tier in (frontend),app!=db')}&resourceVersion=${rv}`;
    const patch = (labels: Record<string, string | null>) => call({
      context: 'admin', method: 'PATCH', path: '/apis/kubevirt.io/v1/namespaces/team-a/virtualmachines/db-1',
      headers: { 'Content-Type': 'application/merge-patch+json' }, body: { metadata: { labels } },
    });
    const events = await watchBriefly(path, async () => {
      await patch({ tier: 'frontend', app: 'db2' });
      await patch({ app: 'db' });
    });
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED db-1', 'DELETED db-1']);
  });

  it('sends an ERROR event with 410 Expired for a resourceVersion older than the history', async () => {
    for (let i = 0; i < 60; i++) await call({ context: 'admin', method: 'POST', path: CM, body: { metadata: { name: `filler-${i}` } } });
    const events = await watchBriefly(`${CM}?resourceVersion=1`);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
  });

  it('refuses bad selectors with 400', async () => {
    const r = await call({ context: 'admin', path: '/apis/kubevirt.io/v1/virtualmachines?fieldSelector=status.phase%3DRunning' });
    expect(r.status).toBe(400);
    expect((r.json as { message: string }).message).toContain('field label not supported: status.phase');
  });
});
