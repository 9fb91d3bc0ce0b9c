import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectlRunner } from '../cluster/kubectl.ts';
import type { KubectlResult } from '../cluster/kubectl.ts';
import { startCluster } from '../cluster/server.ts';
import type { ClusterHandle } from '../cluster/server.ts';

let cluster: ClusterHandle;
let kubectl: (args: readonly string[]) => Promise<KubectlResult>;

beforeAll(async () => {
  cluster = await startCluster();
  kubectl = kubectlRunner(cluster.kubeconfigPath);
});

afterAll(async () => {
  await cluster?.close();
});

function rows(stdout: string): string[][] {
  return stdout.trim().split('\n').map((line) => line.trim().split(/\s+/));
}

describe('kubectl against the stand-in', () => {
  it('lists VMs in all namespaces with KubeVirt columns', async () => {
    const r = await kubectl(['get', 'vms', '-A']);
    expect(r.stderr).toBe('');
    const [header, ...body] = rows(r.stdout);
    expect(header).toEqual(['NAMESPACE', 'NAME', 'AGE', 'STATUS', 'READY']);
    expect(body.map((row) => [row[0], row[1], row[3], row[4]])).toEqual([
      ['kube-gateway', 'testvm', 'Running', 'True'],
      ['team-a', 'db-1', 'Running', 'True'],
      ['team-a', 'web-1', 'Running', 'True'],
      ['team-b', 'build-7', 'Stopped', 'False'],
    ]);
  });

  it('lists VMIs with phase, IP and node', async () => {
    const r = await kubectl(['get', 'vmi', '-n', 'team-a']);
    const [header, ...body] = rows(r.stdout);
    expect(header).toEqual(['NAME', 'AGE', 'PHASE', 'IP', 'NODENAME', 'READY']);
    expect(body.map((row) => [row[0], row[2], row[3], row[4]])).toEqual([
      ['db-1', 'Running', '10.244.2.31', 'node-2'],
      ['web-1', 'Running', '10.244.1.21', 'node-1'],
    ]);
  });

  it('returns VMI status fields as JSON', async () => {
    const r = await kubectl(['get', 'vmi', 'web-1', '-n', 'team-a', '-o', 'json']);
    const vmi = JSON.parse(r.stdout) as { status: { guestOSInfo: { prettyName: string }; interfaces: { ipAddresses: string[] }[]; conditions: { type: string }[] } };
    expect(vmi.status.guestOSInfo.prettyName).toBe('Ubuntu 24.04 LTS');
    expect(vmi.status.interfaces[0]!.ipAddresses).toEqual(['10.244.1.21']);
    expect(vmi.status.conditions.map((c) => c.type)).toEqual(['Ready', 'AgentConnected']);
  });

  it('reads the private key secret as the operator, PKCS#1 PEM inside', async () => {
    const r = await kubectl(['--context', 'operator', 'get', 'secret', 'kube-gateway-jwt-private', '-n', 'kube-gateway', '-o', 'jsonpath={.data.tls\\.key}']);
    expect(r.code).toBe(0);
    expect(Buffer.from(r.stdout, 'base64').toString()).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
  });

  it('creates a generic secret and refuses a second one with AlreadyExists', async () => {
    const created = await kubectl(['create', 'secret', 'generic', 'made-by-kubectl', '-n', 'team-a', '--from-literal=password=hunter2']);
    expect(created.stdout.trim()).toBe('secret/made-by-kubectl created');
    const value = await kubectl(['get', 'secret', 'made-by-kubectl', '-n', 'team-a', '-o', 'jsonpath={.type} {.data.password}']);
    const [type, data] = value.stdout.split(' ');
    expect(type).toBe('Opaque');
    expect(Buffer.from(data!, 'base64').toString()).toBe('hunter2');
    const again = await kubectl(['create', 'secret', 'generic', 'made-by-kubectl', '-n', 'team-a', '--from-literal=x=y']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('secrets "made-by-kubectl" already exists');
    const deleted = await kubectl(['delete', 'secret', 'made-by-kubectl', '-n', 'team-a']);
    expect(deleted.stdout.trim()).toBe('secret "made-by-kubectl" deleted');
  });

  it('lets the viewer list VMs and nothing else', async () => {
    const list = await kubectl(['--context', 'viewer', 'get', 'vms', '-A']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('web-1');
    const get = await kubectl(['--context', 'viewer', 'get', 'vm', 'web-1', '-n', 'team-a']);
    expect(get.stderr).toContain('virtualmachines.kubevirt.io "web-1" is forbidden: User "bob" cannot get resource "virtualmachines" in API group "kubevirt.io" in the namespace "team-a"');
    const secrets = await kubectl(['--context', 'viewer', 'get', 'secrets', '-n', 'kube-gateway']);
    expect(secrets.code).not.toBe(0);
    expect(secrets.stderr).toContain('secrets is forbidden: User "bob" cannot list resource "secrets" in API group "" in the namespace "kube-gateway"');
  });

  it('answers auth can-i per context', async () => {
    const cases: [string, string[], string][] = [
      ['admin', ['delete', 'secrets', '-n', 'kube-gateway'], 'yes'],
      ['operator', ['get', 'secret/kube-gateway-jwt-private', '-n', 'kube-gateway'], 'yes'],
      ['operator', ['get', 'secret/kube-gateway-jwt', '-n', 'kube-gateway'], 'no'],
      ['operator', ['watch', 'vmis', '-A'], 'yes'],
      ['viewer', ['list', 'vms', '-A'], 'yes'],
      ['viewer', ['watch', 'vms', '-A'], 'no'],
      ['gateway', ['get', 'secret/kube-gateway-jwt', '-n', 'kube-gateway'], 'yes'],
      ['gateway', ['get', 'secret/kube-gateway-jwt-private', '-n', 'kube-gateway'], 'no'],
    ];
    for (const [context, args, expected] of cases) {
      const r = await kubectl(['--context', context, 'auth', 'can-i', ...args]);
      expect(`${context} ${args.join(' ')}: ${r.stdout.trim()}`).toBe(`${context} ${args.join(' ')}: ${expected}`);
    }
  });

  it('lists what the gateway may do, resourceNames included', async () => {
    const r = await kubectl(['--context', 'gateway', 'auth', 'can-i', '--list', '-n', 'kube-gateway']);
    expect(r.stdout).toMatch(/secrets\s+\[\]\s+\[kube-gateway-jwt\]\s+\[get list watch\]/);
    expect(r.stdout).toMatch(/virtualmachineinstances\.subresources\.kubevirt\.io\/vnc\s/);
  });

  it('tells who is asking', async () => {
    const admin = await kubectl(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    expect(admin.stdout).toBe('admin');
    const gateway = await kubectl(['--context', 'gateway', 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
    expect(gateway.stdout).toBe('system:serviceaccount:kube-gateway:kube-gateway');
  });

  it('rejects an unknown token with Unauthorized', async () => {
    const r = await kubectl(['--context', 'viewer', '--token', 'not-a-token', 'get', 'vms', '-A']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Unauthorized|provide credentials/);
  });

  it('labels a VM (merge patch) and filters by label', async () => {
    await kubectl(['label', 'vm', 'db-1', '-n', 'team-a', 'owner=dba']);
    const r = await kubectl(['get', 'vms', '-A', '-l', 'owner=dba', '-o', 'name']);
    expect(r.stdout.trim()).toBe('virtualmachine.kubevirt.io/db-1');
  });

  it('applies manifests: a new VM gets a running VMI, a changed ConfigMap is patched', async () => {
    const manifest = (value: string): string => [
      'apiVersion: kubevirt.io/v1', 'kind: VirtualMachine', 'metadata: {name: applied, namespace: default}', 'spec: {runStrategy: Always, template: {spec: {}}}',
      '---', 'apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: applied-cm, namespace: default}', `data: {key: ${value}}`, '',
    ].join('\n');
    const file = join(dirname(cluster.kubeconfigPath), 'applied.yaml');
    await writeFile(file, manifest('one'));
    const first = await kubectl(['apply', '-f', file]);
    expect(first.stdout).toBe('virtualmachine.kubevirt.io/applied created\nconfigmap/applied-cm created\n');
    await writeFile(file, manifest('two'));
    const second = await kubectl(['apply', '-f', file]);
    expect(second.stdout).toBe('virtualmachine.kubevirt.io/applied unchanged\nconfigmap/applied-cm configured\n');
    expect((await kubectl(['get', 'cm', 'applied-cm', '-n', 'default', '-o', 'jsonpath={.data.key}'])).stdout).toBe('two');
    expect((await kubectl(['get', 'vmi', 'applied', '-n', 'default', '-o', 'jsonpath={.status.phase}'])).stdout).toBe('Running');
  });
});
