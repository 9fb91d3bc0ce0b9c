import { describe, expect, it } from 'vitest';
import { issuerQuestions } from './issuer-access.ts';

const vnc = '/apis/subresources.kubevirt.io/v1/namespaces/team-b/virtualmachineinstances/build-7/vnc';

describe('issuerQuestions', () => {
  it('asks about exactly the VM, namespace and subresource of each URL', () => {
    expect(issuerQuestions([vnc], ['get'])).toEqual({
      ok: true,
      questions: [{ verb: 'get', group: 'subresources.kubevirt.io', resource: 'virtualmachineinstances', subresource: 'vnc', namespace: 'team-b', name: 'build-7' }],
    });
  });

  it('keeps a nested subresource whole, as KubeVirt authorizes it', () => {
    const result = issuerQuestions(['/apis/subresources.kubevirt.io/v1alpha3/namespaces/team-a/virtualmachineinstances/web-1/vnc/screenshot'], ['get']);
    expect(result.ok && result.questions.map((q) => q.subresource)).toEqual(['vnc/screenshot']);
  });

  it('asks once per URL and verb, with the verb Kubernetes authorizes', () => {
    const console = '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/console';
    const result = issuerQuestions([vnc, console], ['get', 'head', 'post', 'put', 'patch', 'delete']);
    expect(result.ok && result.questions.map((q) => `${q.verb} ${q.namespace}/${q.name}/${q.subresource}`)).toEqual([
      ...['get', 'get', 'create', 'update', 'patch', 'delete'].map((v) => `${v} team-b/build-7/vnc`),
      ...['get', 'get', 'create', 'update', 'patch', 'delete'].map((v) => `${v} team-a/web-1/console`),
    ]);
  });

  it.each([
    ['a trailing * (reaches VMs no question names)', '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/*'],
    ['a * after the subresource', '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/vnc*'],
    ['a + for the VM', '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/+/vnc'],
    ['a + for the namespace', '/apis/subresources.kubevirt.io/v1/namespaces/+/virtualmachineinstances/web-1/vnc'],
    ['a path outside KubeVirt subresources', '/api/v1/namespaces/kube-gateway/secrets/kube-gateway-jwt-private'],
    ['a VirtualMachine, not an instance', '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachines/web-1/start'],
    ['an unknown API version', '/apis/subresources.kubevirt.io/v2/namespaces/team-a/virtualmachineinstances/web-1/vnc'],
    ['a name that is not a DNS label', '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/Web_1/vnc'],
    ['the VMI itself, no subresource', '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1'],
  ])('refuses %s as something it cannot check', (_what, url) => {
    const result = issuerQuestions([vnc, url], ['get']);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(/^URLs\[1\] .* cannot be checked against your own permissions/);
  });

  it('refuses a verb Kubernetes has no name for', () => {
    const result = issuerQuestions([vnc], ['get', 'options']);
    expect(result).toEqual({ ok: false, message: expect.stringMatching(/^verb "options" has no Kubernetes equivalent/) });
  });
});
