// One pattern for every button that calls main: a busy flag for progress,
// and the error kept for an alert rather than dropped.

import { useCallback, useEffect, useRef, useState } from 'react';
import type { DesktopError } from '../../../shared/desktop-api.ts';
import { asDesktopError } from '../errors.ts';

export interface Action<A extends unknown[], R> {
  run: (...args: A) => Promise<R | undefined>;
  busy: boolean;
  error: DesktopError | undefined;
  clearError: () => void;
}

export function useAction<A extends unknown[], R>(perform: (...args: A) => Promise<R>): Action<A, R> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DesktopError | undefined>();
  const mounted = useRef(true);
  const performRef = useRef(perform);
  performRef.current = perform;
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const run = useCallback(async (...args: A): Promise<R | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await performRef.current(...args);
    } catch (err) {
      if (mounted.current) setError(asDesktopError(err));
      return undefined;
    } finally {
      if (mounted.current) setBusy(false);
    }
  }, []);

  const clearError = useCallback(() => setError(undefined), []);
  return { run, busy, error, clearError };
}
