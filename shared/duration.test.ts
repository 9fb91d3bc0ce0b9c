import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DurationError,
  MAX_DURATION_MS,
  MAX_DURATION_NS,
  formatDuration,
  formatDurationNs,
  parseDuration,
  parseDurationNs,
} from './duration.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

describe('parseDuration', () => {
  it.each([
    ['1h30m', HOUR + 30 * MINUTE],
    ['25m', 25 * MINUTE],
    ['90s', 90 * SECOND],
    ['1.5h', 1.5 * HOUR],
    ['300ms', 300],
    ['1h0m0s', HOUR],
    ['0', 0],
    ['+0', 0],
    ['0s', 0],
    ['+1h', HOUR],
    ['.5s', 500],
    ['1.s', SECOND],
    ['2h45m30.5s', 2 * HOUR + 45 * MINUTE + 30.5 * SECOND],
    ['1m1m', 2 * MINUTE],
    ['1000000us', SECOND],
    ['1500µs', 1.5],
    ['1500μs', 1.5],
    ['2000000ns', 2],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('keeps nanoseconds exactly and truncates finer fractions as Go does', () => {
    expect(parseDurationNs('1ns')).toBe(1n);
    expect(parseDurationNs('1.9ns')).toBe(1n);
    expect(parseDurationNs('0.3333333333s')).toBe(333_333_333n);
    expect(parseDuration('1ns')).toBeCloseTo(0.000001, 12);
  });

  it('accepts the largest Go duration and nothing above it', () => {
    expect(parseDurationNs('2562047h47m16.854775807s')).toBe(MAX_DURATION_NS);
    expect(parseDurationNs('9223372036854775807ns')).toBe(MAX_DURATION_NS);
    expect(() => parseDuration('2562047h47m16.854775808s')).toThrow(/longer than the maximum/);
    expect(() => parseDuration('9999999999999999999999h')).toThrow(/longer than the maximum/);
    expect(MAX_DURATION_MS).toBeCloseTo(9223372036854.775, 0);
  });

  it.each([
    ['', /invalid duration "": empty/],
    ['-1h', /invalid duration "-1h": negative durations are not allowed/],
    ['-0', /negative/],
    ['+', /invalid duration "\+": a sign must be followed/],
    ['1', /invalid duration "1": missing unit after "1"/],
    ['10', /missing unit/],
    ['1h30', /invalid duration "1h30": missing unit after "30"/],
    ['1.5', /missing unit after "1.5"/],
    ['1d', /invalid duration "1d": unknown unit "d" \(units: ns, us, µs, ms, s, m, h\)/],
    ['1H', /unknown unit "H"/],
    ['1constructor', /unknown unit "constructor"/],
    ['h', /expected a number at "h"/],
    ['.h', /expected a number at ".h"/],
    ['1..5h', /invalid duration "1..5h"/],
    [' 1h', /expected a number/],
    ['1h ', /unknown unit "h "/],
    ['1 h', /unknown unit " h"/],
  ])('rejects %j', (text, message) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
    expect(() => parseDuration(text)).toThrow(message);
  });

  it('rejects a non-string', () => {
    expect(() => parseDuration(3600 as unknown as string)).toThrow(/not a string/);
  });
});

describe('formatDuration', () => {
  it.each([
    [HOUR + 30 * MINUTE, '1h30m0s'],
    [25 * MINUTE, '25m0s'],
    [90 * SECOND, '1m30s'],
    [300, '300ms'],
    [0, '0s'],
    [HOUR, '1h0m0s'],
    [1.5 * SECOND, '1.5s'],
    [1.5, '1.5ms'],
    [0.0015, '1.5µs'],
    [0.000001, '1ns'],
    [26 * HOUR + 0.001, '26h0m0.000001s'],
  ])('%d ms = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('formats the largest Go duration like Go', () => {
    expect(formatDurationNs(MAX_DURATION_NS)).toBe('2562047h47m16.854775807s');
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects %d', (ms) => {
    expect(() => formatDuration(ms)).toThrow(DurationError);
    expect(() => formatDuration(ms)).toThrow(`cannot format duration ${String(ms)} ms`);
  });

  it('rejects values above the maximum', () => {
    expect(() => formatDuration(MAX_DURATION_MS * 2)).toThrow(/longer than the maximum/);
    expect(() => formatDurationNs(-1n)).toThrow(/must not be negative/);
  });
});

describe('properties', () => {
  it('parse(format(x)) === x for whole milliseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 * 24 * HOUR }), (ms) => {
        expect(parseDuration(formatDuration(ms))).toBe(ms);
      }),
      { numRuns: 2000 },
    );
  });

  it('parseNs(formatNs(x)) === x for any nanosecond count Go can hold', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_DURATION_NS }), (ns) => {
        expect(parseDurationNs(formatDurationNs(ns))).toBe(ns);
      }),
    );
  });

  it('a sum of components parses to the sum of their values', () => {
    const unit = fc.constantFrom(['h', HOUR], ['m', MINUTE], ['s', SECOND], ['ms', 1]);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 10_000 }), unit), { minLength: 1, maxLength: 6 }), (parts) => {
        const text = parts.map(([n, [u]]) => `${n}${u}`).join('');
        const expected = parts.reduce((sum, [n, [, ms]]) => sum + n * ms, 0);
        expect(parseDuration(text)).toBe(expected);
      }),
    );
  });
});
