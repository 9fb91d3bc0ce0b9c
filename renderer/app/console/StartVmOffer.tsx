import { useEffect, useState } from 'react';
import type { VmStatus } from '../../../shared/desktop-api.ts';
import type { ConsoleState } from '../../viewer/console-state.ts';
import { useClient } from '../client.tsx';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { useVmPower } from '../power/use-vm-power.ts';

export interface StartVmOfferProps {
  context: string;
  namespace: string;
  name: string;
  console: ConsoleState;
  /** The VM runs again (after Start VM): connect the console anew. */
  onRunning: () => void;
}

/** The VM's status as the live inventory reports it, while this view is shown. */
function useInventoryStatus(context: string, key: string): VmStatus | undefined {
  const client = useClient();
  const [status, setStatus] = useState<VmStatus | undefined>();
  useEffect(() => client.onEvent((event) => {
    if (event.kind !== 'inventory' || event.event.context !== context) return;
    const change = event.event;
    if (change.kind === 'reset' || change.kind === 'upsert') {
      const row = change.rows.find((r) => r.key === key);
      if (row) setStatus(row.running ? 'Running' : row.status);
    } else if (change.kind === 'remove' && change.keys.includes(key)) setStatus(undefined);
  }), [client, context, key]);
  return status;
}

/**
 * "Start VM" in the operator's own console when the VM is stopped and they may
 * start it; "Starting…" until it runs, then the console connects again.
 */
export function StartVmOffer({ context, namespace, name, console: state, onRunning }: StartVmOfferProps) {
  const status = useInventoryStatus(context, `${namespace}/${name}`);
  const known = status ?? (state.kind === 'not-running' ? 'Stopped' : undefined);
  const power = useVmPower(context, namespace, name, known);
  const [starting, setStarting] = useState(false);

  useEffect(() => {
    if (starting && power.pending === undefined && power.error === undefined && status === 'Running') {
      setStarting(false);
      onRunning();
    }
  }, [starting, power.pending, power.error, status, onRunning]);

  const stopped = known === 'Stopped' && state.kind !== 'connected';
  const mayStart = power.allowed?.includes('start') === true;
  return (
    <>
      {stopped && mayStart && power.pending === undefined && !starting && (
        <button type="button" className="button button--primary" onClick={() => {
          setStarting(true);
          void power.run('start');
        }}>Start VM</button>
      )}
      {(power.pending !== undefined || (starting && power.error === undefined)) && <span className="note" role="status">Starting…</span>}
      <ErrorAlert error={power.error} attempt="power-vm" onDismiss={() => {
        power.clearError();
        setStarting(false);
      }} />
    </>
  );
}
