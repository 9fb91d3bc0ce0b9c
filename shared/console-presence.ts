// Who is on a shared console. The gateway tells each viewer that asked for it
// (the console query `presence=true`, which is never forwarded to KubeVirt) in
// websocket *text* frames on the console's own connection, so the message
// reaches the viewer through every replica that forwards it, and a client that
// did not ask (kube-gateway's viewer, a native VNC client behind the app's
// bridge) never sees one. The console's own data stays in binary frames.

/** The query key a viewer adds to its console request to be told who else is there. */
export const PRESENCE_QUERY_KEY = 'presence';

/** The query a Gatepass viewer opens a gateway's console with: told who is there, and joining (preserveSession) unless taking over. */
export function viewerConsoleQuery(takeOver: boolean): string {
  return `?${takeOver ? '' : 'preserveSession=true&'}${PRESENCE_QUERY_KEY}=true`;
}

export interface ConsoleViewerInfo {
  /** Opaque, stable for one viewer's connection; never derived from its token. */
  id: string;
  /** The link's label, else the issuer's `sub`, else "someone". */
  name: string;
  /** Whether the viewer's input reaches the VM (a full-control link). */
  control: boolean;
  /** When the viewer joined (ISO 8601). */
  since: string;
}

export type PresenceChange =
  | { kind: 'joined'; viewer: ConsoleViewerInfo }
  | { kind: 'left'; viewer: ConsoleViewerInfo };

/** One text frame: everyone on the console now, which of them the receiver is, and what changed (absent in the first message). */
export interface PresenceMessage {
  gatepass: 'presence';
  you: string;
  viewers: ConsoleViewerInfo[];
  change?: PresenceChange;
}

/** The longest text frame of presence a viewer accepts; a bigger one is ignored. */
export const MAX_PRESENCE_MESSAGE = 64 * 1024;

function isViewerInfo(value: unknown): value is ConsoleViewerInfo {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.id === 'string' && typeof v.name === 'string' && typeof v.control === 'boolean' && typeof v.since === 'string';
}

/** A presence message from a text frame, or undefined when the text is not one (it is then ignored, never shown). */
export function parsePresenceMessage(text: string): PresenceMessage | undefined {
  if (text.length > MAX_PRESENCE_MESSAGE) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (m.gatepass !== 'presence' || typeof m.you !== 'string' || !Array.isArray(m.viewers) || !m.viewers.every(isViewerInfo)) return undefined;
  const change = m.change as Record<string, unknown> | undefined;
  if (change !== undefined && !((change.kind === 'joined' || change.kind === 'left') && isViewerInfo(change.viewer))) return undefined;
  return value as PresenceMessage;
}

/** The text frame the gateway sends. */
export function presenceText(message: PresenceMessage): string {
  return JSON.stringify(message);
}
