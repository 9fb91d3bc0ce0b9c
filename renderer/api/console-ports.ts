// Matches the MessagePorts the preload re-posts to the page ({ gatepassConsolePort: id })
// with the consoles the page asked for. A port may arrive before or after the
// page asks (main posts it as openConsole resolves), so either side waits for
// the other — but not forever: an unclaimed port would keep a console open.

import { isConsolePortEnvelope } from '../../shared/console-port.ts';
import { PortChannel } from './port-channel.ts';
import type { PortLike } from './port-channel.ts';

export interface PortMessageEvent {
  data: unknown;
  source: unknown;
  ports: readonly PortLike[];
}

export interface PortSource {
  addEventListener(type: 'message', listener: (event: PortMessageEvent) => void): void;
}

export interface ConsolePortsOptions {
  /** How long a port or a channel waits for its other half. */
  waitMs?: number;
  setTimer?: (callback: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

export const DEFAULT_PORT_WAIT_MS = 15_000;

export class ConsolePorts {
  #ports = new Map<string, { port: PortLike; timer: unknown }>();
  #waiting = new Map<string, { channel: PortChannel; timer: unknown }>();
  #waitMs: number;
  #setTimer: (callback: () => void, ms: number) => unknown;
  #clearTimer: (timer: unknown) => void;

  constructor(options: ConsolePortsOptions = {}) {
    this.#waitMs = options.waitMs ?? DEFAULT_PORT_WAIT_MS;
    this.#setTimer = options.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
    this.#clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  }

  /** Listens for ports on `target`, taking only messages the page posted to itself (the preload shares its window). */
  listen(target: PortSource, self: unknown): void {
    target.addEventListener('message', (event) => {
      if (event.source !== self || !isConsolePortEnvelope(event.data)) return;
      const port = event.ports[0];
      if (event.ports.length !== 1 || !port) return;
      this.deliver(event.data.gatepassConsolePort, port);
    });
  }

  deliver(id: string, port: PortLike): void {
    const waiting = this.#waiting.get(id);
    if (waiting) {
      this.#waiting.delete(id);
      this.#clearTimer(waiting.timer);
      waiting.channel.attach(port);
      return;
    }
    if (this.#ports.has(id)) {
      port.close();
      return;
    }
    const timer = this.#setTimer(() => {
      this.#ports.delete(id);
      port.postMessage({ type: 'close', code: 1000, reason: 'nobody opened this console' });
      port.close();
    }, this.#waitMs);
    this.#ports.set(id, { port, timer });
  }

  /** The channel of console `id`, connected once (or already, if) its port arrives. */
  channel(id: string): PortChannel {
    const channel = new PortChannel();
    const held = this.#ports.get(id);
    if (held) {
      this.#ports.delete(id);
      this.#clearTimer(held.timer);
      channel.attach(held.port);
      return channel;
    }
    const previous = this.#waiting.get(id);
    if (previous) {
      this.#clearTimer(previous.timer);
      previous.channel.fail('the console was opened again elsewhere in the app');
    }
    const timer = this.#setTimer(() => {
      this.#waiting.delete(id);
      channel.fail('the console channel did not arrive from the app');
    }, this.#waitMs);
    this.#waiting.set(id, { channel, timer });
    return channel;
  }
}
