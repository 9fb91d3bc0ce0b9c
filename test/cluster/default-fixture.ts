import type { Fixture, FixtureUser } from './fixture.ts';
import type { VmSpec } from './kubevirt.ts';
import type { KubeObject } from './store.ts';
import { generateJwtKeyPair } from './jwt-keys.ts';
import type { JwtKeyPair } from './jwt-keys.ts';

export const GATEWAY_NAMESPACE = 'kube-gateway';
export const PUBLIC_KEY_SECRET = 'kube-gateway-jwt';
export const PRIVATE_KEY_SECRET = 'kube-gateway-jwt-private';
export const GATEPASS_CONFIGMAP = 'gatepass';
/** Revoked token ids, watched by the gateway, written by operators who may issue links. */
export const REVOCATION_CONFIGMAP = 'gatepass-revoked';
export const GATEWAY_SERVICE_ACCOUNT = 'kube-gateway';

const RBAC_V1 = 'rbac.authorization.k8s.io/v1';
const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** admin (client certificate, system:masters), operator, viewer, issuer-limited and the gateway's service account (tokens). */
export function defaultUsers(): FixtureUser[] {
  return [
    { context: 'admin', username: 'admin', groups: ['system:masters'], auth: 'clientCertificate' },
    { context: 'operator', username: 'alice', groups: ['gatepass-operators'] },
    { context: 'viewer', username: 'bob', groups: [] },
    // May read the signing key and every VM, but open consoles only in team-a: the issuer whose links must stop at team-b.
    { context: 'issuer-limited', username: 'dana', groups: [] },
    {
      context: 'gateway',
      username: `system:serviceaccount:${GATEWAY_NAMESPACE}:${GATEWAY_SERVICE_ACCOUNT}`,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${GATEWAY_NAMESPACE}`],
    },
  ];
}

function clusterRole(name: string, rules: unknown[]): KubeObject {
  return { apiVersion: RBAC_V1, kind: 'ClusterRole', metadata: { name }, rules };
}

function role(namespace: string, name: string, rules: unknown[]): KubeObject {
  return { apiVersion: RBAC_V1, kind: 'Role', metadata: { name, namespace }, rules };
}

function binding(kind: 'ClusterRoleBinding' | 'RoleBinding', name: string, roleRef: { kind: string; name: string }, subjects: object[], namespace?: string): KubeObject {
  return {
    apiVersion: RBAC_V1, kind, metadata: { name, ...(namespace ? { namespace } : {}) },
    roleRef: { apiGroup: RBAC_GROUP, ...roleRef }, subjects,
  };
}

/** Where the operator may start, stop, restart, pause and unpause VMs (not kube-gateway). */
export const POWER_NAMESPACES = ['team-a', 'team-b'] as const;

const user = (name: string): object => ({ apiGroup: RBAC_GROUP, kind: 'User', name });
const gatewaySa = { kind: 'ServiceAccount', name: GATEWAY_SERVICE_ACCOUNT, namespace: GATEWAY_NAMESPACE };

/** RBAC for the default contexts, as real objects so `kubectl get clusterroles` and can-i agree with what is enforced. */
export function defaultRbac(): KubeObject[] {
  return [
    clusterRole('gatepass-operator', [
      { apiGroups: ['kubevirt.io'], resources: ['virtualmachines', 'virtualmachineinstances'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['subresources.kubevirt.io'], resources: ['virtualmachineinstances/vnc', 'virtualmachineinstances/console'], verbs: ['get'] },
      // Who used the consoles: the gateway's audit Events on the VMIs (bob may not read them).
      { apiGroups: [''], resources: ['events'], verbs: ['get', 'list', 'watch'] },
    ]),
    binding('ClusterRoleBinding', 'gatepass-operator', { kind: 'ClusterRole', name: 'gatepass-operator' }, [user('alice')]),
    // Power over VMs in the teams' namespaces only, so the app both offers and withholds Start/Stop/Restart.
    clusterRole('gatepass-vm-power', [
      { apiGroups: ['subresources.kubevirt.io'], resources: ['virtualmachines/start', 'virtualmachines/stop', 'virtualmachines/restart'], verbs: ['update'] },
      { apiGroups: ['subresources.kubevirt.io'], resources: ['virtualmachineinstances/pause', 'virtualmachineinstances/unpause'], verbs: ['update'] },
    ]),
    ...POWER_NAMESPACES.map((namespace) => binding('RoleBinding', 'gatepass-vm-power', { kind: 'ClusterRole', name: 'gatepass-vm-power' }, [user('alice')], namespace)),
    role(GATEWAY_NAMESPACE, 'gatepass-issuer', [
      { apiGroups: [''], resources: ['secrets'], resourceNames: [PRIVATE_KEY_SECRET], verbs: ['get'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: [GATEPASS_CONFIGMAP], verbs: ['get'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: [REVOCATION_CONFIGMAP], verbs: ['get', 'update', 'patch'] },
    ]),
    binding('RoleBinding', 'gatepass-issuer', { kind: 'Role', name: 'gatepass-issuer' }, [user('alice'), user('dana')], GATEWAY_NAMESPACE),
    clusterRole('gatepass-vm-reader', [
      { apiGroups: ['kubevirt.io'], resources: ['virtualmachines', 'virtualmachineinstances'], verbs: ['get', 'list', 'watch'] },
    ]),
    binding('ClusterRoleBinding', 'gatepass-vm-reader', { kind: 'ClusterRole', name: 'gatepass-vm-reader' }, [user('dana')]),
    clusterRole('gatepass-vm-console', [
      { apiGroups: ['subresources.kubevirt.io'], resources: ['virtualmachineinstances/vnc', 'virtualmachineinstances/vnc/screenshot', 'virtualmachineinstances/console'], verbs: ['get'] },
    ]),
    binding('RoleBinding', 'gatepass-vm-console', { kind: 'ClusterRole', name: 'gatepass-vm-console' }, [user('dana')], 'team-a'),

    clusterRole('gatepass-vm-lister', [{ apiGroups: ['kubevirt.io'], resources: ['virtualmachines'], verbs: ['list'] }]),
    binding('ClusterRoleBinding', 'gatepass-vm-lister', { kind: 'ClusterRole', name: 'gatepass-vm-lister' }, [user('bob')]),

    clusterRole('kube-gateway-console', [
      { apiGroups: ['subresources.kubevirt.io'], resources: ['virtualmachineinstances/vnc', 'virtualmachineinstances/vnc/screenshot', 'virtualmachineinstances/console'], verbs: ['get'] },
    ]),
    binding('ClusterRoleBinding', 'kube-gateway-console', { kind: 'ClusterRole', name: 'kube-gateway-console' }, [gatewaySa]),
    // The console audit trail: Events on the VMI, and the VMI's uid so `kubectl describe vmi` finds them.
    clusterRole('kube-gateway-audit', [
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      { apiGroups: ['kubevirt.io'], resources: ['virtualmachineinstances'], verbs: ['get'] },
    ]),
    binding('ClusterRoleBinding', 'kube-gateway-audit', { kind: 'ClusterRole', name: 'kube-gateway-audit' }, [gatewaySa]),
    role(GATEWAY_NAMESPACE, 'kube-gateway-public-key', [
      { apiGroups: [''], resources: ['secrets'], resourceNames: [PUBLIC_KEY_SECRET], verbs: ['get', 'list', 'watch'] },
    ]),
    binding('RoleBinding', 'kube-gateway-public-key', { kind: 'Role', name: 'kube-gateway-public-key' }, [gatewaySa], GATEWAY_NAMESPACE),
    // What the gateway keeps in its own namespace: the revocation list it watches, the use counters of limited-use
    // links, and the Lease of the janitor that removes both once their links have expired.
    role(GATEWAY_NAMESPACE, 'kube-gateway-state', [
      { apiGroups: [''], resources: ['configmaps'], resourceNames: [REVOCATION_CONFIGMAP], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'create', 'update', 'delete'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['gatepass-janitor'], verbs: ['get', 'update'] },
    ]),
    binding('RoleBinding', 'kube-gateway-state', { kind: 'Role', name: 'kube-gateway-state' }, [gatewaySa], GATEWAY_NAMESPACE),
    // As deploy/ has it: the Lease each replica holds for a VMI whose serial console it relays (gatepass-serial.<ns>.<vm>).
    role(GATEWAY_NAMESPACE, 'kube-gateway-serial-console', [
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'update', 'delete'] },
    ]),
    binding('RoleBinding', 'kube-gateway-serial-console', { kind: 'Role', name: 'kube-gateway-serial-console' }, [gatewaySa], GATEWAY_NAMESPACE),
  ];
}

function secret(name: string, data: Record<string, string>, type = 'Opaque'): KubeObject {
  const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: GATEWAY_NAMESPACE }, type, data: encoded };
}

export function keySecrets(keys: JwtKeyPair): KubeObject[] {
  return [secret(PUBLIC_KEY_SECRET, { 'tls.crt': keys.certificatePem }), secret(PRIVATE_KEY_SECRET, { 'tls.key': keys.privateKeyPem })];
}

export function gatepassConfigMap(gatewayURL?: string): KubeObject {
  return {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: GATEPASS_CONFIGMAP, namespace: GATEWAY_NAMESPACE },
    data: gatewayURL ? { gatewayURL } : {},
  };
}

export interface DefaultFixtureOptions {
  /** Published in ConfigMap kube-gateway/gatepass as gatewayURL. */
  gatewayURL?: string;
  /** Reuse a key pair (tests that sign links need the private key); generated otherwise. */
  keys?: JwtKeyPair;
}

export const DEFAULT_VMS: VmSpec[] = [
  { namespace: GATEWAY_NAMESPACE, name: 'testvm', running: true, nodeName: 'node-1', ipAddress: '10.244.0.12', guestOS: 'Fedora Linux 40 (Cloud Edition)', labels: { app: 'testvm' } },
  { namespace: 'team-a', name: 'web-1', running: true, nodeName: 'node-1', ipAddress: '10.244.1.21', guestOS: 'Ubuntu 24.04 LTS', labels: { app: 'web', tier: 'frontend' } },
  { namespace: 'team-a', name: 'db-1', running: true, nodeName: 'node-2', ipAddress: '10.244.2.31', guestOS: 'CentOS Stream 9', labels: { app: 'db', tier: 'backend' } },
  { namespace: 'team-b', name: 'build-7', running: false, nodeName: 'node-2', ipAddress: '10.244.2.47', guestOS: 'Debian GNU/Linux 12 (bookworm)', labels: { app: 'build' } },
];

export async function defaultFixture(options: DefaultFixtureOptions = {}): Promise<Fixture> {
  const keys = options.keys ?? (await generateJwtKeyPair());
  return {
    users: defaultUsers(),
    currentContext: 'admin',
    namespaces: [GATEWAY_NAMESPACE, 'team-a', 'team-b', 'default'],
    vms: DEFAULT_VMS.map((vm) => ({ ...vm, labels: { ...vm.labels } })),
    objects: [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: GATEWAY_SERVICE_ACCOUNT, namespace: GATEWAY_NAMESPACE } },
      ...keySecrets(keys),
      gatepassConfigMap(options.gatewayURL),
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: REVOCATION_CONFIGMAP, namespace: GATEWAY_NAMESPACE }, data: {} },
      ...defaultRbac(),
    ],
    faults: [],
  };
}

const GUEST_OSES = ['Fedora Linux 40 (Cloud Edition)', 'Ubuntu 24.04 LTS', 'CentOS Stream 9', 'Debian GNU/Linux 12 (bookworm)', 'Microsoft Windows Server 2022'];

/** The default fixture plus `vms` VMs spread over `namespaces` namespaces (`bench-000`…), for benchmarks. */
export async function generateFixture(options: { vms: number; namespaces: number } & DefaultFixtureOptions): Promise<Fixture> {
  if (!(Number.isInteger(options.vms) && options.vms >= 0)) throw new Error(`vms must be a non-negative integer, got ${options.vms}`);
  if (!(Number.isInteger(options.namespaces) && options.namespaces >= 1)) throw new Error(`namespaces must be a positive integer, got ${options.namespaces}`);
  const base = await defaultFixture(options);
  const width = String(options.namespaces - 1).length;
  const namespaces = Array.from({ length: options.namespaces }, (_, i) => `bench-${String(i).padStart(Math.max(3, width), '0')}`);
  const vms: VmSpec[] = Array.from({ length: options.vms }, (_, i) => ({
    namespace: namespaces[i % namespaces.length]!,
    name: `vm-${String(i).padStart(5, '0')}`,
    // Every fifth VM is stopped so lists mix both states.
    running: i % 5 !== 4,
    nodeName: `node-${(i % 8) + 1}`,
    ipAddress: `10.${100 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}`,
    guestOS: GUEST_OSES[i % GUEST_OSES.length]!,
    labels: { app: `app-${i % 10}` },
  }));
  return { ...base, namespaces: [...(base.namespaces ?? []), ...namespaces], vms: [...(base.vms ?? []), ...vms] };
}
