// sweep() against a scripted API server: what it asks for, and what it does
// with each answer (the end-to-end run with two replicas is in
// test/integration/link-janitor.test.ts).
import { describe, expect, it } from 'vitest';
import { createLogger } from './log.ts';
import { EXPIRES_ANNOTATION } from './link-expiry.ts';
import { sweep, USE_COUNTER_SELECTOR } from './link-janitor.ts';
import type { ApiAnswer, ApiCall, Upstream } from './upstream.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const GRACE = 90_000;
const PAST = new Date(NOW - 86_400_000).toISOString();
const FUTURE = new Date(NOW + 86_400_000).toISOString();
const COLLECTION = '/api/v1/namespaces/kube-gateway/configmaps';

type Script = (call: ApiCall) => ApiAnswer | undefined;

function scripted(script: Script): { upstream: Upstream; calls: ApiCall[] } {
  const calls: ApiCall[] = [];
  const upstream = {
    call: (call: ApiCall) => {
      calls.push(call);
      const answer = script(call);
      if (!answer) throw new Error(`unexpected ${call.method} ${call.path}`);
      return Promise.resolve(answer);
    },
  } as unknown as Upstream;
  return { upstream, calls };
}

const json = (status: number, body: unknown): ApiAnswer => ({ status, body: JSON.stringify(body) });
const counter = (name: string, expires: string, resourceVersion: string) => ({ metadata: { name, uid: `uid-${name}`, resourceVersion, annotations: { [EXPIRES_ANNOTATION]: expires } } });

function run(upstream: Upstream, mayContinue: () => boolean = () => true) {
  return sweep({ upstream, namespace: 'kube-gateway', graceMs: GRACE, log: createLogger('silent'), now: () => NOW, mayContinue });
}

describe('sweep', () => {
  it('lists counters by label, page by page, and deletes the expired ones at the version it judged', async () => {
    const pages: Record<string, unknown> = {
      '': { metadata: { continue: 'page-2' }, items: [counter('gatepass-uses-a', PAST, '11'), counter('gatepass-uses-b', FUTURE, '12')] },
      'page-2': { metadata: {}, items: [counter('gatepass-uses-c', PAST, '13')] },
    };
    const { upstream, calls } = scripted((call) => {
      if (call.method === 'GET' && call.path.startsWith(`${COLLECTION}?`)) return json(200, pages[new URLSearchParams(call.path.split('?')[1]).get('continue') ?? '']);
      if (call.method === 'DELETE') return json(200, {});
      if (call.method === 'GET') return json(404, {});
      return undefined;
    });
    const result = await run(upstream);
    expect(result.removed).toEqual({ 'use-counter': 2, revocation: 0 });
    const lists = calls.filter((c) => c.method === 'GET' && c.path.includes('?')).map((c) => Object.fromEntries(new URLSearchParams(c.path.split('?')[1])));
    expect(lists).toEqual([{ labelSelector: USE_COUNTER_SELECTOR, limit: '500' }, { labelSelector: USE_COUNTER_SELECTOR, limit: '500', continue: 'page-2' }]);
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => [c.path, c.body])).toEqual([
      [`${COLLECTION}/gatepass-uses-a`, { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion: '11', uid: 'uid-gatepass-uses-a' } }],
      [`${COLLECTION}/gatepass-uses-c`, { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion: '13', uid: 'uid-gatepass-uses-c' } }],
    ]);
  });

  it('counts neither a counter changed since it was listed (409) nor one another replica removed (404)', async () => {
    const { upstream, calls } = scripted((call) => {
      if (call.method === 'GET' && call.path.includes('?')) return json(200, { metadata: {}, items: [counter('gatepass-uses-a', PAST, '1'), counter('gatepass-uses-b', PAST, '2'), counter('gatepass-uses-c', PAST, '3')] });
      if (call.method === 'DELETE') return json(call.path.endsWith('-a') ? 409 : call.path.endsWith('-b') ? 404 : 200, {});
      if (call.method === 'GET') return json(404, {});
      return undefined;
    });
    expect((await run(upstream)).removed['use-counter']).toBe(1);
    expect(calls.filter((c) => c.method === 'DELETE')).toHaveLength(3);
  });

  it('stops writing as soon as this replica may no longer sweep', async () => {
    let allowed = 2;
    const { upstream, calls } = scripted((call) => {
      if (call.method === 'GET' && call.path.includes('?')) return json(200, { metadata: {}, items: ['a', 'b', 'c', 'd'].map((n, i) => counter(`gatepass-uses-${n}`, PAST, String(i))) });
      if (call.method === 'DELETE') return json(200, {});
      return undefined;
    });
    const result = await run(upstream, () => allowed-- > 0);
    expect(result.removed['use-counter']).toBe(2);
    expect(calls.filter((c) => c.method !== 'GET')).toHaveLength(2);
  });

  it('rewrites gatepass-revoked without its expired entries, over the version it read', async () => {
    const revoked = { metadata: { name: 'gatepass-revoked', resourceVersion: '40' }, data: { gone: PAST, live: FUTURE, odd: 'next tuesday' } };
    const { upstream, calls } = scripted((call) => {
      if (call.method === 'GET' && call.path.includes('?')) return json(200, { metadata: {}, items: [] });
      if (call.method === 'GET' && call.path === `${COLLECTION}/gatepass-revoked`) return json(200, revoked);
      if (call.method === 'PUT') return json(200, {});
      return undefined;
    });
    const result = await run(upstream);
    expect(result).toEqual({ removed: { 'use-counter': 0, revocation: 1 }, unreadable: { 'use-counter': 0, revocation: 1 } });
    expect(calls.find((c) => c.method === 'PUT')).toEqual({
      method: 'PUT', path: `${COLLECTION}/gatepass-revoked`,
      body: { metadata: { name: 'gatepass-revoked', resourceVersion: '40' }, data: { live: FUTURE, odd: 'next tuesday' } },
    });
  });

  it('leaves gatepass-revoked alone when nothing in it expired, and counts nothing when its write loses a race (409)', async () => {
    let data: Record<string, string> = { live: FUTURE };
    const { upstream, calls } = scripted((call) => {
      if (call.method === 'GET' && call.path.includes('?')) return json(200, { metadata: {}, items: [] });
      if (call.method === 'GET') return json(200, { metadata: { name: 'gatepass-revoked', resourceVersion: '7' }, data });
      if (call.method === 'PUT') return json(409, { reason: 'Conflict' });
      return undefined;
    });
    expect((await run(upstream)).removed.revocation).toBe(0);
    expect(calls.some((c) => c.method === 'PUT')).toBe(false);
    data = { gone: PAST };
    expect((await run(upstream)).removed.revocation).toBe(0);
    expect(calls.filter((c) => c.method === 'PUT')).toHaveLength(1);
  });

  it('does nothing more when the counters cannot be listed, and nothing at all without a revocation list', async () => {
    const { upstream, calls } = scripted((call) => (call.method === 'GET' ? json(call.path.includes('?') ? 403 : 404, {}) : undefined));
    expect(await run(upstream)).toEqual({ removed: { 'use-counter': 0, revocation: 0 }, unreadable: { 'use-counter': 0, revocation: 0 } });
    expect(calls.map((c) => c.method)).toEqual(['GET', 'GET']);
  });
});
