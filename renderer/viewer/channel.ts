// The console's transport. noVNC takes a URL or any WebSocket-like channel; the
// desktop app passes a channel carried over a MessagePort, the browser viewer a
// real WebSocket. Either way the console needs the close code to tell a person
// why it closed, and noVNC's own "disconnect" event drops it — so the channel is
// wrapped, and the wrapper reports the close before handing it on to noVNC.
// The same wrapper keeps a gateway's text frames (presence) away from the
// screen: noVNC and xterm only ever see the console's binary data.

import type { RfbChannel } from '@novnc/novnc';

/** What noVNC needs of a channel (its websock.js checks exactly these). */
export type WebSocketLike = RfbChannel;

export interface ChannelClose {
  code: number;
  reason: string;
}

/** Passes everything through to `inner`, telling `onClosed` the code and reason once, before noVNC hears of it, and handing text frames to `onText` alone. */
export class TappedChannel implements WebSocketLike {
  #inner: WebSocketLike;
  #onClose: ((event: CloseEvent) => void) | null = null;
  #onMessage: ((event: MessageEvent) => void) | null = null;
  #reported = false;
  #settle: (close: ChannelClose) => void = () => undefined;
  /** Settles when the channel has closed, whoever closed it. */
  readonly closed: Promise<ChannelClose>;

  constructor(inner: WebSocketLike, onClosed: (close: ChannelClose) => void, onText: (text: string) => void = () => undefined) {
    this.#inner = inner;
    inner.onmessage = (event) => {
      if (typeof event.data === 'string') onText(event.data);
      else this.#onMessage?.(event);
    };
    this.closed = new Promise((resolve) => {
      this.#settle = resolve;
    });
    inner.onclose = (event) => {
      if (!this.#reported) {
        this.#reported = true;
        const close = { code: event.code, reason: event.reason };
        this.#settle(close);
        onClosed(close);
      }
      this.#onClose?.(event);
    };
  }

  get binaryType(): string { return this.#inner.binaryType; }
  set binaryType(value: string) { this.#inner.binaryType = value; }
  get protocol(): string { return this.#inner.protocol; }
  get readyState(): number | string { return this.#inner.readyState; }
  get onopen(): ((event: Event) => void) | null { return this.#inner.onopen; }
  set onopen(handler: ((event: Event) => void) | null) { this.#inner.onopen = handler; }
  get onmessage(): ((event: MessageEvent) => void) | null { return this.#onMessage; }
  set onmessage(handler: ((event: MessageEvent) => void) | null) { this.#onMessage = handler; }
  get onerror(): ((event: Event) => void) | null { return this.#inner.onerror; }
  set onerror(handler: ((event: Event) => void) | null) { this.#inner.onerror = handler; }
  get onclose(): ((event: CloseEvent) => void) | null { return this.#onClose; }
  set onclose(handler: ((event: CloseEvent) => void) | null) { this.#onClose = handler; }

  send(data: ArrayBuffer | ArrayBufferView): void { this.#inner.send(data); }
  close(code?: number, reason?: string): void { this.#inner.close(code, reason); }
}

/** KubeVirt's console speaks only this subprotocol. */
export const KUBEVIRT_SUBPROTOCOL = 'plain.kubevirt.io';
