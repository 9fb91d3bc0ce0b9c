// Leader election over a coordination.k8s.io/v1 Lease, decided the way
// client-go's leaderelection does: a lease held by someone else counts as
// expired only when this process has watched it stay unchanged for the whole
// lease duration on its own clock, so clocks that disagree between nodes never
// let two leaders overlap. Pure: the caller brings the clock and the I/O.

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  /** MicroTime, RFC 3339 with microseconds. */
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface ElectionTiming {
  /** How long followers wait, after the lease last changed, before taking it. */
  leaseDurationMs: number;
  /** How long a leader keeps trying to renew before it gives up leading. */
  renewDeadlineMs: number;
  /** Time between attempts. */
  retryPeriodMs: number;
}

export const DEFAULT_TIMING: ElectionTiming = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/** Why these timings cannot work together, or undefined. */
export function timingProblem(t: ElectionTiming): string | undefined {
  if (!(t.retryPeriodMs > 0)) return 'the retry period must be positive';
  if (!(t.leaseDurationMs >= 1000)) return 'the lease duration must be at least 1s (a Lease counts whole seconds)';
  if (!(t.renewDeadlineMs < t.leaseDurationMs)) return 'the renew deadline must be shorter than the lease duration';
  if (!(t.retryPeriodMs < t.renewDeadlineMs)) return 'the retry period must be shorter than the renew deadline';
  return undefined;
}

/** What this process last saw of the lease, and when by its own clock it last changed. */
export interface Observation {
  spec: LeaseSpec;
  /** Unix milliseconds on the local clock. */
  changedAt: number;
}

export function observe(previous: Observation | undefined, spec: LeaseSpec, now: number): Observation {
  return previous !== undefined && JSON.stringify(previous.spec) === JSON.stringify(spec) ? previous : { spec, changedAt: now };
}

export type Decision =
  | { action: 'create'; spec: LeaseSpec }
  | { action: 'update'; spec: LeaseSpec; acquiring: boolean }
  | { action: 'wait'; holder: string; expiresAt: number };

export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

/**
 * What to do next for `identity`: create a missing lease, renew its own,
 * take over one that is free or has expired, or wait for the current holder.
 */
export function decide(observation: Observation | undefined, identity: string, now: number, timing: ElectionTiming): Decision {
  const leaseDurationSeconds = Math.ceil(timing.leaseDurationMs / 1000);
  if (observation === undefined) {
    return { action: 'create', spec: { holderIdentity: identity, leaseDurationSeconds, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: 0 } };
  }
  const current = observation.spec;
  const holder = current.holderIdentity ?? '';
  if (holder !== '' && holder !== identity) {
    const heldForMs = (current.leaseDurationSeconds ?? leaseDurationSeconds) * 1000;
    const expiresAt = observation.changedAt + heldForMs;
    if (now < expiresAt) return { action: 'wait', holder, expiresAt };
  }
  const mine = holder === identity;
  return {
    action: 'update',
    acquiring: !mine,
    spec: {
      holderIdentity: identity,
      leaseDurationSeconds,
      acquireTime: mine && current.acquireTime ? current.acquireTime : microTime(now),
      renewTime: microTime(now),
      // A lease given back (holder "") and taken again is a transition too.
      leaseTransitions: (current.leaseTransitions ?? 0) + (mine ? 0 : 1),
    },
  };
}

/** The lease a stopping leader writes so that a follower takes over at once rather than after the lease duration. */
export function released(spec: LeaseSpec, now: number): LeaseSpec {
  return { ...spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: microTime(now) };
}
