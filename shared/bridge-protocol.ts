// The development bridge's wire format, both sides of it: JSON text frames
// over a loopback websocket. The page sends requests {id, method, params}; the
// bridge answers each one by id ({id, result} | {id, error}) and pushes
// {event} as DesktopEvents happen. Errors travel as DesktopError objects so the
// page sees exactly what the Electron preload would give it.

import { desktopApiMethods, isDesktopError } from './desktop-api.ts';
import type { DesktopApiMethod, DesktopError, DesktopEvent } from './desktop-api.ts';

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

const MAX_PARAMS = 8;

/** A request frame, or a message saying what is wrong with it (and the id to answer, when it had one). */
export function parseRequest(text: string): { ok: true; request: BridgeRequest } | { ok: false; id?: number; problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'the request is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, problem: 'the request is not a JSON object' };
  const { id, method, params } = value as Record<string, unknown>;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) return { ok: false, problem: 'the request has no numeric id' };
  if (typeof method !== 'string' || !METHODS.has(method)) return { ok: false, id, problem: `${JSON.stringify(method)} is not a DesktopApi method` };
  const list = params === undefined ? [] : params;
  if (!Array.isArray(list) || list.length > MAX_PARAMS) return { ok: false, id, problem: `params of ${method} must be an array of at most ${MAX_PARAMS} values` };
  return { ok: true, request: { id, method: method as DesktopApiMethod, params: list } };
}

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
