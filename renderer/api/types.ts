import type { ConsoleTicket, DesktopClient } from '../../shared/desktop-api.ts';
import type { WebSocketLike } from '../viewer/channel.ts';
import type { CopyOutcome } from './page-delivery.ts';

export type { CopyOutcome } from './page-delivery.ts';

/** What a shell (the Electron preload, the development bridge) gives the page: the contract, its events, console channels. */
export interface ShellClient extends DesktopClient {
  /** The console's bytes as noVNC's channel; pass it to ConsoleViewer's `connect`. */
  consoleChannel(ticket: ConsoleTicket): WebSocketLike;
  /** Main's notifications reach the desktop itself (Electron); otherwise the page shows them in-app. */
  readonly systemNotifications: boolean;
}

/** What the app uses: the shell's client with copies and mails carried out whichever shell it is (renderer/api/page-delivery). */
export interface RendererClient extends Omit<ShellClient, 'copyText' | 'copyIssuedLink' | 'sendByMail'> {
  copyText(text: string): Promise<CopyOutcome>;
  /** The remembered link to the clipboard; its text reaches the page only where main cannot copy it itself. */
  copyIssuedLink(id: string): Promise<CopyOutcome>;
  sendByMail(id: string): Promise<void>;
}

declare global {
  interface Window {
    /** Set by the Electron preload (main/preload.ts); absent in a plain browser. */
    gatepass?: DesktopClient;
  }
}
