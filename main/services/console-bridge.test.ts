import { afterEach, describe, expect, it, vi } from 'vitest';
import { openVncBridge } from './console-bridge.ts';

const DAY = 24 * 3600 * 1000;

afterEach(() => {
  vi.useRealTimers();
});

describe("the bridge's expiry", () => {
  it('holds a link living longer than one timer can wait until its very end', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let clock = 1_000_000;
    const bridge = await openVncBridge({ connect: () => Promise.reject(new Error('unused')), transport: 'loopback', until: clock + 30 * DAY, now: () => clock });
    let closed = false;
    void bridge.closed.then(() => (closed = true));
    const advance = async (ms: number) => {
      clock += ms;
      await vi.advanceTimersByTimeAsync(ms);
    };
    await advance(25 * DAY);
    expect(closed).toBe(false);
    await advance(5 * DAY - 1000);
    expect(closed).toBe(false);
    await advance(1000);
    vi.useRealTimers();
    await bridge.closed;
    expect(closed).toBe(true);
  });

  it('closes at once when the time has already passed', async () => {
    const bridge = await openVncBridge({ connect: () => Promise.reject(new Error('unused')), transport: 'loopback', until: 5, now: () => 10 });
    await expect(bridge.closed).resolves.toBeUndefined();
  });
});
