import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openVncBridge } from './console-bridge.ts';

const DAY = 24 * 3600 * 1000;

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
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
    await expect(bridge.closed).resolves.toEqual({ reason: 'expired' });
    expect(closed).toBe(true);
  });

  it('closes at once when the time has already passed', async () => {
    const bridge = await openVncBridge({ connect: () => Promise.reject(new Error('unused')), transport: 'loopback', until: 5, now: () => 10 });
    await expect(bridge.closed).resolves.toEqual({ reason: 'expired' });
  });
});

describe('why the bridge closed', () => {
  it('says it was asked to', async () => {
    const bridge = await openVncBridge({ connect: () => Promise.reject(new Error('unused')), transport: 'loopback' });
    bridge.close();
    await expect(bridge.closed).resolves.toEqual({ reason: 'closed' });
  });

  it('closes when its listener fails, and says why', async () => {
    const servers: net.Server[] = [];
    const create = net.createServer.bind(net);
    vi.spyOn(net, 'createServer').mockImplementation(((...args: Parameters<typeof net.createServer>) => {
      const server = create(...args);
      servers.push(server);
      return server;
    }) as typeof net.createServer);
    const bridge = await openVncBridge({ connect: () => Promise.reject(new Error('unused')), transport: 'loopback' });
    expect(servers).toHaveLength(1);
    servers[0]!.emit('error', Object.assign(new Error('accept EMFILE'), { code: 'EMFILE' }));
    await expect(bridge.closed).resolves.toEqual({ reason: 'failed', error: expect.objectContaining({ message: expect.stringContaining('EMFILE') }) });
    expect(servers[0]!.listening).toBe(false);
  });
});
