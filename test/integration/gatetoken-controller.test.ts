// The GateToken controller against the cluster stand-in and a real gateway:
// it runs with its own service account and exactly the RBAC that
// deploy/gatetoken ships (rendered with kubectl kustomize), GateTokens are
// created with the real kubectl, and a signed token opens a console.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { vncPath } from '../../shared/kubevirt-paths.ts';
import { parseControllerArgs } from '../../gateway/gatetoken/config.ts';
import { startController, type RunningController } from '../../gateway/gatetoken/controller.ts';
import type { GateToken } from '../../gateway/gatetoken/gatetoken.ts';
import { itemPath } from '../../gateway/gatetoken/reconciler.ts';
import { clusterRequest } from '../cluster/client.ts';
import { kubectlRunner } from '../cluster/kubectl.ts';
import type { KubeObject } from '../cluster/store.ts';
import { bearerSubprotocol, openConsole } from '../support/console-client.ts';
import { startHarness, waitFor, type Harness } from '../support/gateway-harness.ts';

const CONTROLLER_SA = 'system:serviceaccount:kube-gateway:gatepass-gatetoken-controller';
const deployDir = fileURLToPath(new URL('../../deploy/gatetoken', import.meta.url));

/** The RBAC objects the manifests ship; the stand-in serves these kinds, not the CRD or the Deployment. */
function shippedRbac(): KubeObject[] {
  const rendered = execFileSync('kubectl', ['kustomize', deployDir], { encoding: 'utf8' });
  const objects = parseAllDocuments(rendered).map((doc) => doc.toJS() as KubeObject);
  return objects.filter((o) => ['ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].includes(o.kind));
}

let h: Harness;
let dir: string;
let tokenFile: string;
let kubectl: ReturnType<typeof kubectlRunner>;
const controllers: RunningController[] = [];
const logs = new Map<string, string[]>();

beforeAll(async () => {
  h = await startHarness({
    cluster: {
      fixture: {
        base: 'default',
        users: [{ context: 'gatetoken-controller', username: CONTROLLER_SA, groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-gateway'] }],
        objects: shippedRbac(),
      },
    },
  });
  dir = await mkdtemp(join(tmpdir(), 'gatepass-gatetoken-'));
  tokenFile = join(dir, 'token');
  await writeFile(tokenFile, h.cluster.credentials['gatetoken-controller']?.token ?? '');
  kubectl = kubectlRunner(h.cluster.kubeconfigPath);
});

afterEach(async () => {
  await Promise.all(controllers.splice(0).map((c) => c.stop()));
});

afterAll(async () => {
  await h?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function controller(identity: string, extra: string[] = [], bearerTokenFile = tokenFile): RunningController {
  const parsed = parseControllerArgs([
    '--api-server', h.cluster.server,
    '--api-server-ca-file', h.files.caFile,
    '--api-server-bearer-token-file', bearerTokenFile,
    '--namespace', 'kube-gateway',
    '--identity', identity,
    '--leader-elect-lease-duration', '2s',
    '--leader-elect-renew-deadline', '1500ms',
    '--leader-elect-retry-period', '200ms',
    '--log-level', 'debug',
    ...extra,
  ], { namespace: undefined, identity });
  if (parsed.help) throw new Error('unexpected --help');
  const lines: string[] = [];
  logs.set(identity, lines);
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const running = startController(parsed.config, { logDestination: sink });
  controllers.push(running);
  return running;
}

let counter = 0;

/** Creates a GateToken with the real kubectl, as the admin. */
async function createWithKubectl(namespace: string, spec: Record<string, unknown>): Promise<string> {
  const name = `link-${++counter}`;
  const file = join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify({ apiVersion: 'kubegateway.kubevirt.io/v1beta1', kind: 'GateToken', metadata: { name, namespace }, spec }));
  const result = await kubectl(['create', '-f', file]);
  expect(result.stderr).toBe('');
  expect(result.stdout).toContain(`gatetoken.kubegateway.kubevirt.io/${name} created`);
  return name;
}

async function read(namespace: string, name: string): Promise<GateToken> {
  const res = await clusterRequest(h.cluster, { context: 'admin', path: itemPath(namespace, name) });
  expect(res.status).toBe(200);
  return res.json as GateToken;
}

async function settled(namespace: string, name: string): Promise<GateToken> {
  let token: GateToken | undefined;
  await waitFor(async () => {
    token = await read(namespace, name);
    return token.status?.phase !== undefined;
  }, `GateToken ${namespace}/${name} to get a phase`);
  return token!;
}

const consoleUrl = (namespace: string, name: string) => `${h.url.replace('http', 'ws')}/k8s${vncPath(namespace, name)}`;

describe('signing', () => {
  it('signs a GateToken created with kubectl, and the token opens the console through the gateway', async () => {
    const c = controller('c1');
    await c.leading;
    const name = await createWithKubectl('team-a', { urls: [vncPath('team-a', 'web-1')], duration: '30m' });
    const token = await settled('team-a', name);

    expect(token.status?.phase).toBe('Ready');
    const jwt = token.status?.token ?? '';
    expect(decodeProtectedHeader(jwt)).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: h.key.kid });
    const claims = decodeJwt(jwt);
    expect(claims).toMatchObject({ URLs: [vncPath('team-a', 'web-1')], verbs: ['get'], id: token.metadata.uid, jti: token.metadata.uid });
    expect(claims.exp! - claims.nbf!).toBe(30 * 60 + 60);
    expect(token.status?.data).toMatchObject({ duration: '30m', urls: [vncPath('team-a', 'web-1')], verbs: ['get'], nbf: claims.nbf, exp: claims.exp });
    expect(token.status?.conditions).toEqual([
      expect.objectContaining({ type: 'Ready', status: 'True', reason: 'TokenCreated', observedGeneration: 1 }),
    ]);

    const opened = await openConsole(consoleUrl('team-a', 'web-1'), { protocols: ['plain.kubevirt.io', bearerSubprotocol(jwt)] });
    expect(opened.code).toBeUndefined();
    expect(opened.data?.toString('latin1')).toBe('RFB 003.008\n');
    opened.ws.close();

    // The token grants that console and nothing else.
    const other = await openConsole(consoleUrl('team-a', 'db-1'), { protocols: ['plain.kubevirt.io', bearerSubprotocol(jwt)] });
    expect(other.code).toBe(4403);
  });

  it('refuses a URL in another namespace: phase Error, a clear condition, no token', async () => {
    const c = controller('c1');
    await c.leading;
    const name = await createWithKubectl('team-a', { urls: [vncPath('team-b', 'build-7')] });
    const token = await settled('team-a', name);
    expect(token.status?.phase).toBe('Error');
    expect(token.status?.token).toBeUndefined();
    expect(token.status?.data).toBeUndefined();
    const [condition] = token.status?.conditions ?? [];
    expect(condition).toMatchObject({ type: 'Ready', status: 'False', reason: 'URLOutsideNamespace' });
    expect(condition?.message).toContain(`spec.urls[0] "${vncPath('team-b', 'build-7')}" is outside the GateToken's namespace "team-a"`);
  });

  it('refuses a bad duration and a lifetime over the cap', async () => {
    const c = controller('c1', ['--max-token-lifetime', '24h']);
    await c.leading;
    const bad = await createWithKubectl('team-a', { urls: [vncPath('team-a', 'web-1')], duration: 'a while' });
    const long = await createWithKubectl('team-a', { urls: [vncPath('team-a', 'web-1')], duration: '25h' });
    const badToken = await settled('team-a', bad);
    expect(badToken.status).toMatchObject({ phase: 'Error', conditions: [{ reason: 'InvalidDuration', message: expect.stringContaining('"a while"') }] });
    expect(badToken.status?.token).toBeUndefined();
    const longToken = await settled('team-a', long);
    expect(longToken.status).toMatchObject({ phase: 'Error', conditions: [{ reason: 'LifetimeTooLong', message: expect.stringContaining('24h0m0s') }] });

    // Fixing the spec (a new generation) gets it judged again.
    expect((await kubectl(['patch', 'gatetoken', bad, '-n', 'team-a', '--type=merge', '-p', '{"spec":{"duration":"20m"}}'])).code).toBe(0);
    await waitFor(async () => (await read('team-a', bad)).status?.phase === 'Ready', 'the fixed GateToken to be signed');
    expect((await read('team-a', bad)).status?.data?.duration).toBe('20m');
  });

  it('reports a key secret it may not read, without a token', async () => {
    const c = controller('c1');
    await c.leading;
    const name = await createWithKubectl('team-a', { urls: [vncPath('team-a', 'web-1')], 'secret-name': 'kube-gateway-jwt' });
    const token = await settled('team-a', name);
    expect(token.status).toMatchObject({ phase: 'Error', conditions: [{ reason: 'PrivateKeyError' }] });
    expect(token.status?.conditions?.[0]?.message).toMatch(/cannot read the private key secret kube-gateway\/kube-gateway-jwt: .*forbidden/);
    expect(token.status?.token).toBeUndefined();
  });

  it('never signs a GateToken again: not one signed elsewhere, not its own after a restart or a spec edit', async () => {
    // Signed before this controller ever ran (by the upstream operator, say).
    const name = await createWithKubectl('team-a', { urls: [vncPath('team-a', 'web-1')] });
    const existing = await read('team-a', name);
    const put = await clusterRequest(h.cluster, {
      context: 'admin', method: 'PUT', path: `${itemPath('team-a', name)}/status`,
      body: { ...existing, status: { token: 'signed-elsewhere', phase: 'Ready' } },
    });
    expect(put.status).toBe(200);

    const first = controller('c1');
    await first.leading;
    const fresh = await createWithKubectl('team-a', { urls: [vncPath('team-a', 'web-1')] });
    const signed = (await settled('team-a', fresh)).status?.token;
    expect(signed).toBeTruthy();
    await first.idle();
    expect((await read('team-a', name)).status?.token).toBe('signed-elsewhere');

    const edit = await kubectl(['patch', 'gatetoken', fresh, '-n', 'team-a', '--type=merge', '-p', '{"spec":{"duration":"2h"}}']);
    expect(edit.code).toBe(0);
    await first.stop();
    const second = controller('c2');
    await second.leading;
    // The queue is served in order: once a GateToken created now is signed, the listed ones have been handled.
    const marker = await createWithKubectl('team-a', { urls: [vncPath('team-a', 'db-1')] });
    expect((await settled('team-a', marker)).status?.phase).toBe('Ready');
    const after = await read('team-a', fresh);
    expect(after.metadata.generation).toBe(2);
    expect(after.status?.token).toBe(signed);
    expect((await read('team-a', name)).status?.token).toBe('signed-elsewhere');
    expect(logs.get('c2')?.filter((l) => l.includes('"msg":"GateToken signed"'))).toHaveLength(1);
  });
});

// Kubernetes records no creator a controller could put to a SubjectAccessReview, so
// the guard is RBAC on GateTokens plus the namespace scope (deploy/gatetoken/README.md).
describe('who may ask: the requester binding is the guard', () => {
  const requestAs = (context: string, namespace: string, urls: string[]) => clusterRequest(h.cluster, {
    context, method: 'POST', path: `/apis/kubegateway.kubevirt.io/v1beta1/namespaces/${namespace}/gatetokens`,
    body: { apiVersion: 'kubegateway.kubevirt.io/v1beta1', kind: 'GateToken', metadata: { name: `asked-${++counter}` }, spec: { urls } },
  });

  it('issuer-limited, a requester in team-a only, gets team-a consoles and no way to team-b', async () => {
    h.cluster.objects.put({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'dana-requests', namespace: 'team-a' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'gatepass-gatetoken-requester' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'dana' }],
    });
    try {
      const c = controller('c1');
      await c.leading;
      const own = await requestAs('issuer-limited', 'team-a', [vncPath('team-a', 'web-1')]);
      expect(own.status).toBe(201);
      expect((await settled('team-a', (own.json as GateToken).metadata.name)).status?.phase).toBe('Ready');

      // No binding in team-b: the API server refuses the GateToken itself, so there is nothing to sign.
      expect((await requestAs('issuer-limited', 'team-b', [vncPath('team-b', 'build-7')])).status).toBe(403);
      // And one in team-a cannot reach over.
      const over = await requestAs('issuer-limited', 'team-a', [vncPath('team-b', 'build-7')]);
      expect(over.status).toBe(201);
      const refused = await settled('team-a', (over.json as GateToken).metadata.name);
      expect(refused.status).toMatchObject({ phase: 'Error', conditions: [{ reason: 'URLOutsideNamespace' }] });
      expect(refused.status?.token).toBeUndefined();
    } finally {
      h.cluster.objects.delete('RoleBinding', 'team-a', 'dana-requests');
    }
  });
});

describe('leader election', () => {
  it('a second instance does not reconcile while the first holds the Lease, and takes over when it stops', async () => {
    const a = controller('instance-a');
    await a.leading;
    const b = controller('instance-b');
    const name = await createWithKubectl('team-a', { urls: [vncPath('team-a', 'web-1')] });
    expect((await settled('team-a', name)).status?.phase).toBe('Ready');
    // Several lease durations: b keeps waiting because a keeps renewing.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(a.isLeader()).toBe(true);
    expect(b.isLeader()).toBe(false);
    const lease = await clusterRequest(h.cluster, { context: 'admin', path: '/apis/coordination.k8s.io/v1/namespaces/kube-gateway/leases/gatepass-gatetoken-controller' });
    expect(lease.json).toMatchObject({ spec: { holderIdentity: 'instance-a', leaseDurationSeconds: 2 } });
    expect(logs.get('instance-a')?.some((l) => l.includes('"msg":"GateToken signed"'))).toBe(true);
    expect(logs.get('instance-b')?.some((l) => l.includes('"msg":"GateToken signed"'))).toBe(false);
    expect(logs.get('instance-b')?.some((l) => l.includes('held by another instance'))).toBe(true);

    await a.stop();
    expect(await a.done).toBe('stopped');
    await b.leading;
    const later = await createWithKubectl('team-a', { urls: [vncPath('team-a', 'db-1')] });
    expect((await settled('team-a', later)).status?.phase).toBe('Ready');
    expect(logs.get('instance-b')?.some((l) => l.includes('"msg":"GateToken signed"'))).toBe(true);
    const taken = await clusterRequest(h.cluster, { context: 'admin', path: '/apis/coordination.k8s.io/v1/namespaces/kube-gateway/leases/gatepass-gatetoken-controller' });
    expect(taken.json).toMatchObject({ spec: { holderIdentity: 'instance-b' } });
  });

  it('a leader cut off from the API server stops, and the other instance takes over once the Lease expires', async () => {
    // Its own copy of the token: replacing it with garbage makes every renewal a 401.
    const ownToken = join(dir, 'token-a');
    await writeFile(ownToken, h.cluster.credentials['gatetoken-controller']?.token ?? '');
    const a = controller('cut-off-a', [], ownToken);
    await a.leading;
    const b = controller('cut-off-b');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(b.isLeader()).toBe(false);

    await writeFile(ownToken, 'revoked');
    const cutAt = Date.now();
    expect(await a.done).toBe('lost');
    const lostAfter = Date.now() - cutAt;
    await b.leading;
    const tookOverAfter = Date.now() - cutAt;
    // a gives up within its renew deadline (plus a retry period); b waits out the 2s lease first.
    expect(lostAfter).toBeLessThan(2_500);
    expect(tookOverAfter).toBeGreaterThan(lostAfter);
    const name = await createWithKubectl('team-a', { urls: [vncPath('team-a', 'web-1')] });
    expect((await settled('team-a', name)).status?.phase).toBe('Ready');
    expect(logs.get('cut-off-a')?.some((l) => l.includes('lost the leadership'))).toBe(true);
  });

  it('the service account may do what the controller needs and no more', async () => {
    const can = async (path: string, method = 'GET') =>
      (await clusterRequest(h.cluster, { context: 'gatetoken-controller', method, path, ...(method === 'GET' ? {} : { body: {} }) })).status;
    expect(await can('/api/v1/namespaces/kube-gateway/secrets/kube-gateway-jwt-private')).toBe(200);
    expect(await can('/api/v1/namespaces/kube-gateway/secrets/kube-gateway-jwt')).toBe(403);
    expect(await can('/api/v1/namespaces/team-a/secrets')).toBe(403);
    expect(await can('/apis/kubegateway.kubevirt.io/v1beta1/gatetokens')).toBe(200);
    expect(await can('/apis/kubegateway.kubevirt.io/v1beta1/namespaces/team-a/gatetokens', 'POST')).toBe(403);
    expect(await can('/apis/coordination.k8s.io/v1/namespaces/team-a/leases')).toBe(403);
  });
});

describe('gatepass-gateway gatetoken-controller', () => {
  it('runs from the gateway CLI, signs, and exits 0 on SIGTERM after handing the Lease back', async () => {
    const child = spawn(process.execPath, [
      '--import', 'tsx', 'gateway/cli.ts', 'gatetoken-controller',
      `-api-server=${h.cluster.server}`, `--api-server-ca-file=${h.files.caFile}`, '--api-server-bearer-token-file', tokenFile,
      '--namespace=kube-gateway', '--identity=cli-pod', '--leader-elect-lease-duration=2s', '--leader-elect-renew-deadline=1500ms', '--leader-elect-retry-period=200ms',
    ], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const name = await createWithKubectl('team-a', { urls: [vncPath('team-a', 'web-1')] });
      await waitFor(async () => (await read('team-a', name)).status?.phase === 'Ready', 'the CLI controller to sign', 20_000);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const lease = await clusterRequest(h.cluster, { context: 'admin', path: '/apis/coordination.k8s.io/v1/namespaces/kube-gateway/leases/gatepass-gatetoken-controller' });
      expect(lease.json).toMatchObject({ spec: { holderIdentity: '' } });
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('exits 2 with one line on a configuration mistake', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/cli.ts', 'gatetoken-controller', '--max-token-lifetime=soon'], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(2);
    expect(stderr).toBe('gatepass-gateway gatetoken-controller: --max-token-lifetime: invalid duration "soon": expected a number at "soon"\n');
  });
});

describe('the stand-in serves GateTokens as a CRD with a status subresource', () => {
  it('lists the type in discovery, for kubectl', async () => {
    const result = await kubectl(['api-resources', '--api-group=kubegateway.kubevirt.io', '-o', 'wide']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/gatetokens\s+kubegateway\.kubevirt\.io\/v1beta1\s+true\s+GateToken/);
  });

  it('keeps status out of writes to the object and spec out of writes to /status', async () => {
    const name = await createWithKubectl('team-b', { urls: [vncPath('team-b', 'build-7')] });
    const created = await read('team-b', name);
    const mainPut = await clusterRequest(h.cluster, {
      context: 'admin', method: 'PUT', path: itemPath('team-b', name), body: { ...created, status: { token: 'smuggled' } },
    });
    expect(mainPut.status).toBe(200);
    expect((mainPut.json as GateToken).status).toBeUndefined();

    const statusPut = await clusterRequest(h.cluster, {
      context: 'admin', method: 'PUT', path: `${itemPath('team-b', name)}/status`,
      body: { ...(mainPut.json as GateToken), spec: { urls: ['/apis/*'] }, status: { phase: 'Error' } },
    });
    expect(statusPut.status).toBe(200);
    expect(statusPut.json).toMatchObject({ spec: { urls: [vncPath('team-b', 'build-7')] }, status: { phase: 'Error' } });

    const stale = await clusterRequest(h.cluster, {
      context: 'admin', method: 'PUT', path: `${itemPath('team-b', name)}/status`, body: { ...created, status: { phase: 'Ready' } },
    });
    expect(stale.status).toBe(409);
  });
});
