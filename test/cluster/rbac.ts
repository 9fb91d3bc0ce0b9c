import type { UserInfo } from './authn.ts';
import type { KubeObject, ObjectStore } from './store.ts';
import { typeKey } from './registry.ts';
import { qualifiedResource } from './status.ts';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export type Attributes = ({ kind: 'resource' } & ResourceAttributes) | { kind: 'nonResource'; verb: string; path: string };

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

interface Binding {
  subjects?: Subject[];
  roleRef: { kind: string; name: string };
}

const RBAC = 'rbac.authorization.k8s.io';
export const SUPERUSER_GROUP = 'system:masters';

function subjectMatches(subject: Subject, user: UserInfo, bindingNamespace: string | undefined): boolean {
  switch (subject.kind) {
    case 'User': return subject.name === user.username;
    case 'Group': return user.groups.includes(subject.name);
    case 'ServiceAccount':
      return user.username === `system:serviceaccount:${subject.namespace ?? bindingNamespace ?? ''}:${subject.name}`;
    default: return false;
  }
}

function includesOrStar(list: readonly string[] | undefined, value: string): boolean {
  return list !== undefined && (list.includes('*') || list.includes(value));
}

function resourceMatches(rule: PolicyRule, resource: string, subresource: string | undefined): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return (rule.resources ?? []).some((r) => r === '*' || r === combined || (subresource !== undefined && r === `*/${subresource}`));
}

export function ruleAllows(rule: PolicyRule, attrs: Attributes): boolean {
  if (!includesOrStar(rule.verbs, attrs.verb)) return false;
  if (attrs.kind === 'nonResource') {
    return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === attrs.path || (u.endsWith('*') && attrs.path.startsWith(u.slice(0, -1))));
  }
  if (!includesOrStar(rule.apiGroups, attrs.group)) return false;
  if (!resourceMatches(rule, attrs.resource, attrs.subresource)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (attrs.name !== undefined && attrs.name !== '' && names.includes(attrs.name));
}

/** Kubernetes RBAC over Role/ClusterRole/RoleBinding/ClusterRoleBinding objects read live from the store. */
export class RbacAuthorizer {
  constructor(private readonly store: ObjectStore) {}

  authorize(user: UserInfo, attrs: Attributes): boolean {
    if (user.groups.includes(SUPERUSER_GROUP)) return true;
    const namespace = attrs.kind === 'resource' ? attrs.namespace : undefined;
    return this.rulesFor(user, namespace).some((rule) => ruleAllows(rule, attrs));
  }

  /** Cluster-wide rules plus those bound in `namespace` (what SelfSubjectRulesReview reports). */
  rulesFor(user: UserInfo, namespace: string | undefined): PolicyRule[] {
    if (user.groups.includes(SUPERUSER_GROUP)) {
      return [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }];
    }
    const rules: PolicyRule[] = [];
    for (const binding of this.store.list(typeKey(RBAC, 'clusterrolebindings'))) {
      rules.push(...this.boundRules(binding, user, undefined));
    }
    if (namespace !== undefined && namespace !== '') {
      for (const binding of this.store.list(typeKey(RBAC, 'rolebindings'), namespace)) {
        rules.push(...this.boundRules(binding, user, namespace));
      }
    }
    return rules;
  }

  private boundRules(object: KubeObject, user: UserInfo, namespace: string | undefined): PolicyRule[] {
    const binding = object as unknown as Binding;
    if (!(binding.subjects ?? []).some((s) => subjectMatches(s, user, namespace))) return [];
    const role = binding.roleRef.kind === 'ClusterRole'
      ? this.store.get(typeKey(RBAC, 'clusterroles'), undefined, binding.roleRef.name)
      : binding.roleRef.kind === 'Role' && namespace !== undefined
        ? this.store.get(typeKey(RBAC, 'roles'), namespace, binding.roleRef.name)
        : undefined;
    return (role?.['rules'] as PolicyRule[] | undefined) ?? [];
  }
}

/** The message a real API server gives, e.g. `secrets "x" is forbidden: User "y" cannot get resource "secrets" in API group "" in the namespace "z"`. */
export function forbiddenMessage(user: UserInfo, attrs: Attributes): string {
  if (attrs.kind === 'nonResource') {
    return `forbidden: User "${user.username}" cannot ${attrs.verb} path "${attrs.path}"`;
  }
  const target = qualifiedResource(attrs.resource, attrs.group) + (attrs.name ? ` "${attrs.name}"` : '');
  const resource = attrs.subresource ? `${attrs.resource}/${attrs.subresource}` : attrs.resource;
  const scope = attrs.namespace ? `in the namespace "${attrs.namespace}"` : 'at the cluster scope';
  return `${target} is forbidden: User "${user.username}" cannot ${attrs.verb} resource "${resource}" in API group "${attrs.group}" ${scope}`;
}
