// What the audit trail says about a link or a VM's console: the gateway's
// Opened/Refused/Closed records (console-audit.ts) joined by connection into
// consoles, and those summed up into what an operator asks — used? when, from
// where, for how long, open right now, uses left. Pure, so the main process
// that watches the Events and the tests agree on every rule.

import type { ConsoleAuditRecord, ConsoleKind } from './console-audit.ts';

// Events carry whole seconds, so a console opened and closed within one second
// ties: a close (and a refusal) is then the later of the two.
const lifecycle: Record<ConsoleAuditRecord['reason'], number> = { ConsoleOpened: 0, ConsoleRefused: 1, ConsoleClosed: 2 };

/** Newest first, for a history a person reads top down. */
export function newestRecordFirst(a: ConsoleAuditRecord, b: ConsoleAuditRecord): number {
  return Date.parse(b.lastSeen) - Date.parse(a.lastSeen) || lifecycle[b.reason] - lifecycle[a.reason];
}

/** One console connection: its Opened record and, once it ended, its Closed record. */
export interface ConsoleOpening {
  connection?: string;
  /** The browser or app session the gateway bound the use to. */
  session?: string;
  /** ISO 8601: when it opened. */
  at: string;
  client?: string;
  issuer?: string;
  linkId?: string;
  linkLabel?: string;
  console: ConsoleKind;
  viewOnly: boolean;
  /** No close recorded yet, and the link (when known) has not expired. */
  openNow: boolean;
  /** ISO 8601, once closed. */
  closedAt?: string;
  durationMs?: number;
}

export interface LinkActivity {
  used: boolean;
  /** Console connections opened (a reconnect is a second connection, not a second use). */
  opens: number;
  /** Uses as the gateway counts them: distinct sessions among the opens. */
  sessions: number;
  /** Refused attempts, counting aggregated Events by their count. */
  refusals: number;
  lastOpenedAt?: string;
  lastClient?: string;
  /** How long the last finished console lasted. */
  lastDurationMs?: number;
  /** All finished consoles together. */
  totalDurationMs: number;
  openNow: ConsoleOpening[];
  lastRefusal?: { at: string; closeCode?: number };
}

export interface UsesLeft {
  left: number;
  of: number;
  /** `counter`: the gateway's use counter; `events`: distinct sessions in the audit trail (the counter could not be read). */
  source: 'counter' | 'events';
}

/**
 * Links that ended longer ago than this are not followed: the API server keeps
 * Events for an hour by default, so there is nothing left to read about them.
 */
export const FOLLOW_AFTER_EXPIRY_MS = 24 * 3_600_000;

const newestFirst = (a: { at: string }, b: { at: string }) => Date.parse(b.at) - Date.parse(a.at);

/**
 * The consoles the records show, newest first. A console without a Closed
 * record is open now unless its link expired (`until`, when known): a
 * gateway that died mid-console never wrote the close.
 */
export function consoleOpenings(records: readonly ConsoleAuditRecord[], now: number, until?: string): ConsoleOpening[] {
  const closes = new Map<string, ConsoleAuditRecord>();
  for (const record of records) if (record.reason === 'ConsoleClosed' && record.connection) closes.set(record.connection, record);
  const expired = until !== undefined && now >= Date.parse(until);
  const openings: ConsoleOpening[] = [];
  for (const record of records) {
    if (record.reason !== 'ConsoleOpened') continue;
    const close = record.connection ? closes.get(record.connection) : undefined;
    const opening: ConsoleOpening = {
      at: record.firstSeen,
      console: record.console,
      viewOnly: record.viewOnly,
      // Without a connection id no close can be matched, so nobody can say it is still open.
      openNow: close === undefined && record.connection !== undefined && !expired,
    };
    for (const key of ['connection', 'session', 'client', 'issuer', 'linkId', 'linkLabel'] as const) if (record[key] !== undefined) opening[key] = record[key];
    if (close) {
      opening.closedAt = close.lastSeen;
      const duration = close.durationMs ?? Date.parse(close.lastSeen) - Date.parse(record.firstSeen);
      if (Number.isFinite(duration) && duration >= 0) opening.durationMs = duration;
    }
    openings.push(opening);
  }
  return openings.sort(newestFirst);
}

/** One link's activity from its records (already narrowed to that link). */
export function linkActivity(records: readonly ConsoleAuditRecord[], until: string, now: number): LinkActivity {
  const openings = consoleOpenings(records, now, until);
  // A reconnect from the same session is the same use; an opening without a session is one of its own.
  const sessions = new Set(openings.map((o, i) => (o.session !== undefined ? `s:${o.session}` : o.connection !== undefined ? `c:${o.connection}` : `#${i}`)));
  const finished = openings.filter((o) => o.durationMs !== undefined);
  const refused = records.filter((r) => r.reason === 'ConsoleRefused').sort(newestRecordFirst);
  const last = openings[0];
  const lastFinished = finished.sort((a, b) => Date.parse(b.closedAt ?? b.at) - Date.parse(a.closedAt ?? a.at))[0];
  const activity: LinkActivity = {
    used: openings.length > 0,
    opens: openings.length,
    sessions: sessions.size,
    refusals: refused.reduce((sum, r) => sum + r.count, 0),
    totalDurationMs: finished.reduce((sum, o) => sum + (o.durationMs ?? 0), 0),
    openNow: openings.filter((o) => o.openNow),
  };
  if (last) {
    activity.lastOpenedAt = last.at;
    if (last.client !== undefined) activity.lastClient = last.client;
  }
  if (lastFinished?.durationMs !== undefined) activity.lastDurationMs = lastFinished.durationMs;
  const refusal = refused[0];
  if (refusal) activity.lastRefusal = { at: refusal.lastSeen, ...(refusal.closeCode === undefined ? {} : { closeCode: refusal.closeCode }) };
  return activity;
}

/**
 * Uses left of a limited-use link: from the gateway's counter when it could be
 * read (`counted`), otherwise from the sessions the audit trail shows.
 */
export function usesLeft(maxUses: number, counted: number | undefined, activity: LinkActivity): UsesLeft {
  const used = counted ?? activity.sessions;
  return { left: Math.max(0, maxUses - used), of: maxUses, source: counted === undefined ? 'events' : 'counter' };
}
