// What a link grants, in one sentence a person can check before sending it:
// "Console of web-1 in team-a, view-only, from 14:02 until 15:02 (1 hour)".

import type { ConsoleKind } from '../../../shared/desktop-api.ts';

export interface Grant {
  name: string;
  namespace: string;
  /** ISO 8601. */
  from: string;
  until: string;
  viewOnly: boolean;
  singleUse: boolean;
  /** What the link opens; the screen when absent. */
  consoles?: readonly ConsoleKind[];
}

/** Formats an instant; `withDate` when the range spans days or is not today. Injected so tests need no time zone. */
export type FormatInstant = (ms: number, withDate: boolean) => string;

const UNITS = [
  { ms: 86_400_000, one: 'day', many: 'days' },
  { ms: 3_600_000, one: 'hour', many: 'hours' },
  { ms: 60_000, one: 'minute', many: 'minutes' },
  { ms: 1000, one: 'second', many: 'seconds' },
] as const;

/** A length of time in its two largest units: "1 hour", "1 hour 30 minutes", "2 days 3 hours". */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot describe a duration of ${String(ms)} ms`);
  const parts: string[] = [];
  let rest = Math.round(ms / 1000) * 1000;
  for (const unit of UNITS) {
    const count = Math.floor(rest / unit.ms);
    rest -= count * unit.ms;
    if (count > 0) parts.push(`${count} ${count === 1 ? unit.one : unit.many}`);
    if (parts.length === 2 || (parts.length === 1 && count === 0)) break;
  }
  return parts.length === 0 ? '0 seconds' : parts.join(' ');
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** "from 14:02 until 15:02 (1 hour)"; dates appear when the range is not within today. */
export function describeRange(fromIso: string, untilIso: string, now: number, format: FormatInstant): string {
  const from = Date.parse(fromIso);
  const until = Date.parse(untilIso);
  if (!Number.isFinite(from) || !Number.isFinite(until)) throw new RangeError(`not a valid time range: ${fromIso} – ${untilIso}`);
  const today = new Date(now);
  const withDate = !sameDay(new Date(from), today) || !sameDay(new Date(until), today);
  return `from ${format(from, withDate)} until ${format(until, withDate)} (${humanDuration(Math.max(0, until - from))})`;
}

/** A serial console has no mouse: a link that opens only that grants the keyboard. */
export function describeAccess(viewOnly: boolean, singleUse: boolean, consoles: readonly ConsoleKind[] = ['vnc']): string {
  const access = viewOnly ? 'view-only' : consoles.includes('vnc') ? 'keyboard and mouse' : 'keyboard';
  return singleUse ? `${access}, single use` : access;
}

/** The start of a grant: "Console" (the screen, as links always opened), "Serial console", or "Screen and serial console". */
export function consolesNoun(consoles: readonly ConsoleKind[] = ['vnc']): string {
  if (!consoles.includes('serial')) return 'Console';
  return consoles.includes('vnc') ? 'Screen and serial console' : 'Serial console';
}

/** What a received link opens, for the claims it shows: "the screen (VNC)", "the serial console", or both. */
export function describeConsoles(consoles: readonly ConsoleKind[]): string {
  const names = consoles.map((kind) => (kind === 'vnc' ? 'the screen (VNC)' : 'the serial console'));
  return names.join(' and ');
}

export function describeGrant(grant: Grant, now: number, format: FormatInstant): string {
  return `${consolesNoun(grant.consoles)} of ${grant.name} in ${grant.namespace}, ${describeAccess(grant.viewOnly, grant.singleUse, grant.consoles)}, ${describeRange(grant.from, grant.until, now, format)}`;
}

/** The app's formatter: the person's locale, clock time alone for today. */
export const formatInstant: FormatInstant = (ms, withDate) =>
  new Date(ms).toLocaleString(undefined, withDate ? { dateStyle: 'medium', timeStyle: 'short' } : { timeStyle: 'short' });
