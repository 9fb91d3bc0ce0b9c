import { describe, expect, it } from 'vitest';
import type { DesktopEvent } from '../../shared/desktop-api.ts';
import { createBridgeClient, nextDelay } from './bridge-client.ts';
import type { RpcSocket } from './bridge-client.ts';

class FakeSocket implements RpcSocket {
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  sent: Array<{ id: number; method: string; params: unknown[] }> = [];
  constructor(readonly url: string) {}
  send(text: string): void { this.sent.push(JSON.parse(text)); }
  close(): void { this.drop(); }
  open(): void { this.readyState = 1; this.onopen?.({}); }
  reply(frame: unknown): void { this.onmessage?.({ data: JSON.stringify(frame) }); }
  drop(): void { this.readyState = 3; this.onclose?.({ code: 1006, reason: '' }); }
}

function harness() {
  const sockets: FakeSocket[] = [];
  const timers: Array<{ callback: () => void; ms: number }> = [];
  const client = createBridgeClient({
    rpcUrl: 'ws://127.0.0.1:1/rpc?token=t',
    consoleUrl: (id) => `ws://127.0.0.1:1/console/${id}?token=t`,
    openSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    openConsoleSocket: (url) => ({ url }) as never,
    setTimer: (callback, ms) => timers.push({ callback, ms }),
    minDelayMs: 100,
    maxDelayMs: 400,
  });
  return { client, sockets, timers, last: () => sockets.at(-1)! };
}

describe('bridge client', () => {
  it('queues calls until connected, then resolves them by id', async () => {
    const { client, last } = harness();
    const contexts = client.listContexts();
    const selected = client.selectContext('operator');
    expect(last().sent).toEqual([]);
    last().open();
    expect(last().sent).toEqual([
      { id: 1, method: 'listContexts', params: [] },
      { id: 2, method: 'selectContext', params: ['operator'] },
    ]);
    last().reply({ id: 2, result: [{ name: 'operator' }] });
    last().reply({ id: 1, result: [] });
    await expect(contexts).resolves.toEqual([]);
    await expect(selected).resolves.toEqual([{ name: 'operator' }]);
  });

  it('rejects with the DesktopError main sent, unchanged', async () => {
    const { client, last } = harness();
    last().open();
    const share = client.shareConsole({ context: 'viewer', namespace: 'ns', name: 'vm', duration: '1h' });
    last().reply({ id: 1, error: { code: 'forbidden', message: 'viewer may not read the key', context: 'viewer' } });
    await expect(share).rejects.toEqual({ code: 'forbidden', message: 'viewer may not read the key', context: 'viewer' });
  });

  it('delivers events to every listener until it unsubscribes', () => {
    const { client, last } = harness();
    last().open();
    const a: DesktopEvent[] = [];
    const b: DesktopEvent[] = [];
    const stopA = client.onEvent((e) => a.push(e));
    client.onEvent((e) => b.push(e));
    last().reply({ event: { kind: 'navigate', view: 'links' } });
    stopA();
    last().reply({ event: { kind: 'deep-link', link: 'gatepass://open?link=AbC' } });
    expect(a).toEqual([{ kind: 'navigate', view: 'links' }]);
    expect(b).toHaveLength(2);
    expect(b[1]).toEqual({ kind: 'deep-link', link: 'gatepass://open?link=AbC' });
  });

  it('fails calls in flight when the connection drops and reconnects with growing delays', async () => {
    const { client, sockets, timers, last } = harness();
    last().open();
    const pending = client.listIssuedLinks();
    last().drop();
    await expect(pending).rejects.toMatchObject({ code: 'unreachable' });
    expect(timers.map((t) => t.ms)).toEqual([100]);
    timers[0]!.callback();
    expect(sockets).toHaveLength(2);
    const waiting = client.getAppSettings();
    last().drop();
    timers[1]!.callback();
    last().drop();
    expect(timers.map((t) => t.ms)).toEqual([100, 200, 400]);
    timers[2]!.callback();
    last().open();
    expect(last().sent).toEqual([{ id: 2, method: 'getAppSettings', params: [] }]);
    last().reply({ id: 2, result: { closeToTray: false, favourites: {} } });
    await expect(waiting).resolves.toEqual({ closeToTray: false, favourites: {} });
  });

  it('opens console websockets at the bridge URL for the ticket', () => {
    const { client } = harness();
    expect(client.consoleChannel({ id: 'abc', title: 't', namespace: 'n', name: 'v', viewOnly: false, console: 'vnc' })).toEqual({ url: 'ws://127.0.0.1:1/console/abc?token=t' });
  });

  it('caps the backoff', () => {
    expect(nextDelay(0, 500, 10_000)).toBe(500);
    expect(nextDelay(8000, 500, 10_000)).toBe(10_000);
  });
});
