// The share dialog's "how long" and "from when": presets, a custom Go duration
// checked with the same parser the gateway's format uses, and a start time.

import { DurationError, parseDuration } from '../../../shared/duration.ts';

export const LIFETIME_PRESETS = [
  { value: '15m', label: '15 minutes' },
  { value: '1h', label: '1 hour' },
  { value: '8h', label: '8 hours' },
  { value: '24h', label: '24 hours' },
] as const;

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

/** A lifetime as typed: a Go duration longer than zero, e.g. `90m` or `1h30m`. */
export function checkLifetime(text: string): Checked<{ duration: string; ms: number }> {
  const duration = text.trim();
  let ms: number;
  try {
    ms = parseDuration(duration);
  } catch (error) {
    if (error instanceof DurationError) return { ok: false, error: error.message };
    throw error;
  }
  if (ms < 1000) return { ok: false, error: `A link must last at least one second, not ${JSON.stringify(duration)}.` };
  return { ok: true, value: { duration, ms } };
}

/**
 * A start time from a `datetime-local` input (local time, no zone) as RFC 3339.
 * A start already past is refused rather than silently moved: the person meant something.
 */
export function checkStart(local: string, now: number): Checked<string> {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(local)) {
    return { ok: false, error: 'Choose a start date and time.' };
  }
  const ms = new Date(local).getTime();
  if (!Number.isFinite(ms)) return { ok: false, error: `${JSON.stringify(local)} is not a valid date and time.` };
  if (ms < now) return { ok: false, error: 'The start time is in the past: choose a later time, or "Start now".' };
  return { ok: true, value: new Date(ms).toISOString() };
}

/** The value a `datetime-local` input needs for an instant, in local time. */
export function toLocalInput(ms: number): string {
  const date = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}T${two(date.getHours())}:${two(date.getMinutes())}`;
}
