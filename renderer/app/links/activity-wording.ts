// Who used a link, in words: the one-line summary on an issued link, its uses
// left, each line of its history, and a VM's recent openings. The numbers come
// from main (shared/link-activity.ts); this only says them.

import { CONSOLE_CLOSE_CODES } from '../../../shared/console-close-codes.ts';
import { FOLLOW_AFTER_EXPIRY_MS } from '../../../shared/link-activity.ts';
import type { AuditScope, ConsoleAuditRecord, ConsoleOpening, IssuedLink, IssuedLinkActivity, LinkOpened, UsesLeft } from '../../../shared/desktop-api.ts';
import { humanDuration, type FormatInstant } from '../share/grant-wording.ts';

const sameDay = (a: number, b: number) => new Date(a).toDateString() === new Date(b).toDateString();
const when = (iso: string, now: number, format: FormatInstant) => {
  const ms = Date.parse(iso);
  return format(ms, !sameDay(ms, now));
};
const from = (client: string | undefined) => (client ? ` from ${client}` : '');

export const TOO_OLD = 'Ended too long ago to tell who used it.';

/** Why nobody can say who used a console in this scope, or undefined when the trail can be read. */
export function scopeProblem(scope: AuditScope | undefined): string | undefined {
  if (!scope) return undefined;
  switch (scope.state) {
    case 'forbidden': return `You may not see who used this console (context ${scope.context} may not read the Events in ${scope.namespace}).`;
    // The cluster's own text is for "Details" (ErrorDetails), not this line.
    case 'error': return "Cannot tell who used this console: the cluster's Events could not be read.";
    default: return undefined;
  }
}

export interface ActivitySummary {
  text: string;
  /** A console of this link is open right now. */
  live: boolean;
}

const CHECKING: ActivitySummary = { text: 'Checking who used it…', live: false };

/**
 * The line under an issued link: open now, used (when, where, how long), not
 * used, or why nobody can tell. Without activity, a link main does not follow
 * (it ended too long ago) is told apart from one whose activity is on its way.
 */
export function activitySummary(link: IssuedLink, activity: IssuedLinkActivity | undefined, now: number, format: FormatInstant): ActivitySummary {
  if (!activity) return now - Date.parse(link.until) > FOLLOW_AFTER_EXPIRY_MS ? { text: TOO_OLD, live: false } : CHECKING;
  const problem = scopeProblem(activity.scope);
  if (problem) return { text: problem, live: false };
  if (activity.scope?.state === 'loading') return CHECKING;
  const refused = activity.refusals > 0 ? ` · refused ${activity.refusals === 1 ? 'once' : `${activity.refusals} times`}` : '';
  const open = now < Date.parse(link.until) ? activity.openNow[0] : undefined;
  if (open) {
    const others = activity.openNow.length > 1 ? ` (and ${activity.openNow.length - 1} more)` : '';
    return { text: `Open now${from(open.client)} since ${when(open.at, now, format)}, ${humanDuration(Math.max(0, now - Date.parse(open.at)))}${others}${refused}`, live: true };
  }
  if (!activity.used || activity.lastOpenedAt === undefined) return { text: `Not used yet${refused}`, live: false };
  const times = activity.opens === 1 ? 'Used once' : `Used ${activity.opens} times`;
  const lasted = activity.lastDurationMs === undefined ? '' : ` for ${humanDuration(activity.lastDurationMs)}`;
  return { text: `${times}, last ${when(activity.lastOpenedAt, now, format)}${from(activity.lastClient)}${lasted}${refused}`, live: false };
}

/** "1 of 1 use left", "No uses left", saying when it was counted from the Events instead of the gateway's counter. */
export function usesLeftText(uses: UsesLeft): string {
  const count = uses.left === 0 ? 'No uses left' : `${uses.left} of ${uses.of} ${uses.of === 1 ? 'use' : 'uses'} left`;
  return uses.source === 'events' ? `${count} (counted from the console Events: you may not read the gateway’s use counter)` : count;
}

const REFUSALS: Record<number, string> = {
  [CONSOLE_CLOSE_CODES.noValidLink]: 'no valid link',
  [CONSOLE_CLOSE_CODES.notAllowed]: 'not allowed',
  [CONSOLE_CLOSE_CODES.notRunning]: 'the VM was not running',
  [CONSOLE_CLOSE_CODES.inUse]: 'someone else was using the console',
  [CONSOLE_CLOSE_CODES.expired]: 'the link had expired',
};

export interface HistoryLine {
  when: string;
  what: string;
  from: string;
}

/** One line of a link's history: when, what happened, and from where. */
export function historyLine(record: ConsoleAuditRecord, now: number, format: FormatInstant): HistoryLine {
  let what: string;
  switch (record.reason) {
    case 'ConsoleOpened': what = `Opened${record.viewOnly ? ' (view only)' : ''}`; break;
    case 'ConsoleClosed': what = record.durationMs === undefined ? 'Closed' : `Closed after ${humanDuration(record.durationMs)}`; break;
    case 'ConsoleRefused': {
      const why = record.closeCode === undefined ? undefined : REFUSALS[record.closeCode] ?? `code ${record.closeCode}`;
      what = `Refused${why ? `: ${why}` : ''}${record.count > 1 ? ` (${record.count} times)` : ''}`;
      break;
    }
  }
  return { when: when(record.lastSeen, now, format), what, from: record.client ?? '—' };
}

/** The in-app notice of a link opened just now. */
export function linkOpenedText(opened: LinkOpened, now: number, format: FormatInstant): string {
  const what = opened.label ? `“${opened.label}” (${opened.namespace}/${opened.name})` : `${opened.namespace}/${opened.name}`;
  return `Your link to ${what} was opened${from(opened.client)} at ${when(opened.at, now, format)}`;
}

/** A VM's opening: "10:42 · alice’s link “for Carol” · from 203.0.113.9 · open now". */
export function openingLine(opening: ConsoleOpening, now: number, format: FormatInstant): string {
  const link = opening.linkLabel ? `link “${opening.linkLabel}”` : 'a link';
  const whose = opening.issuer ? `${opening.issuer}’s ${link}` : link;
  const state = opening.openNow ? 'open now' : opening.durationMs === undefined ? 'ended' : humanDuration(opening.durationMs);
  return [when(opening.at, now, format), whose, ...(opening.client ? [`from ${opening.client}`] : []), state].join(' · ');
}
