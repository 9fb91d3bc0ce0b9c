// The sandboxed preload (built as CommonJS): exposes exactly the DesktopApi as
// `window.gatepass` and hands console MessagePorts from main to the page.

import { contextBridge, ipcRenderer } from 'electron';
import { isConsolePortEnvelope } from '../shared/console-port.ts';
import { CONSOLE_PORT_CHANNEL } from './electron/ipc-reply.ts';
import { consolePortTargetOrigin, createPreloadApi } from './electron/preload-api.ts';

/** The page's window as the preload sees it (main/ is type-checked without the DOM library). */
const page = globalThis as unknown as {
  postMessage(message: unknown, targetOrigin: string, transfer: unknown[]): void;
  location: { origin: string };
};

contextBridge.exposeInMainWorld('gatepass', createPreloadApi(ipcRenderer));

ipcRenderer.on(CONSOLE_PORT_CHANNEL, (event, envelope: unknown) => {
  const port = event.ports[0];
  if (!isConsolePortEnvelope(envelope) || event.ports.length !== 1 || !port) return;
  page.postMessage({ gatepassConsolePort: envelope.gatepassConsolePort }, consolePortTargetOrigin(page.location.origin), [port]);
});
