import { describe, expect, it } from 'vitest';
import { vncPath } from '../../shared/kubevirt-paths.ts';
import { planToken, type GateToken, type GateTokenSpec, type PlanOptions } from './gatetoken.ts';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const HOUR = 3_600_000;
const options: PlanOptions = {
  now: NOW,
  maxLifetimeMs: 168 * HOUR,
  defaultSecret: { name: 'kube-gateway-jwt-private', namespace: 'kube-gateway', file: 'tls.key' },
};

function gateToken(spec: GateTokenSpec, namespace = 'team-a'): GateToken {
  return { apiVersion: 'kubegateway.kubevirt.io/v1beta1', kind: 'GateToken', metadata: { name: 'web-1-link', namespace, uid: 'uid-1234', generation: 1 }, spec };
}

const web1 = vncPath('team-a', 'web-1');

describe('planToken', () => {
  it('builds claims with the defaults (1h, get, start now) and the uid as id', () => {
    const plan = planToken(gateToken({ urls: [web1] }), options);
    if (!plan.ok) throw new Error(plan.message);
    expect(plan.claims).toMatchObject({ URLs: [web1], verbs: ['get'], id: 'uid-1234', jti: 'uid-1234' });
    expect(plan.claims.exp).toBe((NOW + HOUR) / 1000);
    // "Start now" is backdated by a minute so a gateway whose clock runs behind accepts it.
    expect(plan.claims.nbf).toBe((NOW - 60_000) / 1000);
    expect(plan.secret).toEqual(options.defaultSecret);
  });

  it('reports the data the upstream operator reports', () => {
    const plan = planToken(gateToken({ urls: [web1], from: '2025-03-02T08:00:00+01:00', duration: '90m', verbs: ['GET', 'post'] }), options);
    if (!plan.ok) throw new Error(plan.message);
    expect(plan.data).toEqual({
      from: '2025-03-02T07:00:00Z',
      until: '2025-03-02T08:30:00Z',
      duration: '90m',
      nbf: Date.parse('2025-03-02T07:00:00Z') / 1000,
      exp: Date.parse('2025-03-02T08:30:00Z') / 1000,
      urls: [web1],
      verbs: ['get', 'post'],
    });
  });

  it('takes the secret reference from the spec, field by field', () => {
    const plan = planToken(gateToken({ urls: [web1], 'secret-name': 'other-key', 'secret-file': 'key.pem' }), options);
    expect(plan.ok && plan.secret).toEqual({ name: 'other-key', namespace: 'kube-gateway', file: 'key.pem' });
  });

  it.each<[string, GateTokenSpec, string, string]>([
    ['another namespace', { urls: [vncPath('team-b', 'build-7')] }, 'URLOutsideNamespace', 'outside the GateToken\'s namespace "team-a"'],
    ['every namespace', { urls: ['/api/v1/namespaces/*'] }, 'URLOutsideNamespace', 'every namespace'],
    ['a cluster-wide path', { urls: ['/apis/kubevirt.io/v1/virtualmachines'] }, 'URLOutsideNamespace', 'spec.urls[0]'],
    ['a dot segment', { urls: [web1, '/api/v1/namespaces/team-a/../kube-gateway/secrets'] }, 'InvalidURLs', 'spec.urls[1]'],
    ['no urls', { urls: [] }, 'InvalidURLs', 'non-empty list'],
    ['missing urls', {}, 'InvalidURLs', 'non-empty list'],
    ['an empty url', { urls: [''] }, 'InvalidURLs', 'is empty'],
    ['a bad duration', { urls: [web1], duration: 'one hour' }, 'InvalidDuration', 'spec.duration: invalid duration "one hour"'],
    ['a negative duration', { urls: [web1], duration: '-1h' }, 'InvalidDuration', 'negative'],
    ['a duration over the cap', { urls: [web1], duration: '169h' }, 'LifetimeTooLong', 'maximum token lifetime of 168h0m0s'],
    ['a bad from', { urls: [web1], from: 'tomorrow' }, 'InvalidFrom', 'spec.from: invalid from "tomorrow"'],
    ['an impossible date', { urls: [web1], from: '2025-02-30T00:00:00Z' }, 'InvalidFrom', 'no such date'],
    ['an unknown verb', { urls: [web1], verbs: ['get', 'gatepass:view'] }, 'InvalidVerbs', 'unknown verb "gatepass:view"'],
    ['empty verbs', { urls: [web1], verbs: [] }, 'InvalidVerbs', 'non-empty list'],
    ['a token already expired', { urls: [web1], from: '2025-03-01T10:00:00Z', duration: '1h' }, 'InvalidSpec', 'already have expired'],
    ['a duration that is not a string', { urls: [web1], duration: 3600 }, 'InvalidSpec', 'spec.duration must be a string'],
  ])('refuses %s with a reason and a message', (_, spec, reason, words) => {
    const plan = planToken(gateToken(spec), options);
    expect(plan.ok).toBe(false);
    if (plan.ok) return;
    expect(plan.reason).toBe(reason);
    expect(plan.message).toContain(words);
  });

  it('applies the lifetime cap it is given', () => {
    expect(planToken(gateToken({ urls: [web1], duration: '2h' }), { ...options, maxLifetimeMs: 2 * HOUR }).ok).toBe(true);
    expect(planToken(gateToken({ urls: [web1], duration: '2h1s' }), { ...options, maxLifetimeMs: 2 * HOUR })).toMatchObject({ ok: false, reason: 'LifetimeTooLong' });
  });

  it('judges URLs against the GateToken\'s own namespace, whatever it is', () => {
    expect(planToken(gateToken({ urls: [vncPath('team-b', 'build-7')] }, 'team-b'), options).ok).toBe(true);
    expect(planToken(gateToken({ urls: [web1] }, 'team-b'), options).ok).toBe(false);
  });
});
