// One open console between main and the renderer: main's ConsoleChannel on one
// side, a MessagePortMain on the other, speaking shared/console-port.ts. When
// either side closes, the other is closed with the same code and reason.

import type { MainToRenderer, RendererToMain } from '../../shared/console-port.ts';
import type { ConsoleChannel } from './desktop-api-types.ts';

/** What a MessagePortMain offers. */
export interface MainPortLike {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
}

/** 1001: the page went away. */
const GOING_AWAY = 1001;

export function pipeConsoleToPort(channel: ConsoleChannel, port: MainPortLike): void {
  let closed = false;
  const post = (message: MainToRenderer) => {
    if (!closed) port.postMessage(message);
  };
  channel.onOpen((protocol) => post({ type: 'open', protocol }));
  channel.onText?.((text) => post({ type: 'text', text }));
  channel.onData((chunk) => post({ type: 'data', data: chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength) as ArrayBuffer }));
  channel.onClose((code, reason) => {
    post({ type: 'close', code, reason });
    closed = true;
    port.close();
  });
  port.on('message', (event) => {
    const message = event.data as RendererToMain | null;
    if (closed || typeof message !== 'object' || message === null) return;
    if (message.type === 'data' && message.data instanceof ArrayBuffer) {
      channel.send(new Uint8Array(message.data));
    } else if (message.type === 'close') {
      channel.close(typeof message.code === 'number' ? message.code : undefined, typeof message.reason === 'string' ? message.reason : undefined);
    }
  });
  port.on('close', () => {
    if (closed) return;
    closed = true;
    channel.close(GOING_AWAY, 'the window closed the console');
  });
  port.start();
}
