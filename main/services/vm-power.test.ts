import { describe, expect, it } from 'vitest';
import { DesktopFailure } from './errors.ts';
import type { KubeClient } from './kube-client.ts';
import { VmPower } from './vm-power.ts';

type Answer = { allowed: boolean } | { httpStatus: number; message?: string };

/** A client answering SelfSubjectAccessReviews by subresource and PUTs with `put`, recording what was asked. */
function fakeClient(reviews: (subresource: string) => Answer, put: Answer = { allowed: true }) {
  const asked: string[] = [];
  const fail = (answer: { httpStatus: number; message?: string }) =>
    Object.assign(new DesktopFailure('internal', answer.message ?? 'API error'), { status: answer.httpStatus });
  const client = {
    context: 'operator',
    async request(method: string, path: string, body?: { spec?: { resourceAttributes?: { subresource?: string } } }) {
      if (method === 'POST') {
        const subresource = body?.spec?.resourceAttributes?.subresource ?? '';
        asked.push(subresource);
        const answer = reviews(subresource);
        if ('httpStatus' in answer) throw fail(answer);
        return { status: answer };
      }
      asked.push(`${method} ${path}`);
      if ('httpStatus' in put) throw fail(put);
      return undefined;
    },
  } as unknown as KubeClient;
  return { client, asked };
}

describe('VmPower.allowedActions', () => {
  it('offers exactly the actions the API server allows', async () => {
    const { client } = fakeClient((s) => ({ allowed: s === 'start' || s === 'pause' }));
    expect(await new VmPower().allowedActions(client, 'team-a', 'web-1')).toEqual(['start', 'pause']);
  });

  it('asks again once the remembered answer is older than cacheMs', async () => {
    let time = 0;
    const { client, asked } = fakeClient(() => ({ allowed: true }));
    const power = new VmPower({ now: () => time, cacheMs: 1000 });
    await power.allowedActions(client, 'team-a', 'web-1');
    time = 999;
    await power.allowedActions(client, 'team-a', 'web-1');
    expect(asked).toHaveLength(5);
    time = 1000;
    await power.allowedActions(client, 'team-a', 'web-1');
    expect(asked).toHaveLength(10);
  });

  it('offers nothing to someone who may not even ask', async () => {
    const { client } = fakeClient(() => ({ httpStatus: 403 }));
    expect(await new VmPower().allowedActions(client, 'team-a', 'web-1')).toEqual([]);
  });

  it('passes other failures on and does not remember them', async () => {
    let down = true;
    const { client } = fakeClient(() => (down ? { httpStatus: 503, message: 'unavailable' } : { allowed: true }));
    const power = new VmPower();
    await expect(power.allowedActions(client, 'team-a', 'web-1')).rejects.toThrow('unavailable');
    down = false;
    expect(await power.allowedActions(client, 'team-a', 'web-1')).toHaveLength(5);
  });

  it('forgets the answers of a context whose credentials changed', async () => {
    const { client, asked } = fakeClient(() => ({ allowed: true }));
    const power = new VmPower();
    await power.allowedActions(client, 'team-a', 'web-1');
    power.forget('other');
    await power.allowedActions(client, 'team-a', 'web-1');
    expect(asked).toHaveLength(5);
    power.forget('operator');
    await power.allowedActions(client, 'team-a', 'web-1');
    expect(asked).toHaveLength(10);
  });
});

describe('VmPower.power', () => {
  it('PUTs the KubeVirt subresource: the VM for restart, the instance for unpause', async () => {
    const { client, asked } = fakeClient(() => ({ allowed: true }));
    await new VmPower().power(client, 'team-a', 'web-1', 'restart');
    await new VmPower().power(client, 'team-a', 'web-1', 'unpause');
    expect(asked).toEqual([
      'PUT /apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachines/web-1/restart',
      'PUT /apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/unpause',
    ]);
  });

  it.each([
    [409, 'Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "web-1": VMI is already paused', 'pause', 'unsupported', 'The VM web-1 is already paused. KubeVirt said: '],
    [409, 'Operation cannot be fulfilled on virtualmachineinstance.kubevirt.io "web-1": VMI is not paused', 'unpause', 'unsupported', 'The VM web-1 is not paused.'],
    [404, 'virtualmachineinstances.kubevirt.io "web-1" not found', 'pause', 'unsupported', 'The VM web-1 is not running, so it cannot be paused.'],
    [404, 'virtualmachines.kubevirt.io "web-1" not found', 'stop', 'not-found', 'There is no VM named web-1 any more.'],
    [409, 'Operation cannot be fulfilled on virtualmachine.kubevirt.io "web-1": something new', 'stop', 'internal', 'Could not stop web-1 in team-a: '],
    [500, 'boom', 'start', 'internal', 'Could not start web-1 in team-a: boom'],
  ] as const)('HTTP %i %j on %s → %s, in words', async (status, message, action, code, words) => {
    const { client } = fakeClient(() => ({ allowed: true }), { httpStatus: status, message });
    const error = await new VmPower().power(client, 'team-a', 'web-1', action).then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code });
    expect((error as Error).message.startsWith(words)).toBe(true);
    expect((error as Error).message).toContain(message);
  });

  it('refuses a name that is not a DNS label before sending anything', async () => {
    const { client, asked } = fakeClient(() => ({ allowed: true }));
    await expect(new VmPower().power(client, 'team-a', '../x', 'stop')).rejects.toThrow();
    expect(asked).toEqual([]);
  });
});
