// Two gateway replicas with the shipped RBAC (deploy/overlays/openshift rendered into the
// stand-in) and the link janitor on: the Lease holder, and only it, removes the use
// counters and revocation entries of expired links and keeps everything else; when it
// stops, the other replica takes the Lease and carries on.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkKey } from '../../shared/node/link-key.ts';
import { parseCommandLine } from '../../gateway/config.ts';
import { startGateway, type RunningGateway } from '../../gateway/start.ts';
import { generateJwtKeyPair } from '../cluster/jwt-keys.ts';
import { keySecrets } from '../cluster/default-fixture.ts';
import { startCluster, type ClusterHandle } from '../cluster/server.ts';
import type { KubeObject } from '../cluster/store.ts';
import { DEPLOY_USERS, deployFixture, kustomize } from '../support/deploy-render.ts';
import { waitFor } from '../support/gateway-harness.ts';

const NS = 'kube-gateway';
const HOUR = 3600_000;
const iso = (offsetMs: number): string => new Date(Date.now() + offsetMs).toISOString();
const counterName = (id: string): string => `gatepass-uses-${linkKey(id)}`;

/** A use counter as the gateway writes it (gateway/use-counter.ts). */
function useCounter(id: string, expires: string, labels = true): KubeObject {
  return {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: {
      name: counterName(id), namespace: NS,
      ...(labels ? { labels: { 'app.kubernetes.io/managed-by': 'gatepass-gateway', 'gatepass.io/kind': 'use-counter' } } : {}),
      annotations: { 'gatepass.io/expires': expires },
    },
    data: { uses: '1' },
  };
}

// A key shaped like a token: an operator may paste one there, and it must not reach a log.
const TOKEN_LIKE_KEY = 'eyJhbGciOiJSUzI1NiJ9.eyJqdGkiOiJzZWNyZXQifQ.c2lnbmF0dXJl';

interface Replica {
  gateway: RunningGateway;
  logs: string[];
}

let cluster: ClusterHandle;
let dir: string;
const apiLog: string[] = [];
const replicas: Replica[] = [];

beforeAll(async () => {
  cluster = await startCluster({
    fixture: deployFixture(await kustomize('deploy/overlays/openshift'), { objects: keySecrets(await generateJwtKeyPair()) }),
    log: (line) => apiLog.push(line),
  });
  dir = await mkdtemp(join(tmpdir(), 'gatepass-janitor-'));
  await writeFile(join(dir, 'ca.crt'), cluster.caPem);
  await writeFile(join(dir, 'token'), DEPLOY_USERS.gateway.token);
});

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.gateway.shutdown()));
  await cluster?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function startReplica(): Promise<Replica> {
  const parsed = parseCommandLine([
    '--gateway-listen', 'http://127.0.0.1:0',
    '--metrics-listen', 'http://127.0.0.1:0',
    '--api-server', cluster.server,
    '--api-server-ca-file', join(dir, 'ca.crt'),
    '--api-server-bearer-token-file', join(dir, 'token'),
    '--janitor-interval', '300ms',
    '--log-level', 'debug',
    '--shutdown-grace-period', '1s',
  ], {});
  if (parsed.help) throw new Error('unexpected --help');
  const logs: string[] = [];
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => logs.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const gateway = await startGateway(parsed.config, {
    logDestination: sink,
    tuning: { janitorTiming: { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 200 } },
  });
  await gateway.ready;
  const replica = { gateway, logs };
  replicas.push(replica);
  return replica;
}

const records = (replica: Replica): Array<Record<string, unknown>> => replica.logs.map((line) => JSON.parse(line) as Record<string, unknown>);
const leads = (replica: Replica): boolean => records(replica).some((r) => r['component'] === 'link-janitor' && r['msg'] === 'became the leader');
const identityOf = (replica: Replica): unknown => records(replica).find((r) => r['msg'] === 'became the leader')?.['identity'];

async function removedMetric(replica: Replica, kind: string): Promise<number> {
  const text = await (await fetch(`${replica.gateway.metricsUrl!}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`gatepass_gateway_janitor_removed_total{kind="${kind}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

const exists = (name: string): boolean => cluster.objects.get('ConfigMap', NS, name) !== undefined;
const revoked = (): Record<string, string> => ((cluster.objects.get('ConfigMap', NS, 'gatepass-revoked') as { data?: Record<string, string> } | undefined)?.data ?? {});
const leaseHolder = (): unknown => (cluster.objects.get('Lease', NS, 'gatepass-janitor')?.['spec'] as { holderIdentity?: string } | undefined)?.holderIdentity;
const deletes = (): string[] => apiLog.filter((line) => line.startsWith('DELETE '));

describe('the link janitor with two replicas', () => {
  let leader: Replica;
  let follower: Replica;

  it('removes expired counters and revocation entries on the Lease holder alone, and keeps the rest', async () => {
    const expired = ['link-expired-yesterday', 'link-expired-last-week'];
    const kept = {
      live: useCounter('link-live', iso(HOUR)),
      // Expired a moment ago: within the clock skew and margin, the link may still be counted.
      justExpired: useCounter('link-just-expired', iso(-1000)),
      unreadable: useCounter('link-unreadable', 'next tuesday'),
      // Not labelled as a counter: not the janitor's to judge, whatever its name and annotation say.
      unlabelled: useCounter('link-unlabelled', iso(-7 * 24 * HOUR), false),
    };
    cluster.objects.put(useCounter(expired[0]!, iso(-24 * HOUR)));
    cluster.objects.put(useCounter(expired[1]!, iso(-7 * 24 * HOUR)));
    for (const object of Object.values(kept)) cluster.objects.put(object);
    const entries = {
      'revoked-expired': iso(-24 * HOUR),
      'revoked-live': iso(HOUR),
      'revoked-just-expired': iso(-1000),
      'revoked-odd-value': 'until further notice',
      [TOKEN_LIKE_KEY]: 'soon',
    };
    cluster.objects.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gatepass-revoked', namespace: NS }, data: entries });

    const [a, b] = [await startReplica(), await startReplica()];
    await waitFor(() => leads(a) || leads(b), 'a replica to take the janitor Lease');
    [leader, follower] = leads(a) ? [a, b] : [b, a];

    await waitFor(() => expired.every((id) => !exists(counterName(id))) && revoked()['revoked-expired'] === undefined, 'the expired state to go');
    for (const object of Object.values(kept)) expect(exists(object.metadata.name), object.metadata.name).toBe(true);
    expect(exists('gatepass')).toBe(true);
    const { 'revoked-expired': _gone, ...rest } = entries;
    expect(revoked()).toEqual(rest);

    // Let a few more rounds pass: both replicas stay in their roles and nothing more is removed.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(leads(follower)).toBe(false);
    expect(records(follower).some((r) => r['component'] === 'link-janitor' && r['msg'] === 'the lease is held by another instance; waiting')).toBe(true);
    expect(deletes().map((line) => line.split(' ')[1])).toEqual(expect.arrayContaining(expired.map((id) => `/api/v1/namespaces/${NS}/configmaps/${counterName(id)}`)));
    expect(deletes()).toHaveLength(2);
    expect(await removedMetric(leader, 'use-counter')).toBe(2);
    expect(await removedMetric(leader, 'revocation')).toBe(1);
    expect(await removedMetric(follower, 'use-counter')).toBe(0);
    expect(records(follower).some((r) => r['msg'] === 'removed the state of expired links')).toBe(false);

    expect(leaseHolder()).toBe(identityOf(leader));

    // What cannot be read is reported, once and by count: never the keys, one of which looks like a token.
    const warnings = records(leader).filter((r) => r['msg'] === 'kept link state whose expiry is not an RFC 3339 time; remove it by hand once its link has expired');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ useCounters: 1, revocations: 2 });
    expect([...leader.logs, ...follower.logs].some((line) => line.includes(TOKEN_LIKE_KEY))).toBe(false);
  });

  it('is carried on by the other replica once the leader stops', async () => {
    await leader.gateway.shutdown();
    replicas.splice(replicas.indexOf(leader), 1);
    await waitFor(() => leads(follower), 'the other replica to take the Lease', 5_000);

    cluster.objects.put(useCounter('link-expired-after-handover', iso(-2 * HOUR)));
    const data = revoked();
    cluster.objects.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gatepass-revoked', namespace: NS }, data: { ...data, 'revoked-after-handover': iso(-2 * HOUR) } });

    await waitFor(() => !exists(counterName('link-expired-after-handover')) && revoked()['revoked-after-handover'] === undefined, 'the new leader to sweep');
    expect(revoked()).toEqual(data);
    expect(await removedMetric(follower, 'use-counter')).toBe(1);
    expect(await removedMetric(follower, 'revocation')).toBe(1);
    expect(leaseHolder()).toBe(identityOf(follower));
  });

  it('stops sweeping when it cannot renew the Lease, keeps serving, and campaigns again', async () => {
    const current = follower;
    const other = await startReplica();
    const fault = cluster.faults.add({ path: `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/gatepass-janitor`, method: 'PUT', status: 500 });
    await waitFor(() => records(current).some((r) => r['msg'] === 'lost the janitor Lease; campaigning again'), 'the leader to give up the Lease', 5_000);
    expect((await fetch(`${current.gateway.url}/healthz`)).status).toBe(200);
    // Nobody can write the Lease now, so nobody sweeps: the counter outlives several intervals.
    cluster.objects.put(useCounter('link-expired-after-renewal', iso(-2 * HOUR)));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(exists(counterName('link-expired-after-renewal'))).toBe(true);
    cluster.faults.clear(fault);

    await waitFor(() => !exists(counterName('link-expired-after-renewal')), 'the sweeping to resume');
    expect([identityOf(current), records(other).find((r) => r['msg'] === 'became the leader')?.['identity']]).toContain(leaseHolder());
  });
});
