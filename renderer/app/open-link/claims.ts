// What a received link claims, laid out for a person before anything connects.
// None of it is verified (a recipient has no key to check the signature), so the
// view labels it as claimed; the gateway decides when the console connects.

import type { LinkSummary } from '../../../shared/desktop-api.ts';
import type { ConsoleSession } from '../../viewer/session.ts';
import type { ConsoleKind } from '../../../shared/desktop-api.ts';
import { describeAccess, describeConsoles, describeRange } from '../share/grant-wording.ts';
import type { FormatInstant } from '../share/grant-wording.ts';

export const CLAIM_NOTICE = 'Claimed by the link — Gatepass cannot verify this until it connects';

export interface ClaimRow {
  term: string;
  value: string;
}

export function claimRows(summary: LinkSummary, now: number, format: FormatInstant): ClaimRow[] {
  const rows: ClaimRow[] = [
    { term: 'VM', value: summary.name ?? 'not named in the link' },
    { term: 'Namespace', value: summary.namespace ?? 'not named in the link' },
    { term: 'Gateway', value: summary.gatewayHost },
    { term: 'Valid', value: validity(summary, now, format) },
    { term: 'Access', value: describeAccess(summary.viewOnly, summary.singleUse, summary.consoles) },
    { term: 'Opens', value: describeConsoles(summary.consoles) },
  ];
  if (summary.label !== undefined && summary.label !== '') rows.push({ term: 'Label', value: summary.label });
  if (summary.issuedBy !== undefined && summary.issuedBy !== '') rows.push({ term: 'Issued by', value: summary.issuedBy });
  if (summary.pin !== undefined) rows.push({ term: 'Gateway certificate', value: `pinned (${summary.pin})` });
  return rows;
}

function validity(summary: LinkSummary, now: number, format: FormatInstant): string {
  const { from, until } = summary;
  if (from !== undefined && until !== undefined) return describeRange(from, until, now, format) + timeState(from, until, now);
  if (until !== undefined) return `until ${format(Date.parse(until), true)}${timeState(undefined, until, now)}`;
  if (from !== undefined) return `from ${format(Date.parse(from), true)}, with no end in the link${timeState(from, undefined, now)}`;
  return 'no times in the link';
}

/** Said before Connect, so nobody has to connect to learn a link is already useless. */
function timeState(from: string | undefined, until: string | undefined, now: number): string {
  if (until !== undefined && Date.parse(until) <= now) return ' — expired';
  if (from !== undefined && Date.parse(from) > now) return ' — not yet valid';
  return '';
}

/** What the console viewer should know before connecting (it refuses to connect to an expired link). */
export function sessionOf(summary: LinkSummary): ConsoleSession {
  return {
    ...(summary.from === undefined ? {} : { from: summary.from }),
    ...(summary.until === undefined ? {} : { until: summary.until }),
    viewOnly: summary.viewOnly,
  };
}

export function consoleTitle(summary: Pick<LinkSummary, 'name' | 'namespace' | 'gatewayHost'>, kind: ConsoleKind = 'vnc'): string {
  const serial = kind === 'serial' ? ' · serial console' : '';
  if (summary.name === undefined) return `${kind === 'serial' ? 'Serial console' : 'Console'} via ${summary.gatewayHost}`;
  return (summary.namespace === undefined ? summary.name : `${summary.name} in ${summary.namespace}`) + serial;
}

/** The console Connect opens first: the screen when the link grants it, as every link did before serial links. */
export function defaultConsole(summary: Pick<LinkSummary, 'consoles'>): ConsoleKind {
  return summary.consoles.includes('vnc') ? 'vnc' : (summary.consoles[0] ?? 'vnc');
}

/** The text of a drop: the first URL of a uri-list (whose lines starting with # are comments), else the plain text. */
export function droppedText(getData: (type: string) => string): string {
  const uri = getData('text/uri-list').split(/\r?\n/).map((line) => line.trim()).find((line) => line !== '' && !line.startsWith('#'));
  return (uri ?? getData('text/plain')).trim();
}
