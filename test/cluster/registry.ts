/**
 * Every API type the stand-in serves, described once. Discovery, URL routing,
 * RBAC attributes and storage keys all derive from these entries, so a new
 * group (a CRD, say) is served by registering one more type.
 */

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface SubresourceType {
  /** As listed in discovery after `<resource>/`, e.g. `vnc` or `vnc/screenshot`. */
  name: string;
  verbs: Verb[];
}

export interface ResourceType {
  group: string;
  versions: string[];
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  /** Empty when only subresources are served under this group (subresources.kubevirt.io). */
  verbs: Verb[];
  shortNames?: string[];
  categories?: string[];
  subresources?: SubresourceType[];
  /** Stored types keep objects; virtual ones (reviews) only answer `create`. */
  storage: 'stored' | 'virtual';
}

const CRUD: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function typeKey(group: string, resource: string): string {
  return `${group || 'core'}/${resource}`;
}

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** As for a CRD with `subresources.status`: the main resource ignores status writes and `/status` writes only status. */
export function hasStatusSubresource(type: ResourceType): boolean {
  return type.storage === 'stored' && (type.subresources ?? []).some((s) => s.name === 'status');
}

export class ResourceRegistry {
  private readonly types: ResourceType[] = [];

  register(type: ResourceType): void {
    if (this.types.some((t) => t.group === type.group && t.resource === type.resource)) {
      throw new Error(`resource ${type.resource}.${type.group} is already registered`);
    }
    this.types.push(type);
  }

  all(): readonly ResourceType[] {
    return this.types;
  }

  lookup(group: string, version: string, resource: string): ResourceType | undefined {
    return this.types.find((t) => t.group === group && t.resource === resource && t.versions.includes(version));
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    return this.types.find((t) => t.kind === kind && t.storage === 'stored' && t.versions.some((v) => apiVersionOf(t.group, v) === apiVersion));
  }

  /** Group names in registration order, core ('') first. */
  groups(): string[] {
    return [...new Set(this.types.map((t) => t.group))];
  }

  versionsOf(group: string): string[] {
    return [...new Set(this.types.filter((t) => t.group === group).flatMap((t) => t.versions))];
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.types.filter((t) => t.group === group && t.versions.includes(version));
  }
}

/** The built-in Kubernetes and KubeVirt types Gatepass talks to. */
export function defaultRegistry(): ResourceRegistry {
  const r = new ResourceRegistry();
  const core = (resource: string, singular: string, kind: string, namespaced: boolean, shortNames?: string[]): ResourceType => ({
    group: '', versions: ['v1'], resource, singular, kind, namespaced, verbs: CRUD, storage: 'stored', ...(shortNames ? { shortNames } : {}),
  });
  r.register(core('namespaces', 'namespace', 'Namespace', false, ['ns']));
  r.register(core('secrets', 'secret', 'Secret', true));
  r.register(core('configmaps', 'configmap', 'ConfigMap', true, ['cm']));
  r.register(core('events', 'event', 'Event', true, ['ev']));
  r.register(core('serviceaccounts', 'serviceaccount', 'ServiceAccount', true, ['sa']));

  const rbac = (resource: string, singular: string, kind: string, namespaced: boolean): ResourceType => ({
    group: 'rbac.authorization.k8s.io', versions: ['v1'], resource, singular, kind, namespaced, verbs: CRUD, storage: 'stored',
  });
  r.register(rbac('roles', 'role', 'Role', true));
  r.register(rbac('rolebindings', 'rolebinding', 'RoleBinding', true));
  r.register(rbac('clusterroles', 'clusterrole', 'ClusterRole', false));
  r.register(rbac('clusterrolebindings', 'clusterrolebinding', 'ClusterRoleBinding', false));

  const review = (group: string, resource: string, singular: string, kind: string): ResourceType => ({
    group, versions: ['v1'], resource, singular, kind, namespaced: false, verbs: ['create'], storage: 'virtual',
  });
  r.register(review('authorization.k8s.io', 'selfsubjectaccessreviews', 'selfsubjectaccessreview', 'SelfSubjectAccessReview'));
  r.register(review('authorization.k8s.io', 'selfsubjectrulesreviews', 'selfsubjectrulesreview', 'SelfSubjectRulesReview'));
  r.register(review('authorization.k8s.io', 'subjectaccessreviews', 'subjectaccessreview', 'SubjectAccessReview'));
  r.register(review('authentication.k8s.io', 'tokenreviews', 'tokenreview', 'TokenReview'));
  r.register(review('authentication.k8s.io', 'selfsubjectreviews', 'selfsubjectreview', 'SelfSubjectReview'));

  r.register({ group: 'coordination.k8s.io', versions: ['v1'], resource: 'leases', singular: 'lease', kind: 'Lease', namespaced: true, verbs: CRUD, storage: 'stored' });
  // The gateway operator's CRD, as `kubectl apply` of deploy/gatetoken/crd.yaml would serve it.
  r.register({
    group: 'kubegateway.kubevirt.io', versions: ['v1beta1'], resource: 'gatetokens', singular: 'gatetoken', kind: 'GateToken',
    namespaced: true, verbs: CRUD, storage: 'stored', subresources: [{ name: 'status', verbs: ['get', 'patch', 'update'] }],
  });

  // How a cluster publishes the gateway when the ConfigMap does not: an OpenShift Route or an Ingress.
  r.register({ group: 'route.openshift.io', versions: ['v1'], resource: 'routes', singular: 'route', kind: 'Route', namespaced: true, verbs: CRUD, storage: 'stored' });
  r.register({
    group: 'networking.k8s.io', versions: ['v1'], resource: 'ingresses', singular: 'ingress', kind: 'Ingress', namespaced: true, verbs: CRUD, shortNames: ['ing'], storage: 'stored',
  });

  r.register({
    group: 'kubevirt.io', versions: ['v1'], resource: 'virtualmachines', singular: 'virtualmachine', kind: 'VirtualMachine',
    namespaced: true, verbs: CRUD, shortNames: ['vm', 'vms'], categories: ['all'], storage: 'stored',
  });
  r.register({
    group: 'kubevirt.io', versions: ['v1'], resource: 'virtualmachineinstances', singular: 'virtualmachineinstance', kind: 'VirtualMachineInstance',
    namespaced: true, verbs: CRUD, shortNames: ['vmi', 'vmis'], categories: ['all'], storage: 'stored',
  });
  const subresourceVersions = ['v1', 'v1alpha3'];
  r.register({
    group: 'subresources.kubevirt.io', versions: subresourceVersions, resource: 'virtualmachineinstances', singular: '',
    kind: 'VirtualMachineInstance', namespaced: true, verbs: [], storage: 'virtual',
    subresources: [{ name: 'vnc', verbs: ['get'] }, { name: 'vnc/screenshot', verbs: ['get'] }, { name: 'console', verbs: ['get'] }, { name: 'pause', verbs: ['update'] }, { name: 'unpause', verbs: ['update'] }],
  });
  r.register({
    group: 'subresources.kubevirt.io', versions: subresourceVersions, resource: 'virtualmachines', singular: '',
    kind: 'VirtualMachine', namespaced: true, verbs: [], storage: 'virtual',
    subresources: [{ name: 'start', verbs: ['update'] }, { name: 'stop', verbs: ['update'] }, { name: 'restart', verbs: ['update'] }],
  });
  return r;
}
