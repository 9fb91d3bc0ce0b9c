import type { KubeObject } from './store.ts';

const RBAC_V1 = 'rbac.authorization.k8s.io/v1';

function clusterRole(name: string, rules: unknown[]): KubeObject {
  return { apiVersion: RBAC_V1, kind: 'ClusterRole', metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } }, rules };
}

function bindToAuthenticated(name: string): KubeObject {
  return {
    apiVersion: RBAC_V1, kind: 'ClusterRoleBinding', metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:authenticated' }],
  };
}

/** What every Kubernetes cluster grants any authenticated user: discovery and asking about oneself. */
export function bootstrapPolicy(): KubeObject[] {
  return [
    clusterRole('system:discovery', [
      { verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/readyz', '/version', '/version/', '/openapi', '/openapi/*'] },
    ]),
    bindToAuthenticated('system:discovery'),
    clusterRole('system:basic-user', [
      { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
      { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
    ]),
    bindToAuthenticated('system:basic-user'),
  ];
}
