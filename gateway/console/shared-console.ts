// What the console registry needs of one VMI's shared console, whatever its
// kind: a serial console and a VNC screen are two engines behind one registry
// (`console-registry.ts`), which decides who joins, who takes over, and which
// replica holds the console.
import type { Duplex } from 'node:stream';
import type { ConsoleKind } from '../../shared/kubevirt-paths.ts';
import type { CloseWith } from './close-codes.ts';
import type { Relay } from './splice.ts';
import type { UpstreamConsole } from './upstream-console.ts';

export interface ViewerRequest {
  expiresAt?: number;
  expired: CloseWith;
  viewOnly: boolean;
  onBytes?(fromViewer: number, toViewer: number): void;
}

export interface SessionEnd {
  /** What the API server's side closed with (1006 when it dropped the connection), or undefined when the gateway closed it. */
  serverCode?: number;
}

/** One viewer of a shared console, after its websocket handshake. */
export interface SharedViewer {
  readonly relay: Relay;
  /** Input dropped because the viewer is view-only (bytes for serial, messages for VNC), for the close's audit. */
  readonly dropped: number;
  /** Sends one text frame of the gateway's own (presence) at the next frame boundary toward the viewer. */
  sendText(text: string): void;
}

/** One upstream console of one VMI on this gateway process, shared by its viewers here. */
export interface SharedSession {
  readonly open: boolean;
  readonly ended: Promise<SessionEnd>;
  /** Keeps the session open while a viewer is being let in; the returned function lets go. */
  hold(): () => void;
  addViewer(socket: Duplex, head: Buffer, request: ViewerRequest): SharedViewer;
  /** Closes every viewer but `keep`, each told why. */
  closeOthers(keep: SharedViewer, told: CloseWith): void;
  /** Ends the session from outside: the viewers are told `told`, the API server gets a normal close. */
  close(told: CloseWith): void;
}

/** How one kind of console is shared once the upstream websocket is open. */
export interface ConsoleEngine {
  readonly kind: ConsoleKind;
  /** The query the API server is asked with when this replica opens the console; `takes` when it may push another viewer off. */
  upstreamQuery(takes: boolean): string;
  start(upstream: Extract<UpstreamConsole, { open: true }>): SharedSession;
}
