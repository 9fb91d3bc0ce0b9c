// Time left on a link, as a person reads a clock: "14:59", "1:02:03", "2d 03:04:05".

/** Whole seconds left, rounded up, so "0:00" only shows once the time is really up. */
export function formatCountdown(ms: number): string {
  if (Number.isNaN(ms)) throw new RangeError('cannot format a countdown of NaN milliseconds');
  if (ms === Infinity) return '∞';
  const total = Math.max(0, Math.ceil(ms / 1000));
  const seconds = total % 60;
  const minutes = Math.floor(total / 60) % 60;
  const hours = Math.floor(total / 3600) % 24;
  const days = Math.floor(total / 86_400);
  const two = (n: number) => String(n).padStart(2, '0');
  if (days > 0) return `${days}d ${two(hours)}:${two(minutes)}:${two(seconds)}`;
  if (hours > 0) return `${hours}:${two(minutes)}:${two(seconds)}`;
  return `${minutes}:${two(seconds)}`;
}

/** The countdown line for a link valid until `until` (unix ms), seen at `now`. */
export function expiryLabel(until: number, now: number): string {
  const left = until - now;
  return left > 0 ? `Expires in ${formatCountdown(left)}` : 'Expired';
}
