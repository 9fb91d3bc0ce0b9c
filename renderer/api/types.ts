import type { ConsoleTicket, DesktopClient } from '../../shared/desktop-api.ts';
import type { WebSocketLike } from '../viewer/channel.ts';

/** What the app uses: the contract, its events, and the byte channel of an opened console. */
export interface RendererClient extends DesktopClient {
  /** The console's bytes as noVNC's channel; pass it to ConsoleViewer's `connect`. */
  consoleChannel(ticket: ConsoleTicket): WebSocketLike;
  /** Main's notifications reach the desktop itself (Electron); otherwise the page shows them in-app. */
  readonly systemNotifications: boolean;
}

declare global {
  interface Window {
    /** Set by the Electron preload (main/preload.ts); absent in a plain browser. */
    gatepass?: DesktopClient;
  }
}
