// The DesktopClient over the development bridge (main/dev-bridge): the same
// contract as the Electron preload, carried as JSON over a loopback websocket.
// The connection comes back by itself after a drop, with backoff; calls made
// while it is down wait for it, calls in flight when it drops fail as
// 'unreachable' (nobody can say whether they ran).

import { desktopApiMethods } from '../../shared/desktop-api.ts';
import type { ConsoleTicket, DesktopApi, DesktopApiMethod, DesktopError, DesktopEvent } from '../../shared/desktop-api.ts';
import type { WebSocketLike } from '../viewer/channel.ts';
import { encodeRequest, parseServerMessage } from '../../shared/bridge-protocol.ts';
import type { ShellClient } from './types.ts';

/** The part of a browser WebSocket the client uses. */
export interface RpcSocket {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(text: string): void;
  close(code?: number, reason?: string): void;
}

export interface BridgeClientOptions {
  rpcUrl: string;
  consoleUrl(id: string): string;
  openSocket?: (url: string) => RpcSocket;
  openConsoleSocket?: (url: string) => WebSocketLike;
  setTimer?: (callback: () => void, ms: number) => unknown;
  /** Reconnect delays grow from `minDelayMs` to `maxDelayMs`. */
  minDelayMs?: number;
  maxDelayMs?: number;
}

const SOCKET_OPEN = 1;

export function nextDelay(previous: number, min: number, max: number): number {
  return previous <= 0 ? min : Math.min(max, previous * 2);
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: DesktopError): void;
}

export function createBridgeClient(options: BridgeClientOptions): ShellClient {
  const openSocket = options.openSocket ?? ((url) => new WebSocket(url) as unknown as RpcSocket);
  const openConsoleSocket = options.openConsoleSocket ?? ((url) => {
    const socket = new WebSocket(url);
    socket.binaryType = 'arraybuffer';
    return socket;
  });
  const setTimer = options.setTimer ?? ((callback, ms) => setTimeout(callback, ms));
  const minDelay = options.minDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 10_000;

  const listeners = new Set<(event: DesktopEvent) => void>();
  const inFlight = new Map<number, Pending>();
  const queued: Array<{ text: string; id: number }> = [];
  let nextId = 1;
  let delay = 0;
  let socket: RpcSocket | undefined;

  function connect(): void {
    const current = openSocket(options.rpcUrl);
    socket = current;
    current.onopen = () => {
      delay = 0;
      for (const item of queued.splice(0)) current.send(item.text);
    };
    current.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      let message;
      try {
        message = parseServerMessage(event.data);
      } catch (error) {
        console.error(`Gatepass bridge: ${(error as Error).message}`);
        return;
      }
      if (message.kind === 'event') {
        for (const listener of [...listeners]) listener(message.event);
        return;
      }
      const pending = inFlight.get(message.id);
      if (!pending) return;
      inFlight.delete(message.id);
      if (message.kind === 'error') pending.reject(message.error);
      else pending.resolve(message.result);
    };
    current.onerror = () => undefined;
    current.onclose = () => {
      if (socket !== current) return;
      socket = undefined;
      const dropped: DesktopError = { code: 'unreachable', message: 'The connection to the Gatepass development bridge dropped; try again.' };
      const queuedIds = new Set(queued.map((item) => item.id));
      for (const [id, pending] of inFlight) {
        if (queuedIds.has(id)) continue;
        inFlight.delete(id);
        pending.reject(dropped);
      }
      delay = nextDelay(delay, minDelay, maxDelay);
      setTimer(connect, delay);
    };
  }

  function call(method: DesktopApiMethod, params: unknown[]): Promise<unknown> {
    const id = nextId++;
    const text = encodeRequest({ id, method, params });
    return new Promise((resolve, reject) => {
      inFlight.set(id, { resolve, reject });
      if (socket && socket.readyState === SOCKET_OPEN) socket.send(text);
      else queued.push({ text, id });
    });
  }

  const api = Object.fromEntries(desktopApiMethods.map((method) => [method, (...params: unknown[]) => call(method, params)])) as unknown as DesktopApi;

  connect();

  return {
    ...api,
    // The bridge's main process has no desktop to notify: the page shows notifications itself.
    systemNotifications: false,
    onEvent(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    consoleChannel(ticket: ConsoleTicket) {
      return openConsoleSocket(options.consoleUrl(ticket.id));
    },
  };
}
