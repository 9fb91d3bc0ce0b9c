import { describe, expect, it } from 'vitest';
import { EXPIRES_ANNOTATION, expiredCounters, parseExpiry, pruneRevocations, verdict, type CounterObject } from './link-expiry.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const GRACE = 90_000;
const iso = (ms: number): string => new Date(ms).toISOString();

let rv = 0;
function counter(name: string, expires: string | undefined, extra: Partial<NonNullable<CounterObject['metadata']>> = {}): CounterObject {
  return { metadata: { name, uid: `uid-${name}`, resourceVersion: String(++rv), ...(expires === undefined ? {} : { annotations: { [EXPIRES_ANNOTATION]: expires } }), ...extra } };
}

describe('parseExpiry', () => {
  it('reads RFC 3339 times, with or without fraction and offset', () => {
    expect(parseExpiry('2026-03-01T12:00:00Z')).toBe(NOW);
    expect(parseExpiry('2026-03-01T12:00:00.250Z')).toBe(NOW + 250);
    expect(parseExpiry('2026-03-01T14:00:00+02:00')).toBe(NOW);
  });

  it.each(['', 'tomorrow', '2026-03-01', '2026-02-30T00:00:00Z', '1772366400', '2026-03-01 12:00:00Z'])('reads nothing from %j', (text) => {
    expect(parseExpiry(text)).toBeUndefined();
  });
});

describe('verdict', () => {
  it('counts a link as expired only once its grace has passed too', () => {
    expect(verdict(iso(NOW - GRACE - 1), NOW, GRACE)).toBe('expired');
    expect(verdict(iso(NOW - GRACE), NOW, GRACE)).toBe('live');
    expect(verdict(iso(NOW - 1), NOW, GRACE)).toBe('live');
    expect(verdict(iso(NOW + 3600_000), NOW, GRACE)).toBe('live');
  });

  it('never takes an expiry it cannot read as expired', () => {
    expect(verdict(undefined, NOW, GRACE)).toBe('unreadable');
    expect(verdict('last week', NOW, GRACE)).toBe('unreadable');
  });
});

describe('expiredCounters', () => {
  it('picks the counters past expiry + grace, with the version they were judged at', () => {
    const old = counter('gatepass-uses-old', iso(NOW - 86_400_000));
    const items = [old, counter('gatepass-uses-recent', iso(NOW - 1000)), counter('gatepass-uses-live', iso(NOW + 60_000))];
    expect(expiredCounters(items, NOW, GRACE)).toEqual({
      expired: [{ name: 'gatepass-uses-old', uid: 'uid-gatepass-uses-old', resourceVersion: old.metadata!.resourceVersion }],
      unreadable: 0,
    });
  });

  it('keeps, and counts, counters without a readable expiry or without a name and version to delete them by', () => {
    const past = iso(NOW - 86_400_000);
    const items = [counter('a', undefined), counter('b', 'soon'), counter('c', past, { resourceVersion: '' }), { metadata: { resourceVersion: '9', annotations: { [EXPIRES_ANNOTATION]: past } } }, {}];
    expect(expiredCounters(items, NOW, GRACE)).toEqual({ expired: [], unreadable: 5 });
  });
});

describe('pruneRevocations', () => {
  it('drops expired entries and keeps live ones and ones it cannot read', () => {
    const data = {
      'expired-long-ago': iso(NOW - 7 * 86_400_000),
      'expired-past-grace': iso(NOW - GRACE - 1000),
      'expired-within-grace': iso(NOW - 1000),
      live: iso(NOW + 3600_000),
      typo: '2026-13-01T00:00:00Z',
      empty: '',
    };
    expect(pruneRevocations(data, NOW, GRACE)).toEqual({
      kept: { 'expired-within-grace': data['expired-within-grace'], live: data.live, typo: data.typo, empty: '' },
      pruned: 2,
      unreadable: 2,
    });
  });

  it('prunes nothing from a list of live entries', () => {
    const data = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`id-${i}`, iso(NOW + i * 1000)]));
    expect(pruneRevocations(data, NOW, GRACE)).toEqual({ kept: data, pruned: 0, unreadable: 0 });
  });
});
