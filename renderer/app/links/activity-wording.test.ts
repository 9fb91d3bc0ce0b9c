import { describe, expect, it } from 'vitest';
import type { ConsoleAuditRecord, IssuedLink, IssuedLinkActivity } from '../../../shared/desktop-api.ts';
import { activitySummary, historyLine, linkOpenedText, openingLine, scopeProblem, usesLeftText } from './activity-wording.ts';

const base = Date.parse('2030-01-01T12:00:00Z');
const minutes = (n: number) => new Date(base + n * 60_000).toISOString();
/** Instants as minutes from `base`, so expectations do not depend on the time zone. */
const format = (ms: number, withDate: boolean) => `${withDate ? 'date ' : ''}T${(ms - base) / 60_000}`;

const link: IssuedLink = {
  id: 'l1', context: 'operator', namespace: 'team-a', name: 'web-1', from: minutes(-10), until: minutes(50),
  options: { viewOnly: false, singleUse: true }, consoles: ['vnc'], gateway: 'https://gw.example', issuedBy: 'alice', canCopyAgain: false, revoked: false,
};
const live = { context: 'operator', namespace: 'team-a', state: 'live' } as const;

function activity(overrides: Partial<IssuedLinkActivity>): IssuedLinkActivity {
  return { id: 'l1', used: false, opens: 0, sessions: 0, refusals: 0, totalDurationMs: 0, openNow: [], scope: live, ...overrides };
}

describe('activitySummary', () => {
  it('says an unused link is unused, with its refusals', () => {
    expect(activitySummary(link, activity({}), base, format)).toEqual({ text: 'Not used yet', live: false });
    expect(activitySummary(link, activity({ refusals: 3 }), base, format).text).toBe('Not used yet · refused 3 times');
  });

  it('says when, from where and how long it was used', () => {
    const used = activity({ used: true, opens: 2, lastOpenedAt: minutes(-5), lastClient: '203.0.113.9', lastDurationMs: 95_000 });
    expect(activitySummary(link, used, base, format)).toEqual({ text: 'Used 2 times, last T-5 from 203.0.113.9 for 1 minute 35 seconds', live: false });
  });

  it('marks a console open right now, live, and not after the link expired', () => {
    const open = activity({ used: true, opens: 1, lastOpenedAt: minutes(-3), openNow: [{ connection: 'c', at: minutes(-3), client: '198.51.100.7', console: 'vnc', viewOnly: false, openNow: true }] });
    expect(activitySummary(link, open, base, format)).toEqual({ text: 'Open now from 198.51.100.7 since T-3, 3 minutes', live: true });
    expect(activitySummary(link, open, Date.parse(link.until), format).live).toBe(false);
  });

  it('says in words when the person may not see the Events, or the trail is too old', () => {
    const forbidden = activity({ scope: { context: 'viewer', namespace: 'team-a', state: 'forbidden', error: { code: 'forbidden', message: 'events is forbidden' } } });
    expect(activitySummary(link, forbidden, base, format).text).toBe('You may not see who used this console (context viewer may not read the Events in team-a).');
    expect(activitySummary(link, undefined, base + 2 * 86_400_000, format).text).toBe('Ended too long ago to tell who used it.');
    expect(activitySummary(link, undefined, base, format).text).toBe('Checking who used it…');
  });
});

describe('linkOpenedText', () => {
  it('names the link and where it was opened from', () => {
    expect(linkOpenedText({ linkId: 'l1', namespace: 'team-a', name: 'web-1', label: 'for Carol', client: '203.0.113.9', at: minutes(-1) }, base, format)).toBe('Your link to “for Carol” (team-a/web-1) was opened from 203.0.113.9 at T-1');
    expect(linkOpenedText({ linkId: 'l1', namespace: 'team-a', name: 'web-1', at: minutes(0) }, base, format)).toBe('Your link to team-a/web-1 was opened at T0');
  });
});

describe('usesLeftText', () => {
  it('counts uses left, and says when they come from the Events', () => {
    expect(usesLeftText({ left: 1, of: 1, source: 'counter' })).toBe('1 of 1 use left');
    expect(usesLeftText({ left: 0, of: 1, source: 'counter' })).toBe('No uses left');
    expect(usesLeftText({ left: 2, of: 3, source: 'events' })).toBe('2 of 3 uses left (counted from the console Events: you may not read the gateway’s use counter)');
  });
});

describe('historyLine and openingLine', () => {
  const record = (overrides: Partial<ConsoleAuditRecord>): ConsoleAuditRecord => ({
    reason: 'ConsoleOpened', namespace: 'team-a', vm: 'web-1', console: 'vnc', viewOnly: false, count: 1, firstSeen: minutes(-2), lastSeen: minutes(-2), message: '', ...overrides,
  });

  it('says what happened, when and from where', () => {
    expect(historyLine(record({ client: '203.0.113.9' }), base, format)).toEqual({ when: 'T-2', what: 'Opened', from: '203.0.113.9' });
    expect(historyLine(record({ reason: 'ConsoleClosed', durationMs: 60_000 }), base, format).what).toBe('Closed after 1 minute');
    expect(historyLine(record({ reason: 'ConsoleRefused', closeCode: 4409, count: 4 }), base, format)).toEqual({ when: 'T-2', what: 'Refused: someone else was using the console (4 times)', from: '—' });
    expect(historyLine(record({ reason: 'ConsoleRefused', closeCode: 1011 }), base, format).what).toBe('Refused: code 1011');
    expect(historyLine(record({ lastSeen: minutes(-60 * 24) }), base, format).when).toBe('date T-1440');
  });

  it('names whose link was on a VM’s console', () => {
    expect(openingLine({ at: minutes(-1), issuer: 'carol', linkLabel: 'support', client: '192.0.2.1', console: 'vnc', viewOnly: false, openNow: true }, base, format)).toBe('T-1 · carol’s link “support” · from 192.0.2.1 · open now');
    expect(openingLine({ at: minutes(-9), console: 'vnc', viewOnly: false, openNow: false, durationMs: 120_000 }, base, format)).toBe('T-9 · a link · 2 minutes');
  });
});

describe('scopeProblem', () => {
  it('says that the Events could not be read, leaving the cluster’s own text to Details', () => {
    const raw = 'events is forbidden: User "bob" cannot watch resource "events"';
    const text = scopeProblem({ context: 'viewer', namespace: 'team-a', state: 'error', error: { code: 'internal', message: raw } });
    expect(text).toBe("Cannot tell who used this console: the cluster's Events could not be read.");
    expect(scopeProblem({ context: 'viewer', namespace: 'team-a', state: 'live' })).toBeUndefined();
  });
});
