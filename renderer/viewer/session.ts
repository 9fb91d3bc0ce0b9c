// What the console knows about its link before connecting: when it becomes
// valid, when it expires, whether it is view-only. Instants arrive as ISO
// strings (the gateway's /auth/jwt/session), Dates or unix milliseconds.

import type { ConsoleState } from './console-state.ts';

export type Instant = string | number | Date;

export interface ConsoleSession {
  from?: Instant;
  until?: Instant;
  viewOnly?: boolean;
}

export function instantMs(value: Instant, what: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new RangeError(`${what} ${JSON.stringify(String(value))} is not a valid date and time`);
  return ms;
}

/** The state to start in: no point connecting with a link that is not valid yet, or no longer. */
export function initialStateFor(session: ConsoleSession | undefined, now: number): ConsoleState {
  const until = session?.until === undefined ? undefined : instantMs(session.until, 'until');
  const from = session?.from === undefined ? undefined : instantMs(session.from, 'from');
  if (until !== undefined && now >= until) return { kind: 'expired', detail: undefined };
  if (from !== undefined && now < from) return { kind: 'not-yet-valid', from, detail: undefined };
  return { kind: 'connecting', attempt: 1, takeOver: false };
}
