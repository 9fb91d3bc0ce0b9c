// The messages that carry an open console between main and the renderer over
// a MessagePort (Electron) — the same events a WebSocket has, so the renderer
// can hand noVNC a WebSocket-like object. Binary data travels as ArrayBuffer;
// a gateway's text frames (presence, shared/console-presence.ts) as 'text', so
// they can never be mistaken for console bytes.

export type MainToRenderer =
  | { type: 'open'; protocol: string }
  | { type: 'data'; data: ArrayBuffer }
  | { type: 'text'; text: string }
  | { type: 'close'; code: number; reason: string };

export type RendererToMain =
  | { type: 'data'; data: ArrayBuffer }
  | { type: 'close'; code?: number; reason?: string };

/** The message a port arrives with (preload → page), so the page can match it to its ticket. */
export interface ConsolePortEnvelope {
  gatepassConsolePort: string;
}

export function isConsolePortEnvelope(value: unknown): value is ConsolePortEnvelope {
  return typeof value === 'object' && value !== null && typeof (value as ConsolePortEnvelope).gatepassConsolePort === 'string';
}
