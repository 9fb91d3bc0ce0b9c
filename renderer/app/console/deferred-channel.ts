// ConsoleViewer's `connect` must hand back a channel at once, but the desktop
// app only gets one after main has opened the console (openConsole resolves
// with a ticket, then the transport gives the channel). This channel stands in
// meanwhile: it reports CONNECTING, attaches to the real channel when it
// arrives, and turns a failure to open into a close code the viewer already
// knows how to explain.

import type { WebSocketLike } from '../../viewer/channel.ts';
import { CLOSE_CODES } from '../../viewer/console-state.ts';
import { isDesktopError } from '../../../shared/desktop-api.ts';

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/** Our own close code for a console that failed to open for another reason: the viewer shows it as "disconnected" with the reason. */
export const OPEN_FAILED_CODE = 4000;
const NORMAL_CLOSE = 1000;

export interface CloseInfo {
  code: number;
  reason: string;
}

/** How an error from opening a console reads as a websocket close, so the viewer shows the matching state. */
export function closeForOpenError(error: unknown): CloseInfo {
  if (!isDesktopError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return { code: OPEN_FAILED_CODE, reason: `Could not open the console: ${message}` };
  }
  switch (error.code) {
    case 'forbidden': return { code: CLOSE_CODES.notAllowed, reason: error.message };
    case 'unauthorized': return { code: CLOSE_CODES.noValidLink, reason: error.message };
    case 'unreachable': return { code: CLOSE_CODES.abnormal, reason: error.message };
    default: return { code: OPEN_FAILED_CODE, reason: error.message };
  }
}

// CloseEvent is a browser class (Node 20 lacks it); consumers read only these fields.
function closeEvent(close: CloseInfo): CloseEvent {
  return { type: 'close', code: close.code, reason: close.reason, wasClean: close.code !== CLOSE_CODES.abnormal } as CloseEvent;
}

export class DeferredChannel implements WebSocketLike {
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  #binaryType = 'arraybuffer';
  #inner: WebSocketLike | undefined;
  #state = CONNECTING;

  /** `opening` resolves with the real channel; a rejection closes this one with `closeForOpenError`. */
  constructor(opening: Promise<WebSocketLike>) {
    opening.then((inner) => this.#attach(inner), (error: unknown) => this.#finish(closeForOpenError(error)));
  }

  get binaryType(): string { return this.#binaryType; }
  set binaryType(value: string) {
    this.#binaryType = value;
    if (this.#inner) this.#inner.binaryType = value;
  }
  get protocol(): string { return this.#inner?.protocol ?? ''; }
  get readyState(): number { return this.#inner && this.#state < CLOSING ? normalState(this.#inner.readyState) : this.#state; }

  send(data: ArrayBuffer | ArrayBufferView): void {
    if (!this.#inner || this.#state !== OPEN) throw new Error('the console channel is not open yet');
    this.#inner.send(data);
  }

  close(code?: number, reason?: string): void {
    if (this.#state === CLOSING || this.#state === CLOSED) return;
    if (this.#inner) {
      this.#state = CLOSING;
      this.#inner.close(code, reason);
      return;
    }
    // Closed before the console was ready: the real channel, if it still comes, is closed unused.
    this.#state = CLOSING;
    queueMicrotask(() => this.#finish({ code: code ?? NORMAL_CLOSE, reason: reason ?? '' }));
  }

  #attach(inner: WebSocketLike): void {
    if (this.#state === CLOSING || this.#state === CLOSED) {
      inner.close(NORMAL_CLOSE, 'the console was closed before it opened');
      return;
    }
    this.#inner = inner;
    inner.binaryType = this.#binaryType;
    inner.onmessage = (event) => this.onmessage?.(event);
    inner.onerror = (event) => this.onerror?.(event);
    inner.onclose = (event) => this.#finish({ code: event.code, reason: event.reason });
    inner.onopen = (event) => this.#open(event);
    if (normalState(inner.readyState) === OPEN) this.#open(new Event('open'));
    else if (normalState(inner.readyState) === CLOSED) this.#finish({ code: CLOSE_CODES.abnormal, reason: 'the console channel closed before it opened' });
  }

  #open(event: Event): void {
    if (this.#state !== CONNECTING) return;
    this.#state = OPEN;
    this.onopen?.(event);
  }

  #finish(close: CloseInfo): void {
    if (this.#state === CLOSED) return;
    this.#state = CLOSED;
    this.onclose?.(closeEvent(close));
  }
}

/** WebSocket numbers or RTCDataChannel words, as noVNC accepts either. */
function normalState(state: number | string): number {
  switch (state) {
    case 'connecting': return CONNECTING;
    case 'open': return OPEN;
    case 'closing': return CLOSING;
    case 'closed': return CLOSED;
    default: return typeof state === 'number' ? state : CLOSED;
  }
}
