import { describe, expect, it } from 'vitest';
import type { GateToken, GateTokenData } from './gatetoken.ts';
import { currentVerdict, errorStatus, readyStatus } from './status.ts';

const T0 = Date.parse('2025-03-01T12:00:00Z');
const data: GateTokenData = {
  from: '2025-03-01T11:59:00Z', until: '2025-03-01T13:00:00Z', duration: '1h', nbf: T0 / 1000 - 60, exp: T0 / 1000 + 3600,
  urls: ['/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/vnc'], verbs: ['get'],
};

function gateToken(generation: number, status?: GateToken['status']): GateToken {
  return { metadata: { name: 'l', namespace: 'team-a', uid: 'u', generation }, ...(status ? { status } : {}) };
}

describe('status', () => {
  it('reports Ready with the token, its data and a Ready=True condition for the generation', () => {
    expect(readyStatus(gateToken(3), 'jwt', data, T0)).toEqual({
      token: 'jwt', data, phase: 'Ready',
      conditions: [{
        type: 'Ready', status: 'True', reason: 'TokenCreated', observedGeneration: 3, lastTransitionTime: '2025-03-01T12:00:00Z',
        message: 'token signed for 1 URL pattern, valid from 2025-03-01T11:59:00Z until 2025-03-01T13:00:00Z',
      }],
    });
  });

  it('reports Error without a token, and keeps the transition time while the status stays False', () => {
    const first = errorStatus(gateToken(1), 'PrivateKeyError', 'cannot read', T0);
    expect(first).toEqual({ phase: 'Error', conditions: [expect.objectContaining({ status: 'False', reason: 'PrivateKeyError', lastTransitionTime: '2025-03-01T12:00:00Z' })] });
    const again = errorStatus(gateToken(2, first), 'InvalidDuration', 'bad', T0 + 60_000);
    expect(again.conditions?.[0]).toMatchObject({ reason: 'InvalidDuration', observedGeneration: 2, lastTransitionTime: '2025-03-01T12:00:00Z' });
    expect(readyStatus(gateToken(2, again), 'jwt', data, T0 + 120_000).conditions?.[0]?.lastTransitionTime).toBe('2025-03-01T12:02:00Z');
  });

  it('keeps conditions of other types', () => {
    const other = { type: 'Audited', status: 'True' as const, reason: 'Seen', message: '', lastTransitionTime: '2025-01-01T00:00:00Z' };
    expect(errorStatus(gateToken(1, { conditions: [other] }), 'InvalidURLs', 'x', T0).conditions).toEqual([other, expect.objectContaining({ type: 'Ready' })]);
  });

  it('takes a verdict as current only for the generation it judged', () => {
    const judged = errorStatus(gateToken(1), 'InvalidDuration', 'bad', T0);
    expect(currentVerdict(gateToken(1, judged))?.reason).toBe('InvalidDuration');
    expect(currentVerdict(gateToken(2, judged))).toBeUndefined();
    expect(currentVerdict(gateToken(1))).toBeUndefined();
  });
});
