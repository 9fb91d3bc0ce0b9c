// What the preload exposes as `window.gatepass`, built from an ipcRenderer-like
// object so it can be tested without Electron: exactly the DesktopApi methods
// (each one `gatepass:<method>`), plus onEvent. Events reach the page without
// the IpcRendererEvent, which would hand it `sender`.

import { desktopApiMethods } from '../../shared/desktop-api.ts';
import type { DesktopClient, DesktopEvent } from '../../shared/desktop-api.ts';
import { EVENT_CHANNEL, methodChannel, unwrapReply } from './ipc-reply.ts';

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function createPreloadApi(ipc: IpcRendererLike): DesktopClient {
  const api: Record<string, unknown> = {};
  for (const method of desktopApiMethods) {
    api[method] = async (...args: unknown[]) => unwrapReply(await ipc.invoke(methodChannel(method), ...args));
  }
  api.onEvent = (listener: (event: DesktopEvent) => void) => {
    if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
    const forward = (_event: unknown, desktopEvent: unknown) => listener(desktopEvent as DesktopEvent);
    ipc.on(EVENT_CHANNEL, forward);
    return () => {
      ipc.removeListener(EVENT_CHANNEL, forward);
    };
  };
  return api as unknown as DesktopClient;
}

/**
 * Where the preload re-posts a console port. The page is this very window, so
 * the message never leaves it; its origin is named where it has one, while a
 * file:// page has an opaque origin ("null") that postMessage cannot target,
 * hence '*' there — safe only because the window cannot navigate elsewhere.
 */
export function consolePortTargetOrigin(pageOrigin: string): string {
  return /^https?:\/\//.test(pageOrigin) ? pageOrigin : '*';
}
