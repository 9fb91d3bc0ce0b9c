import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterRequest } from '../cluster/client.ts';
import type { ClusterRequest } from '../cluster/client.ts';
import { startCluster } from '../cluster/server.ts';
import type { ClusterHandle } from '../cluster/server.ts';

let cluster: ClusterHandle;
const call = (r: ClusterRequest): ReturnType<typeof clusterRequest> => clusterRequest(cluster, r);

beforeAll(async () => {
  cluster = await startCluster();
});

afterAll(async () => {
  await cluster?.close();
});

const SECRETS = '/api/v1/namespaces/kube-gateway/secrets';

describe('RBAC', () => {
  it('answers 403 with a Kubernetes Status naming user, verb, resource and namespace', async () => {
    const r = await call({ context: 'operator', path: `${SECRETS}/kube-gateway-jwt` });
    expect(r.status).toBe(403);
    expect(r.json).toEqual({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403,
      message: 'secrets "kube-gateway-jwt" is forbidden: User "alice" cannot get resource "secrets" in API group "" in the namespace "kube-gateway"',
      details: { name: 'kube-gateway-jwt', group: '', kind: 'secrets' },
    });
  });

  it('says "at the cluster scope" for cluster-wide requests', async () => {
    const r = await call({ context: 'viewer', path: '/api/v1/namespaces' });
    expect(r.status).toBe(403);
    expect((r.json as { message: string }).message).toBe('namespaces is forbidden: User "bob" cannot list resource "namespaces" in API group "" at the cluster scope');
  });

  it('allows a resourceNames-limited list or watch only when pinned by a metadata.name field selector', async () => {
    const unpinned = await call({ context: 'gateway', path: SECRETS });
    expect(unpinned.status).toBe(403);
    const pinned = await call({ context: 'gateway', path: `${SECRETS}?fieldSelector=metadata.name%3Dkube-gateway-jwt` });
    expect(pinned.status).toBe(200);
    expect((pinned.json as { items: { metadata: { name: string } }[] }).items.map((s) => s.metadata.name)).toEqual(['kube-gateway-jwt']);
    const otherName = await call({ context: 'gateway', path: `${SECRETS}?fieldSelector=metadata.name%3Dkube-gateway-jwt-private` });
    expect(otherName.status).toBe(403);
    const watch = await call({ context: 'gateway', path: `${SECRETS}?watch=true&fieldSelector=metadata.name%3Dkube-gateway-jwt&timeoutSeconds=1` });
    expect(watch.status).toBe(200);
    const events = watch.text.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } });
    expect(events.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'kube-gateway-jwt']]);
  });

  it('lets the operator read only the ConfigMap gatepass in kube-gateway', async () => {
    expect((await call({ context: 'operator', path: '/api/v1/namespaces/kube-gateway/configmaps/gatepass' })).status).toBe(200);
    expect((await call({ context: 'operator', path: '/api/v1/namespaces/kube-gateway/configmaps' })).status).toBe(403);
    expect((await call({ context: 'operator', path: '/api/v1/namespaces/team-a/configmaps/gatepass' })).status).toBe(403);
  });

  it('reports subresource access through SelfSubjectAccessReview', async () => {
    const review = (context: string, subresource: string) => call({
      context, method: 'POST', path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: 'team-a', verb: 'get', group: 'subresources.kubevirt.io', resource: 'virtualmachineinstances', subresource, name: 'web-1' } } },
    }).then((r) => (r.json as { status: { allowed: boolean } }).status.allowed);
    expect(await review('operator', 'vnc')).toBe(true);
    expect(await review('operator', 'vnc/screenshot')).toBe(false);
    expect(await review('gateway', 'vnc/screenshot')).toBe(true);
    expect(await review('viewer', 'vnc')).toBe(false);
  });

  it('validates tokens through TokenReview', async () => {
    const review = (token: string) => call({
      context: 'admin', method: 'POST', path: '/apis/authentication.k8s.io/v1/tokenreviews',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
    }).then((r) => (r.json as { status: { authenticated: boolean; user?: { username: string } } }).status);
    expect(await review(cluster.credentials['gateway']!.token!)).toMatchObject({ authenticated: true, user: { username: 'system:serviceaccount:kube-gateway:kube-gateway' } });
    expect(await review('nope')).toMatchObject({ authenticated: false });
    const viewer = await call({ context: 'viewer', method: 'POST', path: '/apis/authentication.k8s.io/v1/tokenreviews', body: { spec: { token: 'x' } } });
    expect(viewer.status).toBe(403);
  });

  it('follows RBAC objects created at runtime', async () => {
    const path = '/api/v1/namespaces/team-b/secrets';
    expect((await call({ context: 'viewer', path })).status).toBe(403);
    const role = await call({
      context: 'admin', method: 'POST', path: '/apis/rbac.authorization.k8s.io/v1/namespaces/team-b/roles',
      body: { metadata: { name: 'secret-reader' }, rules: [{ apiGroups: [''], resources: ['*'], verbs: ['list'] }] },
    });
    expect(role.status).toBe(201);
    await call({
      context: 'admin', method: 'POST', path: '/apis/rbac.authorization.k8s.io/v1/namespaces/team-b/rolebindings',
      body: { metadata: { name: 'bob-reads' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'secret-reader' }, subjects: [{ kind: 'User', name: 'bob' }] },
    });
    expect((await call({ context: 'viewer', path })).status).toBe(200);
    expect((await call({ context: 'viewer', path: '/api/v1/namespaces/team-a/secrets' })).status).toBe(403);
  });

  it('rejects missing credentials with 401', async () => {
    const r = await call({ path: '/api/v1/namespaces' });
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ kind: 'Status', reason: 'Unauthorized' });
  });
});
