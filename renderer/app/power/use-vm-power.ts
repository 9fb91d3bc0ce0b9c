// One VM's power for a view: what the person may do (asked of main once per
// VM), the action under way until the VM's status shows it done, and the
// failure in words. The VM details and the own console view share it.

import { useCallback, useEffect, useRef, useState } from 'react';
import type { DesktopError, VmPowerAction, VmStatus } from '../../../shared/desktop-api.ts';
import { useClient } from '../client.tsx';
import { asDesktopError } from '../errors.ts';
import { isSettled } from './power-offer.ts';

/** A restart whose in-between states passed unseen is taken as done after this long. */
const RESTART_UNSEEN_MS = 5_000;

export interface PendingPower {
  action: VmPowerAction;
  /** The statuses the VM showed since, the one at the time first. */
  seen: VmStatus[];
}

export interface VmPower {
  /** Undefined while asking. */
  allowed: readonly VmPowerAction[] | undefined;
  pending: PendingPower | undefined;
  error: DesktopError | undefined;
  clearError: () => void;
  run: (action: VmPowerAction) => Promise<void>;
}

export function useVmPower(context: string, namespace: string, name: string, status: VmStatus | undefined): VmPower {
  const client = useClient();
  const [allowed, setAllowed] = useState<readonly VmPowerAction[] | undefined>();
  const [pending, setPending] = useState<PendingPower | undefined>();
  const [error, setError] = useState<DesktopError | undefined>();
  const [acceptedLongAgo, setAcceptedLongAgo] = useState(false);
  const statusRef = useRef(status);
  statusRef.current = status;

  useEffect(() => {
    let current = true;
    setAllowed(undefined);
    // Not knowing is offering nothing: the details still work without power actions.
    client.vmPowerActions(context, namespace, name).then((actions) => current && setAllowed(actions), () => current && setAllowed([]));
    return () => {
      current = false;
    };
  }, [client, context, namespace, name]);

  useEffect(() => {
    if (status === undefined) return;
    setPending((p) => (p === undefined || p.seen.at(-1) === status ? p : { ...p, seen: [...p.seen, status] }));
  }, [status]);

  useEffect(() => {
    if (pending && isSettled(pending.action, pending.seen, acceptedLongAgo)) setPending(undefined);
  }, [pending, acceptedLongAgo]);

  const run = useCallback(async (action: VmPowerAction) => {
    setError(undefined);
    setAcceptedLongAgo(false);
    setPending({ action, seen: statusRef.current === undefined ? [] : [statusRef.current] });
    try {
      await client.powerVm(context, namespace, name, action);
      setTimeout(() => setAcceptedLongAgo(true), RESTART_UNSEEN_MS);
    } catch (err) {
      setPending(undefined);
      setError(asDesktopError(err));
    }
  }, [client, context, namespace, name]);

  const clearError = useCallback(() => setError(undefined), []);
  return { allowed, pending, error, clearError, run };
}
