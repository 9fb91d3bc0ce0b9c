// Hands an opened console to the window that asked for it: a MessageChannelMain
// per console, main's ConsoleChannel piped into one end, the other end posted
// to the window (the preload passes it on to the page).

import { MessageChannelMain } from 'electron';
import type { WebContents } from 'electron';
import type { ConsolePortEnvelope } from '../../shared/console-port.ts';
import { pipeConsoleToPort } from './console-port-pipe.ts';
import type { DesktopApiImpl } from './desktop-api-types.ts';
import { CONSOLE_PORT_CHANNEL } from './ipc-reply.ts';

export function sendConsolePort(api: Pick<DesktopApiImpl, 'takeConsoleChannel'>, contents: Pick<WebContents, 'postMessage'>, id: string): boolean {
  const channel = api.takeConsoleChannel(id);
  if (!channel) return false;
  const { port1, port2 } = new MessageChannelMain();
  pipeConsoleToPort(channel, port1);
  contents.postMessage(CONSOLE_PORT_CHANNEL, { gatepassConsolePort: id } satisfies ConsolePortEnvelope, [port2]);
  return true;
}
