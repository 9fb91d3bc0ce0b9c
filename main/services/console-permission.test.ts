import { describe, expect, it } from 'vitest';
import { checkConsolePermission } from './console-permission.ts';
import { DesktopFailure } from './errors.ts';
import type { KubeClient } from './kube-client.ts';

/** A client whose only answer is the review status given (or a thrown API error), recording what was asked. */
function reviewingClient(answer: { status?: unknown } | { httpStatus: number }) {
  const asked: Array<{ method: string; path: string; body: unknown }> = [];
  const client = {
    context: 'issuer-limited',
    server: 'https://cluster.example',
    namespace: undefined,
    async request(method: string, path: string, body?: unknown) {
      asked.push({ method, path, body });
      if ('httpStatus' in answer) throw Object.assign(new DesktopFailure(answer.httpStatus === 403 ? 'forbidden' : 'unreachable', 'API error'), { status: answer.httpStatus });
      return { kind: 'SelfSubjectAccessReview', ...answer };
    },
  } as unknown as KubeClient;
  return { client, asked };
}

const target = { namespace: 'team-b', name: 'build-7', subresource: 'vnc' as const };

describe('checkConsolePermission', () => {
  it('asks a SelfSubjectAccessReview for exactly this VM, namespace and subresource', async () => {
    const { client, asked } = reviewingClient({ status: { allowed: true } });
    await checkConsolePermission(client, target);
    expect(asked).toEqual([{
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
      body: {
        apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { namespace: 'team-b', verb: 'get', group: 'subresources.kubevirt.io', resource: 'virtualmachineinstances', subresource: 'vnc', name: 'build-7' } },
      },
    }]);
  });

  it('asks about the serial console when that is what the link reaches', async () => {
    const { client, asked } = reviewingClient({ status: { allowed: true } });
    await checkConsolePermission(client, { ...target, subresource: 'console' });
    expect((asked[0]?.body as { spec: { resourceAttributes: { subresource: string } } }).spec.resourceAttributes.subresource).toBe('console');
  });

  it('refuses in words, naming the VM, the context, the reason and the kubectl command', async () => {
    const { client } = reviewingClient({ status: { allowed: false, reason: 'no RBAC policy matched' } });
    const refusal = await checkConsolePermission(client, target).then(() => undefined, (error: unknown) => error);
    expect(refusal).toBeInstanceOf(DesktopFailure);
    expect(refusal).toMatchObject({ code: 'forbidden', context: 'issuer-limited' });
    const message = (refusal as Error).message;
    expect(message).toContain('context "issuer-limited"');
    expect(message).toContain('get virtualmachineinstances/vnc of "build-7" in namespace "team-b"');
    expect(message).toContain('(no RBAC policy matched)');
    expect(message).toContain('`kubectl auth can-i get virtualmachineinstances.subresources.kubevirt.io/build-7 --subresource=vnc -n team-b`');
    expect(message).not.toMatch(/\{|SelfSubjectAccessReview/);
  });

  it('refuses an answer without a status (fails closed)', async () => {
    const { client } = reviewingClient({});
    await expect(checkConsolePermission(client, target)).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('says so when the cluster will not even answer the question', async () => {
    const { client } = reviewingClient({ httpStatus: 403 });
    await expect(checkConsolePermission(client, target)).rejects.toMatchObject({ code: 'forbidden', message: expect.stringMatching(/does not let you ask whether you may open the console of build-7 in team-b/) });
  });

  it('passes other failures on unchanged: they are not an answer', async () => {
    const { client } = reviewingClient({ httpStatus: 503 });
    await expect(checkConsolePermission(client, target)).rejects.toMatchObject({ code: 'unreachable', message: 'API error' });
  });

  it('refuses a name that is not a DNS label before asking anything', async () => {
    const { client, asked } = reviewingClient({ status: { allowed: true } });
    await expect(checkConsolePermission(client, { ...target, name: 'a/../b' })).rejects.toThrow();
    expect(asked).toEqual([]);
  });
});
