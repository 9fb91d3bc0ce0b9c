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
    const screenshot = '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/vnc/screenshot';
    const result = issuerQuestions([vnc, screenshot], ['get', 'head', 'post', 'put', 'patch', 'delete']);
    expect(result.ok && result.questions.map((q) => `${q.verb} ${q.namespace}/${q.name}/${q.subresource}`)).toEqual([
      ...['get', 'get', 'create', 'update', 'patch', 'delete'].map((v) => `${v} team-b/build-7/vnc`),
      ...['get', 'get', 'create', 'update', 'patch', 'delete'].map((v) => `${v} team-a/web-1/vnc/screenshot`),
    ]);
  });

  it.each([
    ['every VM of a namespace', '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/*', 'team-a', '', ['vnc', 'vnc/screenshot', 'console']],
    ['a VM name cut short', '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web*', 'team-a', '', ['vnc', 'vnc/screenshot', 'console']],
    ['every subresource of one VM', '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/*', 'team-a', 'web-1', ['vnc', 'vnc/screenshot', 'console']],
    ['the VNC console and its screenshot', '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/vnc*', 'team-a', 'web-1', ['vnc', 'vnc/screenshot']],
    ['the serial console', '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/cons*', 'team-a', 'web-1', ['console']],
    ['only the screenshot', '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/vnc/*', 'team-a', 'web-1', ['vnc/screenshot']],
    ['every namespace', '/apis/subresources.kubevirt.io/v1/namespaces/*', '', '', ['vnc', 'vnc/screenshot', 'console']],
    ['every version', '/apis/subresources.kubevirt.io/*', '', '', ['vnc', 'vnc/screenshot', 'console']],
  ])('asks a kube-gateway prefix pattern (%s) about everything it reaches', (_what, url, namespace, name, subresources) => {
    const result = issuerQuestions([url], ['get']);
    expect(result).toEqual({ ok: true, questions: subresources.map((subresource) => ({ verb: 'get', group: 'subresources.kubevirt.io', resource: 'virtualmachineinstances', subresource, namespace, name })) });
  });

  it.each([
    ['a pattern that leaves the KubeVirt subresource group', '/apis*'],
    ['a group name cut short', '/apis/subresources.kubevirt.io*'],
    ['everything', '/*'],
    ['a pattern past any console subresource', '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/portforward*'],
    ['a subresource the gateway cannot open', '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/usbredir'],
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

  it('asks about the serial console as its own subresource', () => {
    const serial = '/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/console';
    const result = issuerQuestions([serial], ['get']);
    expect(result).toEqual({ ok: true, questions: [{ verb: 'get', group: 'subresources.kubevirt.io', resource: 'virtualmachineinstances', subresource: 'console', namespace: 'team-a', name: 'web-1' }] });
  });

  it('refuses a verb Kubernetes has no name for', () => {
    const result = issuerQuestions([vnc], ['get', 'options']);
    expect(result).toEqual({ ok: false, message: expect.stringMatching(/^verb "options" has no Kubernetes equivalent/) });
  });
});
