import { PassThrough } from 'node:stream';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { auditReasons } from '../shared/console-audit.ts';
import { createConsoleAudit } from './console-audit-events.ts';
import type { ConsoleAuditFact } from './console-audit-event.ts';
import { createLogger } from './log.ts';
import type { ApiAnswer, ApiCall, Upstream } from './upstream.ts';

const refusal: ConsoleAuditFact = { reason: auditReasons.refused, namespace: 'team-a', vm: 'web-1', console: 'vnc', viewOnly: false, linkId: 'l-1', client: '10.0.0.1', code: 4409, why: 'busy' };

/** A gateway-side audit over a fake API server that answers with `answer`, recording every call. */
function setup(answer: (call: ApiCall) => ApiAnswer | Promise<ApiAnswer>) {
  const calls: ApiCall[] = [];
  const lines: Record<string, unknown>[] = [];
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>)));
  const upstream = { call: async (call: ApiCall) => (calls.push(call), answer(call)) } as unknown as Upstream;
  const registry = new Registry();
  const audit = createConsoleAudit({ upstream, log: createLogger('debug', sink), metrics: { registry }, instance: 'gw-test' });
  const metric = async (name: string) => (await registry.getSingleMetric(name)?.get())?.values ?? [];
  return { audit, calls, lines, metric };
}

const vmiFound = (call: ApiCall): ApiAnswer | undefined =>
  call.method === 'GET' ? { status: 200, body: JSON.stringify({ metadata: { uid: 'uid-7' } }) } : undefined;

describe('the console audit writer', () => {
  it('writes a JSON audit line at once and the Event with the VMI uid in the background', async () => {
    const { audit, calls, lines } = setup((call) => vmiFound(call) ?? { status: 201, body: '{}' });
    audit.record(refusal, true);
    expect(lines.filter((l) => l['audit'] === 'console-refused')).toHaveLength(1);
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]);
    await audit.drain();
    expect(lines.find((l) => l['audit'] === 'console-refused')).toMatchObject({ namespace: 'team-a', vm: 'web-1', linkId: 'l-1', client: '10.0.0.1', code: 4409, why: 'busy', msg: 'console audit' });
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /apis/kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1', 'POST /api/v1/namespaces/team-a/events']);
    expect(calls[1]?.body).toMatchObject({ involvedObject: { uid: 'uid-7' }, reason: 'ConsoleRefused', type: 'Warning', reportingInstance: 'gw-test', count: 1 });
  });

  it('writes the Event without uid when it may not get the VMI, and says so once', async () => {
    const { audit, calls, lines } = setup((call) => (call.method === 'GET' ? { status: 403, body: '{}' } : { status: 201, body: '{}' }));
    audit.record(refusal, true);
    audit.record({ ...refusal, vm: 'db-1' }, true);
    await audit.drain();
    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts).toHaveLength(2);
    expect(posts.map((c) => (c.body as { involvedObject: object }).involvedObject)).toEqual([expect.not.objectContaining({ uid: expect.anything() }), expect.not.objectContaining({ uid: expect.anything() })]);
    expect(lines.filter((l) => l['level'] === 40 && String(l['msg']).includes('virtualmachineinstances'))).toHaveLength(1);
  });

  it('patches the count of a repeat with a strategic merge patch', async () => {
    const { audit, calls } = setup((call) => vmiFound(call) ?? { status: call.method === 'POST' ? 201 : 200, body: '{}' });
    for (let i = 0; i < 5; i++) audit.record(refusal, true);
    await audit.drain();
    const [post, patch] = calls.filter((c) => c.method !== 'GET');
    const name = (post?.body as { metadata: { name: string } }).metadata.name;
    expect(name).toMatch(/^web-1\.[0-9a-f]+$/);
    expect(patch).toMatchObject({ method: 'PATCH', path: `/api/v1/namespaces/team-a/events/${name}`, contentType: 'application/strategic-merge-patch+json', body: { count: 5 } });
  });

  it('counts failed writes and logs them without anything secret, never throwing at the console', async () => {
    const { audit, lines, metric } = setup((call) => {
      if (call.method === 'GET') return vmiFound(call)!;
      throw new Error('connect ECONNREFUSED');
    });
    expect(() => audit.record({ ...refusal, reason: auditReasons.opened, connection: 'c-1' }, true)).not.toThrow();
    await audit.drain();
    expect(await metric('gatepass_gateway_audit_event_writes_total')).toEqual([expect.objectContaining({ labels: { op: 'create', result: 'failed' }, value: 1 })]);
    expect(lines.find((l) => l['msg'] === 'an audit Event could not be written')).toMatchObject({ op: 'create', status: 'connect ECONNREFUSED', vm: 'web-1' });
  });

  it('writes no Event for a refusal without a valid link unless the VMI exists, and bounds the lookups strangers cause', async () => {
    const { audit, calls, lines, metric } = setup((call) => (call.method === 'GET' ? { status: 404, body: '{}' } : { status: 201, body: '{}' }));
    for (let i = 0; i < 100; i++) audit.record({ reason: auditReasons.refused, namespace: 'team-a', vm: `guess-${i}`, console: 'vnc', viewOnly: false, code: 4401 }, false);
    await audit.drain();
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]);
    expect(calls.length).toBeLessThanOrEqual(21);
    expect(lines.filter((l) => l['audit'] === 'console-refused')).toHaveLength(100);
    expect((await metric('gatepass_gateway_audit_events_dropped_total'))[0]?.value).toBe(100);
  });
});
