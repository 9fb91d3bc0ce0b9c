// How a DesktopApi call's outcome crosses IPC. ipcRenderer.invoke flattens a
// thrown error into a message string, so main answers with a reply object and
// the preload turns `ok: false` back into a rejection with the DesktopError.

import { isDesktopError } from '../../shared/desktop-api.ts';
import type { DesktopApiMethod, DesktopError } from '../../shared/desktop-api.ts';

export type IpcReply = { ok: true; value: unknown } | { ok: false; error: DesktopError };

export const EVENT_CHANNEL = 'gatepass:event';
export const CONSOLE_PORT_CHANNEL = 'gatepass:console-port';

export function methodChannel(method: DesktopApiMethod): string {
  return `gatepass:${method}`;
}

/** Any thrown value as a DesktopError: main's own errors pass as they are, anything else is 'internal'. */
export function toDesktopError(error: unknown): DesktopError {
  if (isDesktopError(error)) {
    return { code: error.code, message: error.message, ...(typeof error.context === 'string' ? { context: error.context } : {}) };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'internal', message: message || 'Something failed in the app without a message.' };
}

export function unwrapReply(reply: unknown): unknown {
  if (typeof reply !== 'object' || reply === null || typeof (reply as IpcReply).ok !== 'boolean') {
    throw { code: 'internal', message: 'The app answered in a form the window does not understand.' } satisfies DesktopError;
  }
  const r = reply as IpcReply;
  if (r.ok) return r.value;
  throw toDesktopError(r.error);
}
