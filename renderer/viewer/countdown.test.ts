import { describe, expect, it } from 'vitest';
import { expiryLabel, formatCountdown } from './countdown.ts';

describe('formatCountdown', () => {
  it.each([
    [0, '0:00'],
    [-5000, '0:00'],
    [1, '0:01'],
    [999, '0:01'],
    [1000, '0:01'],
    [59_001, '1:00'],
    [14 * 60_000 + 59_000, '14:59'],
    [3_600_000, '1:00:00'],
    [3_723_000, '1:02:03'],
    [86_400_000 + 3 * 3_600_000 + 4 * 60_000 + 5000, '1d 03:04:05'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatCountdown(ms)).toBe(text);
  });

  it('rejects NaN', () => {
    expect(() => formatCountdown(Number.NaN)).toThrow(/NaN/);
  });
});

describe('expiryLabel', () => {
  it('counts down to the expiry and then says so', () => {
    const until = Date.UTC(2030, 0, 1);
    expect(expiryLabel(until, until - 899_000)).toBe('Expires in 14:59');
    expect(expiryLabel(until, until)).toBe('Expired');
    expect(expiryLabel(until, until + 1)).toBe('Expired');
  });
});
