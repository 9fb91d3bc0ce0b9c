import { useEffect, useState } from 'react';

// One timer waits at most ~24.8 days; a later instant is checked again when it fires.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Whether the ISO instant `until` has passed, turning true when it does. */
export function usePassed(until: string | undefined): boolean {
  const at = until === undefined ? undefined : Date.parse(until);
  const [passed, setPassed] = useState(() => at !== undefined && at <= Date.now());
  useEffect(() => {
    if (at === undefined) return undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = () => {
      const left = at - Date.now();
      setPassed(left <= 0);
      if (left > 0) timer = setTimeout(check, Math.min(left, MAX_TIMER_MS));
    };
    check();
    return () => clearTimeout(timer);
  }, [at]);
  return passed;
}
