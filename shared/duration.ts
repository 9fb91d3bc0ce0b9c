// Go-style durations, as kube-gateway's `/auth/jwt/request` reads them with
// time.ParseDuration. Values are milliseconds as a JavaScript number; the
// fractional part carries sub-millisecond precision down to whole nanoseconds
// (exact below 2^53 ns, about 104 days, which covers any sensible link).
//
// Differences from Go, on purpose: a negative duration is rejected (a link
// cannot last less than nothing); a leading `+` is accepted, as in Go.

export class DurationError extends Error {
  override name = 'DurationError';
}

const NS_PER_MINUTE = 60_000_000_000n;
const NS_PER_HOUR = 3_600_000_000_000n;

// A Map, not an object literal: a unit named "constructor" must not find Object's.
const NS_PER_UNIT: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n], // U+00B5 MICRO SIGN
  ['μs', 1_000n], // U+03BC GREEK SMALL LETTER MU
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', NS_PER_MINUTE],
  ['h', NS_PER_HOUR],
]);

const UNIT_LIST = 'ns, us, µs, ms, s, m, h';

/** Go's time.Duration is an int64 of nanoseconds; nothing longer exists there. */
export const MAX_DURATION_NS = (1n << 63n) - 1n;
export const MAX_DURATION_MS = Number(MAX_DURATION_NS) / 1e6;

const COMPONENT = /^(\d*)(?:\.(\d*))?([^\d.]+)/;

/** Parses a Go duration such as `1h30m`, `1.5h` or `300ms` into milliseconds. */
export function parseDuration(input: string): number {
  return Number(parseDurationNs(input)) / 1e6;
}

/** Parses a Go duration into whole nanoseconds, exactly. */
export function parseDurationNs(input: string): bigint {
  const invalid = (what: string) => new DurationError(`invalid duration ${JSON.stringify(input)}: ${what}`);
  if (typeof input !== 'string') throw invalid('not a string');
  if (input === '') throw invalid('empty (use for example "1h" or "30m")');
  if (input.startsWith('-')) throw invalid('negative durations are not allowed');
  let rest = input.startsWith('+') ? input.slice(1) : input;
  if (rest === '0') return 0n;
  if (rest === '') throw invalid('a sign must be followed by a number and a unit');

  let total = 0n;
  while (rest !== '') {
    const m = COMPONENT.exec(rest);
    if (!m) {
      if (/^\d*\.?\d*$/.test(rest)) throw invalid(`missing unit after "${rest}" (units: ${UNIT_LIST})`);
      throw invalid(`expected a number and a unit at "${rest}"`);
    }
    const [component, intDigits = '', fracDigits = '', unit = ''] = m;
    if (intDigits === '' && fracDigits === '') throw invalid(`expected a number at "${rest}"`);
    const nsPerUnit = NS_PER_UNIT.get(unit);
    if (nsPerUnit === undefined) throw invalid(`unknown unit "${unit}" (units: ${UNIT_LIST})`);
    // Go truncates a fraction to whole nanoseconds; BigInt keeps this exact.
    const scale = 10n ** BigInt(fracDigits.length);
    total += BigInt(intDigits || '0') * nsPerUnit + (BigInt(fracDigits || '0') * nsPerUnit) / scale;
    if (total > MAX_DURATION_NS) throw invalid('longer than the maximum of 2562047h47m16.854775807s');
    rest = rest.slice(component.length);
  }
  return total;
}

/** Formats milliseconds the way Go's Duration.String() does: `1h30m0s`, `300ms`, `0s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new DurationError(`cannot format duration ${String(ms)} ms: must be a finite, non-negative number`);
  }
  const ns = BigInt(Math.round(ms * 1e6));
  if (ns > MAX_DURATION_NS) {
    throw new DurationError(`cannot format duration ${String(ms)} ms: longer than the maximum of 2562047h47m16.854775807s`);
  }
  return formatDurationNs(ns);
}

/** Go's Duration.String() for whole nanoseconds. */
export function formatDurationNs(ns: bigint): string {
  if (ns < 0n) throw new DurationError(`cannot format duration ${ns} ns: must not be negative`);
  if (ns === 0n) return '0s';
  if (ns < 1_000n) return `${ns}ns`;
  if (ns < 1_000_000n) return `${decimal(ns, 3)}µs`;
  if (ns < 1_000_000_000n) return `${decimal(ns, 6)}ms`;
  const hours = ns / NS_PER_HOUR;
  const minutes = (ns % NS_PER_HOUR) / NS_PER_MINUTE;
  const seconds = decimal(ns % NS_PER_MINUTE, 9) + 's';
  if (hours > 0n) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0n) return `${minutes}m${seconds}`;
  return seconds;
}

/** `value / 10^digits` written with the trailing zeros of the fraction dropped. */
function decimal(value: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const fraction = (value % scale).toString().padStart(digits, '0').replace(/0+$/, '');
  return fraction === '' ? `${value / scale}` : `${value / scale}.${fraction}`;
}
