import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { clusterRequest } from '../cluster/client.ts';
import { startCluster } from '../cluster/server.ts';
import type { ClusterHandle } from '../cluster/server.ts';

let cluster: ClusterHandle;

beforeAll(async () => {
  cluster = await startCluster();
});

afterAll(async () => {
  await cluster?.close();
});

const vncPath = (ns: string, name: string, version = 'v1'): string => `/apis/subresources.kubevirt.io/${version}/namespaces/${ns}/virtualmachineinstances/${name}/vnc`;

type Outcome = { opened: true; firstBytes: Buffer; ws: WebSocket } | { opened: false; status: number; body: unknown };

function connect(path: string, context: string | undefined, extra: { token?: string } = {}): Promise<Outcome> {
  const creds = context ? cluster.credentials[context] : undefined;
  const token = extra.token ?? creds?.token;
  const ws = new WebSocket(`${cluster.server.replace('https', 'wss')}${path}`, ['plain.kubevirt.io'], {
    ca: cluster.caPem,
    headers: token ? { Authorization: `Bearer ${token}` } : {},
    ...(creds?.clientCertificate ? { cert: creds.clientCertificate.certPem, key: creds.clientCertificate.keyPem } : {}),
  });
  return new Promise((resolve, reject) => {
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ opened: false, status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) as unknown }));
    });
    ws.once('message', (data: Buffer) => resolve({ opened: true, firstBytes: data, ws }));
    ws.on('error', reject);
  });
}

describe('the VNC subresource behind authentication and RBAC', () => {
  it('bridges an allowed websocket to the VM console (RFB greeting)', async () => {
    const outcome = await connect(vncPath('team-a', 'web-1'), 'gateway');
    expect(outcome.opened).toBe(true);
    if (outcome.opened) {
      expect(outcome.firstBytes.toString('latin1')).toBe('RFB 003.008\n');
      outcome.ws.close();
    }
  });

  it('accepts the client certificate user and the v1alpha3 path', async () => {
    const outcome = await connect(vncPath('kube-gateway', 'testvm', 'v1alpha3'), 'admin');
    expect(outcome.opened).toBe(true);
    if (outcome.opened) outcome.ws.close();
  });

  it('answers 401, 403, 404 and 400 with Status bodies on the raw socket', async () => {
    const unauthenticated = await connect(vncPath('team-a', 'web-1'), undefined, { token: 'forged' });
    expect(unauthenticated).toMatchObject({ opened: false, status: 401, body: { kind: 'Status', reason: 'Unauthorized' } });
    const forbidden = await connect(vncPath('team-a', 'web-1'), 'viewer');
    expect(forbidden).toMatchObject({
      opened: false, status: 403,
      body: { reason: 'Forbidden', message: 'virtualmachineinstances.subresources.kubevirt.io "web-1" is forbidden: User "bob" cannot get resource "virtualmachineinstances/vnc" in API group "subresources.kubevirt.io" in the namespace "team-a"' },
    });
    const stopped = await connect(vncPath('team-b', 'build-7'), 'gateway');
    expect(stopped).toMatchObject({ opened: false, status: 404, body: { reason: 'NotFound' } });
    const vmi = cluster.objects.get('VirtualMachineInstance', 'team-a', 'db-1')!;
    cluster.objects.put({ ...vmi, status: { ...(vmi['status'] as object), phase: 'Scheduling' } });
    const notRunning = await connect(vncPath('team-a', 'db-1'), 'gateway');
    expect(notRunning).toMatchObject({ opened: false, status: 400, body: { reason: 'BadRequest' } });
    cluster.objects.put(vmi);
  });

  it('ends an open console when its VM is stopped', async () => {
    const outcome = await connect(vncPath('kube-gateway', 'testvm'), 'gateway');
    if (!outcome.opened) throw new Error(`console did not open: ${outcome.status}`);
    const closed = new Promise<void>((resolve) => outcome.ws.once('close', () => resolve()));
    cluster.setVmRunning('kube-gateway', 'testvm', false);
    await closed;
    cluster.setVmRunning('kube-gateway', 'testvm', true);
  });

  it('serves screenshots to those allowed vnc/screenshot', async () => {
    const path = `${vncPath('team-a', 'web-1')}/screenshot`;
    const shot = await clusterRequest(cluster, { context: 'gateway', path });
    expect(shot.status).toBe(200);
    expect(shot.headers['content-type']).toBe('image/png');
    const denied = await clusterRequest(cluster, { context: 'operator', path });
    expect(denied.status).toBe(403);
  });
});
