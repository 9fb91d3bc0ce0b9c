// setTimeout overflows past 2^31-1 ms (about 24.8 days) and would fire at once,
// so a console's expiry is waited for in steps no longer than that.
const maxTimerMs = 2 ** 31 - 1;

/** Calls `onExpired` once at `at` (unix ms), without keeping the process alive; `cancel` stops it. */
export function expiryTimer(at: number, onExpired: () => void): { cancel(): void } {
  let timer: NodeJS.Timeout;
  const arm = (): void => {
    timer = setTimeout(() => {
      if (Date.now() < at) return arm();
      onExpired();
    }, Math.min(Math.max(0, at - Date.now()), maxTimerMs));
    timer.unref();
  };
  arm();
  return { cancel: () => clearTimeout(timer) };
}
