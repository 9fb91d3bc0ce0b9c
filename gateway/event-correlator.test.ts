import { describe, expect, it } from 'vitest';
import { auditReasons } from '../shared/console-audit.ts';
import { eventDraft, type ConsoleAuditFact } from './console-audit-event.ts';
import { EventCorrelator, type CorrelatorOptions, type Observation, type Write } from './event-correlator.ts';

const base: ConsoleAuditFact = { reason: auditReasons.refused, namespace: 'team-a', vm: 'web-1', console: 'vnc', viewOnly: false, code: 4409, why: 'busy', linkId: 'l-1', client: '10.0.0.1' };

function refusal(overrides: Partial<ConsoleAuditFact> = {}): Observation {
  const fact = { ...base, ...overrides };
  return {
    objectKey: `${fact.namespace}/${fact.vm}`,
    identity: JSON.stringify([fact.linkId, fact.client, fact.code]),
    combinable: fact.reason === auditReasons.refused,
    draft: eventDraft(fact, 'uid-1'),
  };
}

/** A correlator with a clock the test moves, and the writes it asked for, settled at once as the API server would. */
function harness(options: Partial<CorrelatorOptions> = {}) {
  const correlator = new EventCorrelator(options);
  let now = 1_000_000;
  let names = 0;
  const writes: Write[] = [];
  const run = (write: Write, result: 'ok' | 'gone' | 'failed' = 'ok') => {
    writes.push(write);
    correlator.settled(write, result === 'ok' ? { result, name: write.op === 'patch' ? write.name : `ev-${++names}` } : { result }, now);
  };
  return {
    correlator,
    writes,
    run,
    advance(ms: number) {
      now += ms;
    },
    observe(observation: Observation) {
      const observed = correlator.observe(observation, now);
      if (observed.outcome === 'write') run(observed.write);
      return observed.outcome;
    },
    flush(force = false) {
      const due = correlator.due(now, force);
      for (const write of due) run(write);
      return due;
    },
    get now() {
      return now;
    },
  };
}

describe('identical events', () => {
  it('become one Event whose count is patched at most once per flush interval', () => {
    const h = harness({ flushMs: 2_000 });
    const outcomes = Array.from({ length: 200 }, () => {
      h.advance(5);
      return h.observe(refusal());
    });
    expect(outcomes[0]).toBe('write');
    expect(outcomes.slice(1).every((o) => o === 'counted')).toBe(true);
    expect(h.flush()).toEqual([]);
    h.advance(2_000);
    expect(h.flush()).toEqual([expect.objectContaining({ op: 'patch', name: 'ev-1', count: 200 })]);
    expect(h.writes.map((w) => w.op)).toEqual(['create', 'patch']);
    expect(h.correlator.hasPending()).toBe(false);
  });

  it('are told apart by link, client and close code, and by reason', () => {
    const h = harness();
    for (const o of [refusal(), refusal({ linkId: 'l-2' }), refusal({ client: '10.0.0.2' }), refusal({ code: 4404 }), refusal()]) h.observe(o);
    expect(h.writes).toHaveLength(4);
  });

  it('start a new Event once the window has passed', () => {
    const h = harness({ windowMs: 60_000 });
    h.observe(refusal());
    h.advance(60_001);
    expect(h.observe(refusal())).toBe('write');
    expect(h.writes.map((w) => [w.op, w.count])).toEqual([['create', 1], ['create', 1]]);
  });

  it('write the count anew when the Event was deleted (404 on the patch)', () => {
    const h = harness({ flushMs: 100 });
    h.observe(refusal());
    h.observe(refusal());
    h.advance(100);
    const [patch] = h.correlator.due(h.now);
    h.run(patch!, 'gone');
    h.observe(refusal());
    h.advance(100);
    expect(h.flush()).toEqual([expect.objectContaining({ op: 'create', count: 3 })]);
  });

  it('wait for a create still in flight before patching', () => {
    const h = harness({ flushMs: 0 });
    const first = h.correlator.observe(refusal(), h.now);
    expect(first.outcome).toBe('write');
    h.correlator.observe(refusal(), h.now);
    expect(h.correlator.due(h.now)).toEqual([]);
    if (first.outcome === 'write') h.run(first.write);
    expect(h.flush()).toEqual([expect.objectContaining({ op: 'patch', count: 2 })]);
  });

  it('are forgotten after a failed write, so the next one tries a fresh Event', () => {
    const h = harness();
    const first = h.correlator.observe(refusal(), h.now);
    if (first.outcome === 'write') h.run(first.write, 'failed');
    expect(h.observe(refusal())).toBe('write');
  });
});

describe('different refusals of one console', () => {
  it('are combined past the limit, into one counted Event without link details', () => {
    const h = harness({ maxSimilar: 10, flushMs: 1_000 });
    for (let i = 0; i < 50; i++) h.observe(refusal({ client: `10.0.1.${i}` }));
    expect(h.writes).toHaveLength(11);
    const combined = h.writes[10]!;
    expect(combined.draft.message).toMatch(/^\(combined from similar events\): /);
    expect(combined.draft.annotations).not.toHaveProperty(['gatepass.io/client']);
    expect(combined.draft.labels).not.toHaveProperty(['gatepass.io/link']);
    h.advance(1_000);
    expect(h.flush()).toEqual([expect.objectContaining({ op: 'patch', count: 40 })]);
  });

  it('never combine opens or closes', () => {
    const h = harness({ maxSimilar: 2 });
    for (let i = 0; i < 5; i++) {
      h.observe({ ...refusal(), identity: `connection-${i}`, combinable: false, draft: eventDraft({ ...base, reason: auditReasons.opened }, 'uid-1') });
    }
    expect(h.writes.filter((w) => w.draft.message.startsWith('(combined'))).toEqual([]);
    expect(h.writes).toHaveLength(5);
  });
});

describe('rate limits', () => {
  it('drop new Events of one console once its bucket is empty, and refill it over time', () => {
    const h = harness({ burst: 3, refillMs: 10_000, maxSimilar: 100 });
    const outcomes = Array.from({ length: 5 }, (_, i) => h.observe({ ...refusal(), identity: `i-${i}`, combinable: false }));
    expect(outcomes).toEqual(['write', 'write', 'write', 'dropped', 'dropped']);
    // Another console has its own bucket.
    expect(h.observe(refusal({ vm: 'db-1' }))).toBe('write');
    h.advance(10_000);
    expect(h.observe({ ...refusal(), identity: 'later', combinable: false })).toBe('write');
    expect(h.observe({ ...refusal(), identity: 'later-still', combinable: false })).toBe('dropped');
  });

  it('hold a counted Event until a token is there, then write the whole count', () => {
    const h = harness({ burst: 1, refillMs: 10_000, flushMs: 1_000 });
    h.observe(refusal());
    for (let i = 0; i < 99; i++) h.observe(refusal());
    h.advance(1_000);
    expect(h.flush()).toEqual([]);
    expect(h.correlator.hasPending()).toBe(true);
    h.advance(9_000);
    expect(h.flush()).toEqual([expect.objectContaining({ op: 'patch', count: 100 })]);
  });

  it('bound the whole gateway across consoles', () => {
    const h = harness({ globalBurst: 4, globalRefillMs: 1_000 });
    const outcomes = Array.from({ length: 6 }, (_, i) => h.observe(refusal({ vm: `vm-${i}` })));
    expect(outcomes.filter((o) => o === 'write')).toHaveLength(4);
  });

  it('let a shutdown write pending counts without waiting for the flush interval', () => {
    const h = harness({ flushMs: 60_000 });
    h.observe(refusal());
    h.observe(refusal());
    expect(h.flush()).toEqual([]);
    expect(h.flush(true)).toEqual([expect.objectContaining({ op: 'patch', count: 2 })]);
  });
});
