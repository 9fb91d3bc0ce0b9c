// The renderer's way to the main process. Inside Electron the preload has put
// `window.gatepass` there; in a plain browser the page was served by the
// development bridge, whose token is in the URL fragment (`#bridge=<token>`).

import { createBridgeClient } from './bridge-client.ts';
import { bridgeEndpoints, bridgeTokenFromHash } from '../../shared/bridge-protocol.ts';
import { ConsolePorts } from './console-ports.ts';
import { createElectronClient } from './electron-client.ts';
import { browserHands, withPageDelivery } from './page-delivery.ts';
import type { RendererClient, ShellClient } from './types.ts';

export type { CopyOutcome, RendererClient } from './types.ts';
export { asDesktopError } from './electron-client.ts';

const TOKEN_KEY = 'gatepass.bridgeToken';
let client: RendererClient | undefined;

/** The one client of this page (created on first use). */
export function desktopClient(): RendererClient {
  client ??= createClient();
  return client;
}

function createClient(): RendererClient {
  return withPageDelivery(createShellClient(), browserHands(window));
}

function createShellClient(): ShellClient {
  if (window.gatepass) {
    const ports = new ConsolePorts();
    ports.listen(window as unknown as Parameters<ConsolePorts['listen']>[0], window);
    return createElectronClient(window.gatepass, ports);
  }
  // The app may route with the fragment later, and a reload should still reach
  // the bridge: the token is kept for this tab's session.
  const token = bridgeTokenFromHash(window.location.hash) ?? window.sessionStorage.getItem(TOKEN_KEY) ?? undefined;
  if (!token) {
    throw new Error('Gatepass is not running inside the app and the page has no development bridge token (#bridge=…); start it with `npm run dev:browser`.');
  }
  window.sessionStorage.setItem(TOKEN_KEY, token);
  const endpoints = bridgeEndpoints(window.location.href, token);
  return createBridgeClient({ rpcUrl: endpoints.rpc, consoleUrl: endpoints.console });
}
