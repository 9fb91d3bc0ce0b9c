// What the gateway says about this browser's link for one console, before the
// console connects: GET /auth/jwt/session (the verified claims, never the token).

import { CONSOLE_KINDS } from '../../shared/kubevirt-paths.ts';
import type { ConsoleKind, ConsoleTargetPath } from '../../shared/kubevirt-paths.ts';
import type { ConsoleState } from '../viewer/console-state.ts';

export interface LinkSession {
  from: string;
  until: string;
  viewOnly: boolean;
  id: string | undefined;
  issuedBy: string | undefined;
  label: string | undefined;
  maxUses: number | undefined;
  /** The consoles of this VM the link opens; undefined from a gateway that does not say. */
  consoles: ConsoleKind[] | undefined;
}

export type SessionCheck =
  | { kind: 'valid'; session: LinkSession }
  /** The gateway refused the link: show this state instead of connecting. */
  | { kind: 'refused'; state: ConsoleState }
  /** No answer that says anything (an older gateway, a network error): let the console's own close code tell. */
  | { kind: 'unknown' };

type Json = Record<string, unknown>;

const isJson = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const isInstant = (value: unknown): value is string => typeof value === 'string' && Number.isFinite(Date.parse(value));

/** The console kinds listed, known ones only, each once and in the viewer's order; undefined for anything but a list. */
export function consolesOf(value: unknown): ConsoleKind[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return CONSOLE_KINDS.filter((kind) => value.includes(kind));
}

export function sessionCheck(status: number, body: unknown): SessionCheck {
  const json = isJson(body) ? body : {};
  if (status === 200) {
    if (!isInstant(json.from) || !isInstant(json.until)) return { kind: 'unknown' };
    return {
      kind: 'valid',
      session: {
        from: json.from,
        until: json.until,
        viewOnly: json.viewOnly === true,
        id: text(json.id),
        issuedBy: text(json.issuedBy),
        label: text(json.label),
        maxUses: typeof json.maxUses === 'number' ? json.maxUses : undefined,
        consoles: consolesOf(json.consoles),
      },
    };
  }
  const message = text(json.message);
  if (status === 401) {
    if (json.reason === 'expired') return { kind: 'refused', state: { kind: 'expired', detail: message } };
    if (json.reason === 'not-yet-valid') return { kind: 'refused', state: { kind: 'not-yet-valid', from: undefined, detail: message } };
    if (json.reason === 'no-token') {
      return { kind: 'refused', state: { kind: 'no-link', detail: 'This browser holds no link for this console. Open the link you were given again.' } };
    }
    return { kind: 'refused', state: { kind: 'no-link', detail: message } };
  }
  if (status === 403) return { kind: 'refused', state: { kind: 'forbidden', detail: message } };
  return { kind: 'unknown' };
}

/** Asks about the `kind` console of the VMI: the claims reported are those of the link that opens it. */
export async function fetchSession(target: ConsoleTargetPath, fetcher: typeof fetch = fetch): Promise<SessionCheck> {
  const query = new URLSearchParams({ namespace: target.namespace, name: target.name, kind: target.kind });
  try {
    const response = await fetcher(`/auth/jwt/session?${query}`, { credentials: 'same-origin', cache: 'no-store' });
    const body: unknown = await response.json().catch(() => undefined);
    return sessionCheck(response.status, body);
  } catch {
    return { kind: 'unknown' };
  }
}

/** The gateway's api path from /.well-known/gatepass; undefined when the gateway does not say (a custom deployment). */
export async function fetchAdvertisedApiPath(fetcher: typeof fetch = fetch): Promise<unknown> {
  try {
    const response = await fetcher('/.well-known/gatepass', { cache: 'no-store' });
    if (!response.ok) return undefined;
    const body: unknown = await response.json();
    return isJson(body) ? body.apiPath : undefined;
  } catch {
    return undefined;
  }
}
