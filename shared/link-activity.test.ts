import { describe, expect, it } from 'vitest';
import { auditAnnotations, auditRecordOf, auditReasons, type ConsoleAuditRecord } from './console-audit.ts';
import { consoleOpenings, linkActivity, newestRecordFirst, usesLeft } from './link-activity.ts';

const T0 = Date.parse('2026-12-05T10:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const UNTIL = at(60);

/** A record as auditRecordOf reads it from an Event shaped like the gateway's. */
function record(reason: string, minutes: number, annotations: Record<string, string>, count = 1): ConsoleAuditRecord {
  const parsed = auditRecordOf({
    reason, count, message: reason, firstTimestamp: at(minutes), lastTimestamp: at(minutes),
    metadata: { annotations: { [auditAnnotations.linkId]: 'link-1', ...annotations } },
    involvedObject: { kind: 'VirtualMachineInstance', name: 'web-1', namespace: 'team-a' },
  });
  if (!parsed) throw new Error(`not an audit Event: ${reason}`);
  return parsed;
}
const opened = (minutes: number, connection: string, client: string, session?: string) =>
  record(auditReasons.opened, minutes, { [auditAnnotations.connection]: connection, [auditAnnotations.client]: client, ...(session ? { [auditAnnotations.session]: session } : {}) });
const closed = (minutes: number, connection: string, durationMs?: number) =>
  record(auditReasons.closed, minutes, { [auditAnnotations.connection]: connection, ...(durationMs === undefined ? {} : { [auditAnnotations.durationMs]: String(durationMs) }) });
const refused = (minutes: number, code: number, count: number) => record(auditReasons.refused, minutes, { [auditAnnotations.code]: String(code) }, count);

describe('linkActivity', () => {
  it('says an unused link was not used', () => {
    expect(linkActivity([], UNTIL, T0)).toEqual({ used: false, opens: 0, sessions: 0, refusals: 0, totalDurationMs: 0, openNow: [] });
  });

  it('sums a finished console: when, from where, how long', () => {
    const activity = linkActivity([opened(1, 'c1', '203.0.113.9'), closed(13, 'c1', 720_000)], UNTIL, T0 + 20 * 60_000);
    expect(activity).toMatchObject({ used: true, opens: 1, sessions: 1, lastOpenedAt: at(1), lastClient: '203.0.113.9', lastDurationMs: 720_000, totalDurationMs: 720_000, openNow: [] });
  });

  it('shows a console without a close as open now, until the link expires', () => {
    const records = [opened(1, 'c1', '203.0.113.9'), closed(5, 'c1', 240_000), opened(10, 'c2', '198.51.100.7')];
    const activity = linkActivity(records, UNTIL, T0 + 11 * 60_000);
    expect(activity.openNow.map((o) => [o.connection, o.client, o.at])).toEqual([['c2', '198.51.100.7', at(10)]]);
    expect(activity).toMatchObject({ opens: 2, lastClient: '198.51.100.7', lastOpenedAt: at(10), lastDurationMs: 240_000 });
    expect(linkActivity(records, UNTIL, Date.parse(UNTIL)).openNow).toEqual([]);
  });

  it('counts a reconnect from the same session as one use and another session as a second', () => {
    const sameSession = [opened(1, 'c1', '203.0.113.9', 's-a'), closed(2, 'c1', 60_000), opened(3, 'c2', '203.0.113.9', 's-a')];
    expect(linkActivity(sameSession, UNTIL, T0)).toMatchObject({ opens: 2, sessions: 1 });
    expect(linkActivity([...sameSession, opened(4, 'c3', '198.51.100.7', 's-b')], UNTIL, T0)).toMatchObject({ opens: 3, sessions: 2 });
    // Connections without a session annotation are a session each.
    expect(linkActivity([opened(1, 'c1', 'x'), opened(2, 'c2', 'x')], UNTIL, T0).sessions).toBe(2);
  });

  it('counts aggregated refusals by their count and keeps the last code', () => {
    const activity = linkActivity([refused(2, 4409, 7), refused(5, 4404, 1)], UNTIL, T0);
    expect(activity).toMatchObject({ used: false, refusals: 8, lastRefusal: { at: at(5), closeCode: 4404 } });
  });

  it('takes the duration from the timestamps when the close has none', () => {
    expect(linkActivity([opened(1, 'c1', 'x'), closed(4, 'c1')], UNTIL, T0).lastDurationMs).toBe(180_000);
  });
});

describe('consoleOpenings', () => {
  it('lists every opening of a VM newest first, whoever issued the link', () => {
    const other = record(auditReasons.opened, 7, { [auditAnnotations.linkId]: 'someone-elses', [auditAnnotations.issuer]: 'carol', [auditAnnotations.connection]: 'c9' });
    const list = consoleOpenings([opened(1, 'c1', 'a'), closed(2, 'c1', 60_000), other, refused(3, 4409, 2)], T0 + 8 * 60_000);
    expect(list.map((o) => [o.linkId, o.issuer, o.openNow, o.durationMs])).toEqual([['someone-elses', 'carol', true, undefined], ['link-1', undefined, false, 60_000]]);
  });

  it('never calls an opening without a connection id open', () => {
    const bare = record(auditReasons.opened, 1, {});
    expect(consoleOpenings([bare], T0)[0]?.openNow).toBe(false);
  });
});

describe('usesLeft', () => {
  const one = linkActivity([opened(1, 'c1', 'x', 's-a')], UNTIL, T0);
  it('trusts the gateway counter when it could be read', () => {
    expect(usesLeft(1, 0, one)).toEqual({ left: 1, of: 1, source: 'counter' });
  });
  it('falls back to the sessions in the trail, never below zero', () => {
    expect(usesLeft(1, undefined, one)).toEqual({ left: 0, of: 1, source: 'events' });
    expect(usesLeft(3, undefined, linkActivity([], UNTIL, T0))).toEqual({ left: 3, of: 3, source: 'events' });
    expect(usesLeft(1, 5, one).left).toBe(0);
  });
});

describe('newestRecordFirst', () => {
  it('puts a close after its open when both fall in the same second, as Event times do', () => {
    const at = '2026-12-05T10:00:00Z';
    const record = (reason: ConsoleAuditRecord['reason'], lastSeen = at): ConsoleAuditRecord => ({ reason, namespace: 'team-a', vm: 'web-1', console: 'vnc', viewOnly: false, count: 1, firstSeen: lastSeen, lastSeen, message: '' });
    const sorted = [record('ConsoleClosed'), record('ConsoleOpened'), record('ConsoleRefused'), record('ConsoleOpened', '2026-12-05T10:00:01Z')].sort(newestRecordFirst);
    expect(sorted.map((r) => `${r.reason}@${r.lastSeen.slice(17, 19)}`)).toEqual(['ConsoleOpened@01', 'ConsoleClosed@00', 'ConsoleRefused@00', 'ConsoleOpened@00']);
  });
});
