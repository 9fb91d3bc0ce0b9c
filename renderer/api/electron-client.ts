// The DesktopClient inside Electron: the preload's `window.gatepass`, plus
// console channels over the MessagePorts main hands the page.

import { isDesktopError } from '../../shared/desktop-api.ts';
import type { ConsoleTicket, DesktopClient, DesktopError } from '../../shared/desktop-api.ts';
import { desktopApiMethods } from '../../shared/desktop-api.ts';
import type { ConsolePorts } from './console-ports.ts';
import type { ShellClient } from './types.ts';

/** Whatever crossed the context bridge as a rejection, as the DesktopError main meant. */
export function asDesktopError(reason: unknown): DesktopError {
  if (isDesktopError(reason)) return { code: reason.code, message: reason.message, ...(reason.context === undefined ? {} : { context: reason.context }) };
  const message = reason instanceof Error ? reason.message : String(reason);
  return { code: 'internal', message: message || 'The app failed without saying why.' };
}

export function createElectronClient(gatepass: DesktopClient, ports: ConsolePorts): ShellClient {
  const client: Record<string, unknown> = {};
  for (const method of desktopApiMethods) {
    const call = gatepass[method] as (...args: unknown[]) => Promise<unknown>;
    client[method] = (...args: unknown[]) => call(...args).catch((reason: unknown) => Promise.reject(asDesktopError(reason)));
  }
  return {
    ...(client as unknown as DesktopClient),
    onEvent: (listener) => gatepass.onEvent(listener),
    consoleChannel: (ticket: ConsoleTicket) => ports.channel(ticket.id),
    systemNotifications: true,
  };
}
