// One ipcMain handler per DesktopApi method. Every handler first checks that
// the calling frame is the app's own renderer (a frame that is not gets a
// rejection, nothing else); main's implementation validates the inputs; the
// outcome goes back as an IpcReply so DesktopErrors arrive intact.

import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { desktopApiMethods } from '../../shared/desktop-api.ts';
import type { ConsoleTicket, DesktopApiMethod } from '../../shared/desktop-api.ts';
import type { DesktopApiImpl } from './desktop-api-types.ts';
import { methodChannel, toDesktopError } from './ipc-reply.ts';
import type { IpcReply } from './ipc-reply.ts';

export interface IpcOptions {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  api: DesktopApiImpl;
  isAppFrame(url: string | undefined): boolean;
  /** A console was opened for this caller: hand it the console's port. */
  onConsoleOpened(event: IpcMainInvokeEvent, ticket: ConsoleTicket): void;
  /** Called after each successful call (the tray rebuilds after some). */
  afterCall?(method: DesktopApiMethod): void;
}

export class ForeignSenderError extends Error {
  override name = 'ForeignSenderError';
}

/** Registers every handler; returns what removes them again. */
export function registerIpc(options: IpcOptions): () => void {
  for (const method of desktopApiMethods) {
    options.ipcMain.handle(methodChannel(method), async (event, ...args: unknown[]): Promise<IpcReply> => {
      const frameUrl = event.senderFrame?.url;
      if (!options.isAppFrame(frameUrl)) {
        throw new ForeignSenderError(`refused ${method} from a frame that is not the Gatepass window (${JSON.stringify(frameUrl ?? null)})`);
      }
      try {
        const call = options.api[method] as (...params: unknown[]) => Promise<unknown>;
        const value = await call.apply(options.api, args);
        if (method === 'openConsole') options.onConsoleOpened(event, value as ConsoleTicket);
        options.afterCall?.(method);
        return { ok: true, value };
      } catch (error) {
        return { ok: false, error: toDesktopError(error) };
      }
    });
  }
  return () => {
    for (const method of desktopApiMethods) options.ipcMain.removeHandler(methodChannel(method));
  };
}
