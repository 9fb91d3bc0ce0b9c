// Whether the issuer of a console link may open that console themselves, asked
// of the API server as a SelfSubjectAccessReview: a link must never lend more
// than its issuer holds. Building the question and reading the answer are pure;
// the call itself is the caller's (the app with the kubeconfig's credentials,
// the gateway with the caller's own token).

import { assertDnsLabel } from './dns-label.ts';

/** The KubeVirt subresources a console link can reach: the graphical console and the serial one. */
export const CONSOLE_SUBRESOURCES = ['vnc', 'console'] as const;
export type ConsoleSubresource = (typeof CONSOLE_SUBRESOURCES)[number];

export const KUBEVIRT_SUBRESOURCES_GROUP = 'subresources.kubevirt.io';
export const SELF_SUBJECT_ACCESS_REVIEW_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

/** One request as Kubernetes' authorizer sees it; an empty name means every object, an empty namespace every namespace. */
export interface AccessQuestion {
  verb: string;
  group: string;
  resource: string;
  /** Everything after the name, as KubeVirt names it: `vnc`, `vnc/screenshot`, `console`. */
  subresource?: string;
  namespace: string;
  name: string;
}

/** May I `get virtualmachineinstances/<subresource>` of this one VMI? */
export function consoleQuestion(namespace: string, name: string, subresource: ConsoleSubresource): AccessQuestion {
  assertDnsLabel(namespace, 'namespace');
  assertDnsLabel(name, 'name');
  return { verb: 'get', group: KUBEVIRT_SUBRESOURCES_GROUP, resource: 'virtualmachineinstances', subresource, namespace, name };
}

/** What a person may do to a VM's power: KubeVirt's subresources, on the VM or (pause, unpause) on its instance. */
export const VM_POWER_ACTIONS = ['start', 'stop', 'restart', 'pause', 'unpause'] as const;
export type VmPowerAction = (typeof VM_POWER_ACTIONS)[number];

export function isVmPowerAction(value: unknown): value is VmPowerAction {
  return typeof value === 'string' && (VM_POWER_ACTIONS as readonly string[]).includes(value);
}

/** The resource KubeVirt serves an action under: pause and unpause act on the running instance. */
export function powerResource(action: VmPowerAction): 'virtualmachines' | 'virtualmachineinstances' {
  return action === 'pause' || action === 'unpause' ? 'virtualmachineinstances' : 'virtualmachines';
}

/** May I `update virtualmachines/<action>` (or `virtualmachineinstances/pause|unpause`) of this one VM? */
export function powerQuestion(namespace: string, name: string, action: VmPowerAction): AccessQuestion {
  assertDnsLabel(namespace, 'namespace');
  assertDnsLabel(name, 'name');
  return { verb: 'update', group: KUBEVIRT_SUBRESOURCES_GROUP, resource: powerResource(action), subresource: action, namespace, name };
}

/** The body to POST to SELF_SUBJECT_ACCESS_REVIEW_PATH. */
export function selfSubjectAccessReview(question: AccessQuestion): object {
  const { verb, group, resource, subresource, namespace, name } = question;
  return {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: { resourceAttributes: { namespace, verb, group, resource, ...(subresource ? { subresource } : {}), name } },
  };
}

export type AccessVerdict = { allowed: true } | { allowed: false; reason?: string };

/**
 * The API server's answer. Anything but an explicit `allowed: true` without
 * `denied` is a refusal, so a malformed or partial answer never lets a link through.
 */
export function readAccessReview(body: unknown): AccessVerdict {
  const status = (body as { status?: unknown } | null)?.status;
  if (status === null || typeof status !== 'object') return { allowed: false, reason: 'the API server gave no answer' };
  const { allowed, denied, reason, evaluationError } = status as Record<string, unknown>;
  if (allowed === true && denied !== true) return { allowed: true };
  const words = [reason, evaluationError].filter((part): part is string => typeof part === 'string' && part.trim() !== '');
  return words.length > 0 ? { allowed: false, reason: words.join('; ') } : { allowed: false };
}

/** The question in words, e.g. `get virtualmachineinstances/vnc of "web-1" in namespace "team-a"`. */
export function describeQuestion(question: AccessQuestion): string {
  const what = question.subresource ? `${question.resource}/${question.subresource}` : question.resource;
  const of = question.name === '' ? 'of every VM' : `of ${JSON.stringify(question.name)}`;
  const where = question.namespace === '' ? 'in every namespace' : `in namespace ${JSON.stringify(question.namespace)}`;
  return `${question.verb} ${what} ${of} ${where}`;
}

/** The kubectl command that asks the same question, for a person to check their access. */
export function canIQuestion(question: AccessQuestion): string {
  const type = question.group === '' ? question.resource : `${question.resource}.${question.group}`;
  const object = question.name === '' ? type : `${type}/${question.name}`;
  const where = question.namespace === '' ? '-A' : `-n ${question.namespace}`;
  return `kubectl auth can-i ${question.verb} ${object}${question.subresource ? ` --subresource=${question.subresource}` : ''} ${where}`;
}
