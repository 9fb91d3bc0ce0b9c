// An open console's bytes over a MessagePort (Electron), dressed as the
// WebSocket noVNC expects. Main speaks shared/console-port.ts on the other end:
// 'open' with the negotiated subprotocol, binary 'data', a gateway's 'text'
// (delivered as a string, as a WebSocket delivers a text frame), and 'close' with the
// code and reason the gateway or API server gave — which the console needs to
// tell a person why it ended.

import type { MainToRenderer, RendererToMain } from '../../shared/console-port.ts';
import type { WebSocketLike } from '../viewer/channel.ts';

/** What a MessagePort offers, so tests can hand in a fake one. */
export interface PortLike {
  onmessage: ((event: { data: unknown }) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
  close(): void;
  start?(): void;
}

export const CONNECTING = 0;
export const OPEN = 1;
export const CLOSING = 2;
export const CLOSED = 3;

/** 1006: what a WebSocket reports when the connection ended without a close frame. */
export const ABNORMAL_CLOSURE = 1006;

export class PortChannel implements WebSocketLike {
  binaryType = 'arraybuffer';
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  #port: PortLike | undefined;
  #state = CONNECTING;
  #protocol = '';
  #pendingClose: RendererToMain = { type: 'close' };

  get protocol(): string { return this.#protocol; }
  get readyState(): number { return this.#state; }

  /** The port arrived: from now on main's messages drive the channel. */
  attach(port: PortLike): void {
    if (this.#port) throw new Error('a console channel takes exactly one port');
    this.#port = port;
    if (this.#state === CLOSED) {
      // Closed before the port came: tell main to end the console, then let go.
      port.postMessage({ type: 'close' } satisfies RendererToMain);
      port.close();
      return;
    }
    port.onmessage = (event) => this.#receive(event.data);
    port.start?.();
    if (this.#state === CLOSING) port.postMessage(this.#pendingClose);
  }

  /** The port never came or the page could not use it: end as a failed WebSocket would. */
  fail(reason: string): void {
    if (this.#state === CLOSED) return;
    this.#dispatchError();
    this.#finish(ABNORMAL_CLOSURE, reason);
  }

  send(data: ArrayBuffer | ArrayBufferView): void {
    if (this.#state === CONNECTING) throw new Error('the console channel is still connecting');
    if (this.#state !== OPEN || !this.#port) return;
    const copy = toArrayBuffer(data);
    this.#port.postMessage({ type: 'data', data: copy } satisfies RendererToMain, [copy]);
  }

  close(code?: number, reason?: string): void {
    if (this.#state === CLOSING || this.#state === CLOSED) return;
    const message: RendererToMain = { type: 'close', ...(code === undefined ? {} : { code }), ...(reason === undefined ? {} : { reason }) };
    if (!this.#port) {
      // No port yet: nothing to wait for, so the close is immediate (as a WebSocket closed while connecting).
      this.#finish(code ?? ABNORMAL_CLOSURE, reason ?? '');
      return;
    }
    this.#state = CLOSING;
    this.#pendingClose = message;
    this.#port.postMessage(message);
  }

  #receive(data: unknown): void {
    const message = data as MainToRenderer | null;
    if (typeof message !== 'object' || message === null) return;
    if (message.type === 'open' && this.#state === CONNECTING) {
      this.#protocol = typeof message.protocol === 'string' ? message.protocol : '';
      this.#state = OPEN;
      this.onopen?.(new Event('open'));
    } else if (message.type === 'data' && this.#state === OPEN && message.data instanceof ArrayBuffer) {
      this.onmessage?.(new MessageEvent('message', { data: message.data }));
    } else if (message.type === 'text' && this.#state === OPEN && typeof message.text === 'string') {
      this.onmessage?.(new MessageEvent('message', { data: message.text }));
    } else if (message.type === 'close') {
      this.#finish(typeof message.code === 'number' ? message.code : ABNORMAL_CLOSURE, typeof message.reason === 'string' ? message.reason : '');
    }
  }

  #dispatchError(): void {
    this.onerror?.(new Event('error'));
  }

  #finish(code: number, reason: string): void {
    if (this.#state === CLOSED) return;
    this.#state = CLOSED;
    if (this.#port) {
      this.#port.onmessage = null;
      this.#port.close();
    }
    this.onclose?.(closeEvent(code, reason));
  }
}

function toArrayBuffer(data: ArrayBuffer | ArrayBufferView): ArrayBuffer {
  if (data instanceof ArrayBuffer) return data.slice(0);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return bytes.slice().buffer;
}

/** A CloseEvent where the environment has one, else an Event carrying the same fields. */
export function closeEvent(code: number, reason: string): CloseEvent {
  const init = { code, reason, wasClean: code !== ABNORMAL_CLOSURE };
  if (typeof CloseEvent === 'function') return new CloseEvent('close', init);
  return Object.assign(new Event('close'), init) as CloseEvent;
}
