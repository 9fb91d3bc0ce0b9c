// Events as the API server serves them, seen with the real kubectl: the field
// selectors `kubectl get events --field-selector` and `kubectl describe` send,
// the Events section of a describe, and the PATCHes that count repeats.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterRequest } from '../cluster/client.ts';
import { kubectlRunner, type KubectlResult } from '../cluster/kubectl.ts';
import { startCluster, type ClusterHandle } from '../cluster/server.ts';

let cluster: ClusterHandle;
let kubectl: (args: readonly string[]) => Promise<KubectlResult>;
let vmiUid: string;

const events = (namespace: string) => `/api/v1/namespaces/${namespace}/events`;

function event(name: string, vm: string, overrides: Record<string, unknown> = {}) {
  const at = new Date(Date.now() - 30_000).toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    apiVersion: 'v1', kind: 'Event',
    metadata: { name, namespace: 'team-a' },
    involvedObject: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', name: vm, namespace: 'team-a', uid: vm === 'web-1' ? vmiUid : 'other-uid' },
    reason: 'ConsoleOpened', type: 'Normal', message: `console of ${vm} opened`,
    source: { component: 'gatepass-gateway' }, reportingComponent: 'gatepass.io/gateway', reportingInstance: 'gw-0',
    firstTimestamp: at, lastTimestamp: at, count: 1,
    ...overrides,
  };
}

async function create(body: object): Promise<void> {
  const r = await clusterRequest(cluster, { context: 'admin', method: 'POST', path: events('team-a'), body });
  expect(r.status, r.text).toBe(201);
}

async function names(fieldSelector: string): Promise<string[]> {
  const r = await clusterRequest(cluster, { context: 'admin', path: `${events('team-a')}?fieldSelector=${encodeURIComponent(fieldSelector)}` });
  expect(r.status, r.text).toBe(200);
  return (r.json as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name).sort();
}

beforeAll(async () => {
  cluster = await startCluster();
  kubectl = kubectlRunner(cluster.kubeconfigPath);
  vmiUid = cluster.objects.get('VirtualMachineInstance', 'team-a', 'web-1')?.metadata.uid ?? '';
  await create(event('web-1.opened', 'web-1'));
  await create(event('web-1.refused', 'web-1', { reason: 'ConsoleRefused', type: 'Warning', message: 'console of web-1 refused' }));
  await create(event('db-1.opened', 'db-1'));
  await create(event('web-1.other', 'web-1', { source: {}, reportingComponent: 'someone-else', reason: 'Started' }));
});

afterAll(async () => {
  await cluster?.close();
});

describe('field selectors on events', () => {
  it('select by the fields the API server publishes for an Event', async () => {
    expect(vmiUid).not.toBe('');
    expect(await names('involvedObject.name=web-1')).toEqual(['web-1.opened', 'web-1.other', 'web-1.refused']);
    expect(await names('involvedObject.name=web-1,reason=ConsoleRefused')).toEqual(['web-1.refused']);
    expect(await names('type=Warning')).toEqual(['web-1.refused']);
    expect(await names(`involvedObject.uid=${vmiUid}`)).toEqual(['web-1.opened', 'web-1.other', 'web-1.refused']);
    expect(await names('involvedObject.kind=VirtualMachineInstance,involvedObject.namespace=team-a,involvedObject.apiVersion=kubevirt.io/v1,involvedObject.name!=web-1')).toEqual(['db-1.opened']);
    // `source` falls back to the reporting component, as the API server's field set does.
    expect(await names('source=someone-else')).toEqual(['web-1.other']);
    expect(await names('source=gatepass-gateway,involvedObject.fieldPath=')).toEqual(['db-1.opened', 'web-1.opened', 'web-1.refused']);
    expect(await names('metadata.name=db-1.opened')).toEqual(['db-1.opened']);
  });

  it('refuses a field the resource does not publish, also on other resources', async () => {
    const onEvents = await clusterRequest(cluster, { context: 'admin', path: `${events('team-a')}?fieldSelector=message%3Dx` });
    expect(onEvents.status).toBe(400);
    expect(onEvents.text).toContain('field label not supported: message');
    const onConfigMaps = await clusterRequest(cluster, { context: 'admin', path: '/api/v1/namespaces/team-a/configmaps?fieldSelector=reason%3Dx' });
    expect(onConfigMaps.status).toBe(400);
    const onSecrets = await clusterRequest(cluster, { context: 'admin', path: '/api/v1/namespaces/kube-gateway/secrets?fieldSelector=type%3DOpaque' });
    expect(onSecrets.status).toBe(200);
  });

  it('checks an Event the way the API server does', async () => {
    const elsewhere = event('web-1.elsewhere', 'web-1', { involvedObject: { kind: 'VirtualMachineInstance', name: 'web-1', namespace: 'team-b' } });
    const r = await clusterRequest(cluster, { context: 'admin', method: 'POST', path: events('team-a'), body: elsewhere });
    expect(r.status).toBe(422);
    expect(r.text).toContain('does not match event.namespace');
  });
});

describe('kubectl', () => {
  it('get events --field-selector involvedObject.name lists only that VM’s events, with the API server’s columns', async () => {
    const r = await kubectl(['get', 'events', '-n', 'team-a', '--field-selector', 'involvedObject.name=db-1']);
    expect(r.code, r.stderr).toBe(0);
    const [header, ...rows] = r.stdout.trim().split('\n');
    expect(header?.split(/\s{2,}/)).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/^\d+s\s+Normal\s+ConsoleOpened\s+virtualmachineinstance\/db-1\s+console of db-1 opened$/);
  });

  it('describe vmi shows the VMI’s events, found by its uid', async () => {
    const r = await kubectl(['describe', 'vmi', 'web-1', '-n', 'team-a']);
    expect(r.code, r.stderr).toBe(0);
    const section = r.stdout.slice(r.stdout.indexOf('Events:'));
    expect(section).toMatch(/Warning\s+ConsoleRefused\s+\d+s\s+gatepass-gateway\s+console of web-1 refused/);
    expect(section).toMatch(/Normal\s+ConsoleOpened\s+\d+s\s+gatepass-gateway\s+console of web-1 opened/);
    expect(section).not.toContain('db-1');
  });

  it('counts repeats PATCHed the way client-go’s recorder sends them, and describe says so', async () => {
    const later = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    for (const contentType of ['application/strategic-merge-patch+json', 'application/merge-patch+json']) {
      const count = contentType.startsWith('application/strategic') ? 7 : 12;
      const r = await clusterRequest(cluster, {
        context: 'admin', method: 'PATCH', path: `${events('team-a')}/web-1.refused`,
        headers: { 'Content-Type': contentType }, body: { count, lastTimestamp: later },
      });
      expect(r.status, r.text).toBe(200);
      expect(r.json).toMatchObject({ count, lastTimestamp: later, reason: 'ConsoleRefused' });
    }
    const described = await kubectl(['describe', 'vmi', 'web-1', '-n', 'team-a']);
    expect(described.stdout).toMatch(/Warning\s+ConsoleRefused\s+\d+s \(x12 over \d+s\)\s+gatepass-gateway/);
    const wide = await kubectl(['get', 'events', '-n', 'team-a', '--field-selector', 'reason=ConsoleRefused', '-o', 'wide']);
    expect(wide.stdout.split('\n')[0]).toMatch(/SUBOBJECT\s+SOURCE\s+MESSAGE\s+FIRST SEEN\s+COUNT\s+NAME/);
    expect(wide.stdout).toMatch(/gatepass-gateway, gw-0\s+console of web-1 refused\s+\d+s\s+12\s+web-1\.refused/);
  });
});
