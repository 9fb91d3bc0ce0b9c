// The rendered deploy/ RBAC loaded into the stand-in, where RBAC is evaluated for real:
// a `kubectl auth can-i` matrix (the real kubectl, as each service account's token)
// proves the gateway's account can do exactly what it needs and nothing more, and the
// migration step from kube-gateway is what silences the gateway's start-up warning.
import { PassThrough } from 'node:stream';
import { writeFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../gateway/config.ts';
import { startGateway } from '../../gateway/start.ts';
import { clusterRequest } from '../cluster/client.ts';
import { generateJwtKeyPair } from '../cluster/jwt-keys.ts';
import { kubectlRunner, type KubectlResult } from '../cluster/kubectl.ts';
import { startCluster, type ClusterHandle } from '../cluster/server.ts';
import type { KubeObject } from '../cluster/store.ts';
import { keySecrets } from '../cluster/default-fixture.ts';
import { DEPLOY_USERS, deployFixture, kustomize } from '../support/deploy-render.ts';
import { waitFor } from '../support/gateway-harness.ts';

let cluster: ClusterHandle;
let kubectl: (args: readonly string[]) => Promise<KubectlResult>;
const apiLog: string[] = [];

const otherSecret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-password', namespace: 'team-a' }, data: { password: Buffer.from('hunter2').toString('base64') } };

beforeAll(async () => {
  const rendered = await kustomize('deploy/overlays/openshift');
  cluster = await startCluster({
    fixture: deployFixture(rendered, { vms: [{ namespace: 'team-a', name: 'web-1', running: true }], objects: [...keySecrets(await generateJwtKeyPair()), otherSecret] }),
    log: (line) => apiLog.push(line),
  });
  kubectl = kubectlRunner(cluster.kubeconfigPath);
});

afterAll(async () => {
  await cluster?.close();
});

type Who = keyof typeof DEPLOY_USERS;
const canI = async (who: Who, args: string[]): Promise<boolean> => {
  const r = await kubectl(['--context', who, 'auth', 'can-i', ...args]);
  if (r.code !== 0 && r.code !== 1) throw new Error(`kubectl auth can-i ${args.join(' ')} failed: ${r.stderr}`);
  return r.code === 0 && r.stdout.trim() === 'yes';
};

const NS = ['-n', 'kube-gateway'];
// [who, can-i arguments, expected]
const MATRIX: [Who, string[], boolean][] = [
  ['gateway', ['get', 'secrets/kube-gateway-jwt', ...NS], true],
  ['gateway', ['watch', 'secrets/kube-gateway-jwt', ...NS], true],
  ['gateway', ['list', 'secrets/kube-gateway-jwt', ...NS], true],
  ['gateway', ['list', 'secrets', ...NS], false],
  ['gateway', ['list', 'secrets', '-A'], false],
  ['gateway', ['get', 'secrets/kube-gateway-jwt-private', ...NS], false],
  ['gateway', ['get', 'secrets/db-password', '-n', 'team-a'], false],
  ['gateway', ['update', 'secrets/kube-gateway-jwt', ...NS], false],
  ['gateway', ['patch', 'secrets/kube-gateway-jwt', ...NS], false],
  ['gateway', ['create', 'secrets', ...NS], false],
  ['gateway', ['delete', 'secrets/kube-gateway-jwt', ...NS], false],
  ['gateway', ['watch', 'configmaps/gatepass-revoked', ...NS], true],
  ['gateway', ['create', 'configmaps', ...NS], true],
  ['gateway', ['update', 'configmaps/gatepass-uses-0123', ...NS], true],
  // The link janitor lists the use counters and deletes those of expired links.
  ['gateway', ['delete', 'configmaps/gatepass-uses-0123', ...NS], true],
  ['gateway', ['list', 'configmaps', ...NS], true],
  ['gateway', ['update', 'configmaps/gatepass-revoked', ...NS], true],
  ['gateway', ['list', 'configmaps', '-A'], false],
  ['gateway', ['delete', 'configmaps/gatepass-uses-0123', '-n', 'team-a'], false],
  ['gateway', ['create', 'configmaps', '-n', 'team-a'], false],
  ['gateway', ['create', 'leases.coordination.k8s.io', ...NS], true],
  ['gateway', ['get', 'leases.coordination.k8s.io/gatepass-janitor', ...NS], true],
  ['gateway', ['update', 'leases.coordination.k8s.io/gatepass-janitor', ...NS], true],
  // A serial console's Lease is named after its VMI: RBAC cannot limit get/update/delete by prefix.
  ['gateway', ['get', 'leases.coordination.k8s.io/gatepass-serial.team-a.web-1', ...NS], true],
  ['gateway', ['update', 'leases.coordination.k8s.io/gatepass-serial.team-a.web-1', ...NS], true],
  ['gateway', ['delete', 'leases.coordination.k8s.io/gatepass-serial.team-a.web-1', ...NS], true],
  // The shared VNC consoles' Leases are named alike, and reached by the same rule.
  ['gateway', ['get', 'leases.coordination.k8s.io/gatepass-vnc.team-a.web-1', ...NS], true],
  ['gateway', ['update', 'leases.coordination.k8s.io/gatepass-vnc.team-a.web-1', ...NS], true],
  ['gateway', ['delete', 'leases.coordination.k8s.io/gatepass-vnc.team-a.web-1', ...NS], true],
  ['gateway', ['update', 'leases.coordination.k8s.io/gatepass-serial.team-a.web-1', '-n', 'team-a'], false],
  ['gateway', ['delete', 'leases.coordination.k8s.io/gatepass-serial.team-a.web-1', '-n', 'team-a'], false],
  // Accepted with it (rbac-gateway.yaml says why): another Lease in the namespace is within reach too.
  ['gateway', ['update', 'leases.coordination.k8s.io/gatepass-gatetoken-controller', ...NS], true],
  ['gateway', ['list', 'leases.coordination.k8s.io', ...NS], false],
  ['gateway', ['watch', 'leases.coordination.k8s.io', ...NS], false],
  ['gateway', ['create', 'leases.coordination.k8s.io', '-n', 'team-a'], false],
  ['gateway', ['get', 'virtualmachines.kubevirt.io', '-n', 'team-a'], false],
  ['gateway', ['create', 'virtualmachines.kubevirt.io', '-n', 'team-a'], false],
  ['gateway', ['delete', 'virtualmachineinstances.kubevirt.io/web-1', '-n', 'team-a'], false],
  ['gateway', ['get', 'virtualmachineinstances.kubevirt.io/web-1', '-n', 'team-a'], true],
  ['gateway', ['update', 'virtualmachineinstances.kubevirt.io/web-1', '-n', 'team-a'], false],
  ['gateway', ['patch', 'virtualmachineinstances.kubevirt.io/web-1', '-n', 'team-a'], false],
  ['gateway', ['list', 'virtualmachineinstances.kubevirt.io', '-n', 'team-a'], false],
  ['gateway', ['create', 'events', '-n', 'team-a'], true],
  ['gateway', ['patch', 'events/web-1.17f0', '-n', 'team-b'], true],
  ['gateway', ['delete', 'events/web-1.17f0', '-n', 'team-a'], false],
  ['gateway', ['list', 'events', '-n', 'team-a'], false],
  ['gateway', ['update', 'events/web-1.17f0', '-n', 'team-a'], false],
  ['gateway', ['create', 'events.events.k8s.io', '-n', 'team-a'], false],
  ['gateway', ['create', 'rolebindings.rbac.authorization.k8s.io', ...NS], false],
  ['gateway', ['create', 'serviceaccounts/token', ...NS], false],
  ['gateway', ['*', '*'], false],
  ['keys', ['create', 'secrets', ...NS], true],
  ['keys', ['update', 'secrets/kube-gateway-jwt-private', ...NS], true],
  ['keys', ['update', 'secrets/kube-gateway-jwt', ...NS], true],
  ['keys', ['delete', 'secrets/kube-gateway-jwt-next', ...NS], true],
  ['keys', ['delete', 'secrets/kube-gateway-jwt-private', ...NS], false],
  ['keys', ['list', 'secrets', ...NS], false],
  ['keys', ['get', 'secrets/db-password', '-n', 'team-a'], false],
  ['keys', ['create', 'secrets', '-n', 'team-a'], false],
  ['issuer', ['get', 'secrets/kube-gateway-jwt-private', ...NS], true],
  ['issuer', ['get', 'configmaps/gatepass', ...NS], true],
  ['issuer', ['patch', 'configmaps/gatepass-revoked', ...NS], true],
  ['issuer', ['update', 'secrets/kube-gateway-jwt-private', ...NS], false],
  ['issuer', ['list', 'secrets', ...NS], false],
  ['issuer', ['update', 'configmaps/gatepass', ...NS], false],
  ['stranger', ['get', 'secrets/kube-gateway-jwt-private', ...NS], false],
  ['stranger', ['get', 'configmaps/gatepass', ...NS], false],
];

describe('kubectl auth can-i with the rendered RBAC', () => {
  it.each(MATRIX)('%s: can-i %j → %s', async (who, args, expected) => {
    expect(await canI(who, args)).toBe(expected);
  });

  it.each([
    ['gateway', 'vnc', true], ['gateway', 'vnc/screenshot', true], ['gateway', 'console', true], ['gateway', 'portforward', false],
    ['gateway', 'usbredir', false], ['gateway', 'guestosinfo', false], ['stranger', 'vnc', false], ['stranger', 'console', false],
  ] as const)('%s: get virtualmachineinstances/%s → %s (SelfSubjectAccessReview)', async (who, subresource, expected) => {
    const r = await clusterRequest(cluster, {
      context: who, method: 'POST', path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: 'team-a', verb: 'get', group: 'subresources.kubevirt.io', resource: 'virtualmachineinstances', subresource, name: 'web-1' } } },
    });
    expect((r.json as { status: { allowed: boolean } }).status.allowed).toBe(expected);
  });

  it('serves the gateway what it reads, the way it reads it, and refuses the private key', async () => {
    const secrets = '/api/v1/namespaces/kube-gateway/secrets';
    expect((await clusterRequest(cluster, { context: 'gateway', path: `${secrets}?fieldSelector=metadata.name%3Dkube-gateway-jwt&watch=true&timeoutSeconds=1` })).status).toBe(200);
    expect((await clusterRequest(cluster, { context: 'gateway', path: `${secrets}/kube-gateway-jwt-private` })).status).toBe(403);
    expect((await clusterRequest(cluster, { context: 'issuer', path: `${secrets}/kube-gateway-jwt-private` })).status).toBe(200);
  });
});

describe('migration from kube-gateway', () => {
  async function startupWarnings(): Promise<string[]> {
    const dir = dirname(cluster.kubeconfigPath);
    const caFile = join(dir, 'ca.crt');
    const tokenFile = join(dir, 'gateway.token');
    await writeFile(caFile, cluster.caPem);
    await writeFile(tokenFile, DEPLOY_USERS.gateway.token);
    const parsed = parseCommandLine(['--gateway-listen', 'http://127.0.0.1:0', '--api-server', cluster.server, '--api-server-ca-file', caFile, '--api-server-bearer-token-file', tokenFile, '--shutdown-grace-period', '1s'], {});
    if (parsed.help) throw new Error('unexpected --help');
    const lines: string[] = [];
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    const reviews = (): number => apiLog.filter((l) => l.includes('selfsubjectrulesreviews')).length;
    const before = reviews();
    const gateway = await startGateway(parsed.config, { logDestination: sink });
    try {
      await gateway.ready;
      // The access check runs in the background: it warns at the first namespace with broad
      // access, or reviews both its namespace and `default` and stays quiet.
      const warned = (): boolean => lines.some((l) => l.includes('kube-gateway-cluster-reader'));
      await waitFor(() => warned() || reviews() - before >= 2, 'the start-up access check');
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await gateway.shutdown();
    }
    return lines.filter((l) => l.includes('kube-gateway-cluster-reader'));
  }

  it("warns while kube-gateway's cluster-reader binding lets the account read every secret, and not after the documented delete", async () => {
    // What kube-gateway's manifests leave behind: its service account bound to a reader of everything.
    const legacy = join(dirname(cluster.kubeconfigPath), 'kube-gateway-legacy.yaml');
    await writeFile(legacy, JSON.stringify({
      apiVersion: 'v1', kind: 'List', items: [
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cluster-reader' }, rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch'] }] },
        {
          apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'kube-gateway-cluster-reader' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-reader' },
          subjects: [{ kind: 'ServiceAccount', name: 'kube-gateway-sa', namespace: 'kube-gateway' }],
        },
      ],
    }));
    // --validate=false: the stand-in publishes no OpenAPI schemas for client-side validation.
    const apply = await kubectl(['--context', 'admin', 'apply', '--validate=false', '-f', legacy]);
    expect(apply.code, apply.stderr).toBe(0);
    expect(await canI('gateway', ['get', 'secrets/db-password', '-n', 'team-a'])).toBe(true);
    expect(await startupWarnings()).toHaveLength(1);

    const remove = await kubectl(['--context', 'admin', 'delete', 'clusterrolebinding', 'kube-gateway-cluster-reader']);
    expect(remove.code, remove.stderr).toBe(0);
    expect(await canI('gateway', ['get', 'secrets/db-password', '-n', 'team-a'])).toBe(false);
    expect(await startupWarnings()).toEqual([]);
  });
});
