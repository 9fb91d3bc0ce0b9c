import { describe, expect, it } from 'vitest';
import { checkLifetime, checkStart, LIFETIME_PRESETS, toLocalInput } from './lifetime.ts';

describe('checkLifetime', () => {
  it('accepts every preset', () => {
    for (const preset of LIFETIME_PRESETS) expect(checkLifetime(preset.value).ok).toBe(true);
  });

  it('returns the duration and its length in milliseconds', () => {
    expect(checkLifetime(' 1h30m ')).toEqual({ ok: true, value: { duration: '1h30m', ms: 5_400_000 } });
  });

  it('explains a malformed duration', () => {
    const result = checkLifetime('90');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/missing unit/);
    const unknown = checkLifetime('2 days');
    expect(unknown.ok).toBe(false);
  });

  it('refuses zero and sub-second lifetimes', () => {
    for (const text of ['0', '0s', '500ms']) {
      const result = checkLifetime(text);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatch(/at least one second/);
    }
  });
});

describe('checkStart', () => {
  const now = new Date(2030, 0, 1, 12, 0).getTime();
  it('turns a local date and time into RFC 3339', () => {
    expect(checkStart('2030-01-01T14:30', now)).toEqual({ ok: true, value: new Date(2030, 0, 1, 14, 30).toISOString() });
  });

  it('refuses an empty, malformed or past start', () => {
    expect(checkStart('', now)).toEqual({ ok: false, error: 'Choose a start date and time.' });
    expect(checkStart('tomorrow', now).ok).toBe(false);
    const past = checkStart('2029-12-31T23:59', now);
    expect(past.ok).toBe(false);
    if (!past.ok) expect(past.error).toMatch(/in the past/);
  });

  it('round-trips with toLocalInput to the minute', () => {
    const later = new Date(2030, 5, 7, 8, 9).getTime();
    expect(checkStart(toLocalInput(later), now)).toEqual({ ok: true, value: new Date(later).toISOString() });
  });
});
