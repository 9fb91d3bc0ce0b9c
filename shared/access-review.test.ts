import { describe, expect, it } from 'vitest';
import {
  canIQuestion, consoleQuestion, describeQuestion, isVmPowerAction, powerQuestion, readAccessReview, selfSubjectAccessReview, VM_POWER_ACTIONS,
} from './access-review.ts';

describe('consoleQuestion', () => {
  it('asks about the one VMI, its namespace and the console subresource', () => {
    expect(consoleQuestion('team-b', 'build-7', 'vnc')).toEqual({
      verb: 'get', group: 'subresources.kubevirt.io', resource: 'virtualmachineinstances', subresource: 'vnc', namespace: 'team-b', name: 'build-7',
    });
    expect(consoleQuestion('team-a', 'web-1', 'console').subresource).toBe('console');
  });

  it.each([['', 'web-1'], ['team-a', ''], ['team-a', 'a/b'], ['..', 'web-1'], ['Team-A', 'web-1']])('refuses a namespace or name that is not a DNS label: %j/%j', (namespace, name) => {
    expect(() => consoleQuestion(namespace, name, 'vnc')).toThrow();
  });
});

describe('selfSubjectAccessReview', () => {
  it('is the authorization.k8s.io/v1 request with every attribute the authorizer needs', () => {
    expect(selfSubjectAccessReview(consoleQuestion('team-a', 'web-1', 'vnc'))).toEqual({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: {
        resourceAttributes: { namespace: 'team-a', verb: 'get', group: 'subresources.kubevirt.io', resource: 'virtualmachineinstances', subresource: 'vnc', name: 'web-1' },
      },
    });
  });

  it('leaves out an absent subresource instead of sending an empty one', () => {
    const body = selfSubjectAccessReview({ verb: 'get', group: '', resource: 'pods', namespace: 'ns', name: 'p' }) as { spec: { resourceAttributes: object } };
    expect(body.spec.resourceAttributes).not.toHaveProperty('subresource');
  });
});

describe('readAccessReview', () => {
  it('allows only on allowed: true', () => {
    expect(readAccessReview({ status: { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "x"' } })).toEqual({ allowed: true });
  });

  it('refuses when denied, even with allowed: true (an explicit deny wins)', () => {
    expect(readAccessReview({ status: { allowed: true, denied: true, reason: 'webhook says no' } })).toEqual({ allowed: false, reason: 'webhook says no' });
  });

  it('keeps the reason and any evaluation error of a refusal', () => {
    expect(readAccessReview({ status: { allowed: false, reason: 'no RBAC policy matched' } })).toEqual({ allowed: false, reason: 'no RBAC policy matched' });
    expect(readAccessReview({ status: { allowed: false, evaluationError: 'webhook timed out' } })).toEqual({ allowed: false, reason: 'webhook timed out' });
    expect(readAccessReview({ status: { allowed: false, reason: '  ' } })).toEqual({ allowed: false });
  });

  it.each([undefined, null, 'yes', {}, { status: null }, { status: { allowed: 'true' } }, { status: { allowed: 1 } }])('fails closed on a malformed answer: %j', (body) => {
    expect(readAccessReview(body).allowed).toBe(false);
  });
});

describe('wording', () => {
  const question = consoleQuestion('team-b', 'build-7', 'vnc');

  it('describes the question in words', () => {
    expect(describeQuestion(question)).toBe('get virtualmachineinstances/vnc of "build-7" in namespace "team-b"');
  });

  it('gives the kubectl command that asks the same', () => {
    expect(canIQuestion(question)).toBe('kubectl auth can-i get virtualmachineinstances.subresources.kubevirt.io/build-7 --subresource=vnc -n team-b');
    expect(canIQuestion({ verb: 'get', group: '', resource: 'pods', namespace: 'ns', name: 'p' })).toBe('kubectl auth can-i get pods/p -n ns');
  });
});

describe('powerQuestion', () => {
  it('asks to update the VM subresource for start, stop and restart', () => {
    expect(powerQuestion('team-a', 'web-1', 'restart')).toEqual({
      verb: 'update', group: 'subresources.kubevirt.io', resource: 'virtualmachines', subresource: 'restart', namespace: 'team-a', name: 'web-1',
    });
  });

  it('asks about the instance for pause and unpause, which act on the running VMI', () => {
    expect(powerQuestion('team-a', 'web-1', 'unpause')).toMatchObject({ resource: 'virtualmachineinstances', subresource: 'unpause' });
    expect(describeQuestion(powerQuestion('team-a', 'web-1', 'pause'))).toBe('update virtualmachineinstances/pause of "web-1" in namespace "team-a"');
  });

  it('refuses names that are not DNS labels', () => {
    expect(() => powerQuestion('team-a', 'a/b', 'start')).toThrow();
  });

  it('knows exactly the five actions', () => {
    expect(VM_POWER_ACTIONS.filter(isVmPowerAction)).toEqual(['start', 'stop', 'restart', 'pause', 'unpause']);
    expect([undefined, 'reset', 'Start', 3].some(isVmPowerAction)).toBe(false);
  });
});
