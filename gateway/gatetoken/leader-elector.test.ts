import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../log.ts';
import type { ElectionTiming, LeaseSpec } from './lease.ts';
import { startElector, type Elector, type LeaseApi, type StoredLease } from './leader-elector.ts';

const timing: ElectionTiming = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };
const log = createLogger('silent');

/** One Lease in memory with the API server's optimistic concurrency; each view of it can be cut off. */
class FakeLeaseServer {
  stored: StoredLease | undefined;
  private version = 0;
  writes: LeaseSpec[] = [];

  view(): LeaseApi & { cutOff: boolean } {
    const api = {
      cutOff: false,
      get: async (): Promise<StoredLease | undefined> => {
        this.check(api.cutOff);
        return this.stored && structuredClone(this.stored);
      },
      create: async (spec: LeaseSpec): Promise<string> => {
        this.check(api.cutOff);
        if (this.stored) throw new Error('409 AlreadyExists');
        return this.write(spec);
      },
      update: async (spec: LeaseSpec, resourceVersion: string): Promise<string> => {
        this.check(api.cutOff);
        if (this.stored?.resourceVersion !== resourceVersion) throw new Error('409 Conflict');
        return this.write(spec);
      },
    };
    return api;
  }

  private check(cutOff: boolean): void {
    if (cutOff) throw new Error('connect ECONNREFUSED');
  }

  private write(spec: LeaseSpec): string {
    this.stored = { spec: structuredClone(spec), resourceVersion: String(++this.version) };
    this.writes.push(structuredClone(spec));
    return this.stored.resourceVersion;
  }
}

describe('startElector', () => {
  let server: FakeLeaseServer;
  const electors: Elector[] = [];
  const elect = (identity: string, lease: LeaseApi): Elector => {
    const elector = startElector({ identity, timing, lease, log });
    electors.push(elector);
    return elector;
  };

  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2025-03-01T12:00:00Z') });
    server = new FakeLeaseServer();
  });
  afterEach(async () => {
    const stopping = electors.splice(0).map((e) => e.stop());
    await vi.runOnlyPendingTimersAsync();
    await Promise.all(stopping);
    vi.useRealTimers();
  });

  it('elects exactly one leader and keeps renewing', async () => {
    const a = elect('a', server.view());
    await vi.advanceTimersByTimeAsync(0);
    const b = elect('b', server.view());
    await vi.advanceTimersByTimeAsync(60_000);
    expect(a.isLeader()).toBe(true);
    expect(b.isLeader()).toBe(false);
    expect(server.stored?.spec.holderIdentity).toBe('a');
    // Renewed every retry period: about 30 writes in a minute, all by a.
    expect(server.writes.length).toBeGreaterThanOrEqual(25);
    expect(new Set(server.writes.map((w) => w.holderIdentity))).toEqual(new Set(['a']));
  });

  it('hands over at once when the leader stops cleanly', async () => {
    const a = elect('a', server.view());
    await vi.advanceTimersByTimeAsync(0);
    const b = elect('b', server.view());
    await vi.advanceTimersByTimeAsync(5_000);
    const stopped = a.stop();
    await vi.advanceTimersByTimeAsync(0);
    await stopped;
    expect(await a.done).toBe('stopped');
    expect(server.stored?.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    await vi.advanceTimersByTimeAsync(timing.retryPeriodMs);
    expect(b.isLeader()).toBe(true);
    expect(server.stored?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('a cut-off leader stops leading before a follower may take over', async () => {
    const aLease = server.view();
    const a = elect('a', aLease);
    await vi.advanceTimersByTimeAsync(0);
    const b = elect('b', server.view());
    await vi.advanceTimersByTimeAsync(4_000);
    aLease.cutOff = true;
    const cutAt = Date.now();
    let aLostAt: number | undefined;
    void a.done.then(() => (aLostAt = Date.now()));
    let bLedAt: number | undefined;
    void b.leading.then(() => (bLedAt = Date.now()));
    await vi.advanceTimersByTimeAsync(30_000);
    expect(await a.done).toBe('lost');
    expect(a.isLeader()).toBe(false);
    expect(b.isLeader()).toBe(true);
    expect(aLostAt! - cutAt).toBeLessThanOrEqual(timing.renewDeadlineMs + timing.retryPeriodMs);
    expect(bLedAt! - cutAt).toBeGreaterThanOrEqual(timing.leaseDurationMs - timing.retryPeriodMs);
    expect(aLostAt!).toBeLessThan(bLedAt!);
  });

  it('gives up leading when another instance holds the lease', async () => {
    const a = elect('a', server.view());
    await vi.advanceTimersByTimeAsync(0);
    server.stored = { spec: { ...server.stored!.spec, holderIdentity: 'intruder' }, resourceVersion: 'intruder-1' };
    await vi.advanceTimersByTimeAsync(timing.retryPeriodMs);
    expect(await a.done).toBe('lost');
  });

  it('two instances starting together never both lead', async () => {
    const a = elect('a', server.view());
    const b = elect('b', server.view());
    for (let i = 0; i < 30; i++) {
      await vi.advanceTimersByTimeAsync(1_000);
      expect(a.isLeader() && b.isLeader()).toBe(false);
    }
    expect(a.isLeader() || b.isLeader()).toBe(true);
  });

  it('stopping a follower ends it without touching the lease', async () => {
    const a = elect('a', server.view());
    await vi.advanceTimersByTimeAsync(0);
    const b = elect('b', server.view());
    await vi.advanceTimersByTimeAsync(3_000);
    const writes = server.writes.length;
    await b.stop();
    expect(await b.done).toBe('stopped');
    expect(server.writes.length).toBe(writes);
    expect(a.isLeader()).toBe(true);
  });
});
