import { describe, expect, it } from 'vitest';
import { ConsolePorts } from './console-ports.ts';
import type { PortMessageEvent, PortSource } from './console-ports.ts';
import type { PortLike } from './port-channel.ts';
import { OPEN } from './port-channel.ts';

class FakePort implements PortLike {
  onmessage: ((event: { data: unknown }) => void) | null = null;
  sent: unknown[] = [];
  closed = false;
  postMessage(message: unknown): void { this.sent.push(message); }
  close(): void { this.closed = true; }
}

function manualTimers() {
  const timers: Array<{ callback: () => void; ms: number; cleared: boolean }> = [];
  return {
    timers,
    setTimer: (callback: () => void, ms: number) => {
      const timer = { callback, ms, cleared: false };
      timers.push(timer);
      return timer;
    },
    clearTimer: (timer: unknown) => {
      (timer as { cleared: boolean }).cleared = true;
    },
    fire: () => timers.filter((t) => !t.cleared).forEach((t) => t.callback()),
  };
}

class FakeWindow implements PortSource {
  listeners: Array<(event: PortMessageEvent) => void> = [];
  addEventListener(_type: 'message', listener: (event: PortMessageEvent) => void): void { this.listeners.push(listener); }
  post(event: PortMessageEvent): void { this.listeners.forEach((l) => l(event)); }
}

describe('ConsolePorts', () => {
  it('hands a port that arrived first to the channel asked for later', () => {
    const ports = new ConsolePorts(manualTimers());
    const port = new FakePort();
    ports.deliver('c1', port);
    const channel = ports.channel('c1');
    port.onmessage?.({ data: { type: 'open', protocol: '' } });
    expect(channel.readyState).toBe(OPEN);
  });

  it('connects a waiting channel when its port arrives', () => {
    const ports = new ConsolePorts(manualTimers());
    const channel = ports.channel('c2');
    const port = new FakePort();
    ports.deliver('c2', port);
    port.onmessage?.({ data: { type: 'open', protocol: 'p' } });
    expect(channel.protocol).toBe('p');
  });

  it('fails a channel whose port never comes, and closes a port nobody claims', () => {
    const timers = manualTimers();
    const ports = new ConsolePorts({ ...timers, waitMs: 1234 });
    const channel = ports.channel('late');
    const closes: number[] = [];
    channel.onclose = (event) => closes.push(event.code);
    const orphan = new FakePort();
    ports.deliver('orphan', orphan);
    expect(timers.timers.map((t) => t.ms)).toEqual([1234, 1234]);
    timers.fire();
    expect(closes).toEqual([1006]);
    expect(orphan.closed).toBe(true);
    expect(orphan.sent).toEqual([{ type: 'close', code: 1000, reason: 'nobody opened this console' }]);
  });

  it('listens only to envelopes the page posted to itself, with exactly one port', () => {
    const ports = new ConsolePorts(manualTimers());
    const win = new FakeWindow();
    ports.listen(win, win);
    const channel = ports.channel('c3');
    const foreign = new FakePort();
    win.post({ data: { gatepassConsolePort: 'c3' }, source: {}, ports: [foreign] });
    win.post({ data: { other: 'c3' }, source: win, ports: [foreign] });
    win.post({ data: { gatepassConsolePort: 'c3' }, source: win, ports: [] });
    expect(foreign.onmessage).toBeNull();
    const port = new FakePort();
    win.post({ data: { gatepassConsolePort: 'c3' }, source: win, ports: [port] });
    port.onmessage?.({ data: { type: 'open', protocol: '' } });
    expect(channel.readyState).toBe(OPEN);
  });
});
