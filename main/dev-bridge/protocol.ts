// The development bridge's wire format, server side (the page's side is
// renderer/api/bridge-protocol.ts): requests {id, method, params} in, replies
// {id, result} | {id, error: DesktopError} and pushed {event} out.

import { desktopApiMethods } from '../../shared/desktop-api.ts';
import type { DesktopApiMethod } from '../../shared/desktop-api.ts';

export interface BridgeRequest {
  id: number;
  method: DesktopApiMethod;
  params: unknown[];
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
