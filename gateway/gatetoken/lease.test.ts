import { describe, expect, it } from 'vitest';
import { decide, DEFAULT_TIMING, microTime, observe, released, timingProblem, type LeaseSpec, type Observation } from './lease.ts';

const T0 = Date.parse('2025-03-01T12:00:00Z');
const timing = DEFAULT_TIMING;

function heldBy(holder: string, at: number, extra: Partial<LeaseSpec> = {}): LeaseSpec {
  return { holderIdentity: holder, leaseDurationSeconds: 15, acquireTime: microTime(at), renewTime: microTime(at), leaseTransitions: 0, ...extra };
}

describe('decide', () => {
  it('creates a missing lease, held by itself', () => {
    expect(decide(undefined, 'a', T0, timing)).toEqual({ action: 'create', spec: heldBy('a', T0) });
  });

  it('waits while another holder\'s lease has not been seen unchanged for the lease duration', () => {
    const seen: Observation = { spec: heldBy('a', T0), changedAt: T0 };
    expect(decide(seen, 'b', T0 + 14_999, timing)).toEqual({ action: 'wait', holder: 'a', expiresAt: T0 + 15_000 });
  });

  it('takes over once the lease has stayed unchanged for the lease duration, counting a transition', () => {
    const seen: Observation = { spec: heldBy('a', T0, { leaseTransitions: 3 }), changedAt: T0 };
    const decision = decide(seen, 'b', T0 + 15_000, timing);
    expect(decision).toEqual({ action: 'update', acquiring: true, spec: heldBy('b', T0 + 15_000, { leaseTransitions: 4 }) });
  });

  it('trusts its own clock, not the renew time written by another node', () => {
    // The holder's clock is an hour behind: its renewTime looks ancient, yet it renewed just now.
    const seen: Observation = { spec: heldBy('a', T0 - 3_600_000), changedAt: T0 };
    expect(decide(seen, 'b', T0 + 1_000, timing).action).toBe('wait');
  });

  it('honours the holder\'s own lease duration', () => {
    const seen: Observation = { spec: heldBy('a', T0, { leaseDurationSeconds: 60 }), changedAt: T0 };
    expect(decide(seen, 'b', T0 + 59_000, timing).action).toBe('wait');
    expect(decide(seen, 'b', T0 + 60_000, timing).action).toBe('update');
  });

  it('renews its own lease keeping the acquire time and the transitions', () => {
    const seen: Observation = { spec: heldBy('a', T0, { leaseTransitions: 2 }), changedAt: T0 };
    const decision = decide(seen, 'a', T0 + 2_000, timing);
    expect(decision).toEqual({
      action: 'update', acquiring: false,
      spec: { ...heldBy('a', T0, { leaseTransitions: 2 }), renewTime: microTime(T0 + 2_000) },
    });
  });

  it('takes a released lease at once', () => {
    const seen: Observation = { spec: released(heldBy('a', T0), T0 + 5_000), changedAt: T0 + 5_000 };
    const decision = decide(seen, 'b', T0 + 5_001, timing);
    expect(decision).toMatchObject({ action: 'update', acquiring: true, spec: { holderIdentity: 'b', leaseTransitions: 1 } });
  });
});

describe('observe', () => {
  it('keeps the time of the last change while the lease stays the same', () => {
    const first = observe(undefined, heldBy('a', T0), T0);
    expect(observe(first, heldBy('a', T0), T0 + 10_000)).toBe(first);
    expect(observe(first, heldBy('a', T0 + 2_000), T0 + 10_000)).toEqual({ spec: heldBy('a', T0 + 2_000), changedAt: T0 + 10_000 });
  });
});

describe('released', () => {
  it('gives the lease back: no holder, one second', () => {
    expect(released(heldBy('a', T0), T0 + 1_000)).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(T0 + 1_000) });
  });
});

describe('timingProblem', () => {
  it('accepts the defaults and refuses timings that let leaders overlap', () => {
    expect(timingProblem(DEFAULT_TIMING)).toBeUndefined();
    expect(timingProblem({ ...DEFAULT_TIMING, renewDeadlineMs: 15_000 })).toMatch(/renew deadline must be shorter/);
    expect(timingProblem({ ...DEFAULT_TIMING, retryPeriodMs: 10_000 })).toMatch(/retry period must be shorter/);
    expect(timingProblem({ ...DEFAULT_TIMING, leaseDurationMs: 500, renewDeadlineMs: 400, retryPeriodMs: 100 })).toMatch(/at least 1s/);
  });
});

describe('microTime', () => {
  it('writes RFC 3339 with microseconds, as a Lease\'s MicroTime', () => {
    expect(microTime(T0 + 123)).toBe('2025-03-01T12:00:00.123000Z');
  });
});
