// The development bridge's wire format, renderer side: JSON text frames over a
// loopback websocket. The page sends requests; the bridge answers each one by
// id and pushes DesktopEvents as they happen. Errors travel as DesktopError
// objects so the page sees exactly what the Electron preload would give it.

import { desktopApiMethods, isDesktopError } from '../../shared/desktop-api.ts';
import type { DesktopApiMethod, DesktopError, DesktopEvent } from '../../shared/desktop-api.ts';

export interface BridgeRequest {
  id: number;
  method: DesktopApiMethod;
  params: unknown[];
}

export type BridgeServerMessage =
  | { kind: 'result'; id: number; result: unknown }
  | { kind: 'error'; id: number; error: DesktopError }
  | { kind: 'event'; event: DesktopEvent };

export class BridgeProtocolError extends Error {
  override name = 'BridgeProtocolError';
}

const METHODS: ReadonlySet<string> = new Set(desktopApiMethods);

export function encodeRequest(request: BridgeRequest): string {
  if (!METHODS.has(request.method)) throw new BridgeProtocolError(`"${request.method}" is not a DesktopApi method`);
  return JSON.stringify({ id: request.id, method: request.method, params: request.params });
}

/** Reads one frame from the bridge; throws BridgeProtocolError saying what is wrong with it. */
export function parseServerMessage(text: string): BridgeServerMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BridgeProtocolError('the bridge sent a frame that is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BridgeProtocolError('the bridge sent a frame that is not a JSON object');
  const frame = value as Record<string, unknown>;
  if ('event' in frame) {
    const event = frame.event;
    if (typeof event !== 'object' || event === null || typeof (event as { kind?: unknown }).kind !== 'string') {
      throw new BridgeProtocolError('the bridge sent an event without a kind');
    }
    return { kind: 'event', event: event as DesktopEvent };
  }
  const id = frame.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw new BridgeProtocolError('the bridge sent a reply without a numeric id');
  if ('error' in frame) {
    if (!isDesktopError(frame.error)) throw new BridgeProtocolError(`the bridge sent reply ${id} with an error that is not a DesktopError`);
    return { kind: 'error', id, error: frame.error };
  }
  if (!('result' in frame)) return { kind: 'result', id, result: undefined };
  return { kind: 'result', id, result: frame.result };
}

/** The bridge token from the page's fragment (`#bridge=<token>`), if there is one. */
export function bridgeTokenFromHash(hash: string): string | undefined {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get('bridge');
  return token !== null && /^[A-Za-z0-9_-]{16,}$/.test(token) ? token : undefined;
}

/** Where the page reaches the bridge: the host that served it, over ws: or wss: to match. */
export function bridgeEndpoints(pageUrl: string, token: string): { rpc: string; console(id: string): string } {
  const page = new URL(pageUrl);
  const scheme = page.protocol === 'https:' ? 'wss:' : 'ws:';
  const base = `${scheme}//${page.host}`;
  const query = `token=${encodeURIComponent(token)}`;
  return {
    rpc: `${base}/rpc?${query}`,
    console: (id) => `${base}/console/${encodeURIComponent(id)}?${query}`,
  };
}
