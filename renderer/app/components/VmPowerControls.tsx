import { useEffect, useState } from 'react';
import type { VmPowerAction, VmRow } from '../../../shared/desktop-api.ts';
import { confirmationText, needsConfirmation, offeredActions, POWER_LABELS, POWER_PROGRESS } from '../power/power-offer.ts';
import { useVmPower } from '../power/use-vm-power.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { ErrorAlert } from './ErrorAlert.tsx';

export interface PowerRequest {
  action: VmPowerAction;
  /** A new number for each request, so choosing the same action twice asks twice. */
  seq: number;
}

export interface VmPowerControlsProps {
  context: string;
  row: VmRow;
  /** An action chosen in the row menu, to take here (after confirming when it needs it). */
  request?: PowerRequest | undefined;
}

/** Start, Stop, Restart, Pause, Unpause: only those the person may take and the status makes sense of. */
export function VmPowerControls({ context, row, request }: VmPowerControlsProps) {
  const power = useVmPower(context, row.namespace, row.name, row.status);
  const [confirming, setConfirming] = useState<'stop' | 'restart' | undefined>();
  const offered = offeredActions(row.status, power.allowed ?? []);

  const ask = (action: VmPowerAction) => {
    if (needsConfirmation(action)) setConfirming(action as 'stop' | 'restart');
    else void power.run(action);
  };

  useEffect(() => {
    if (request) ask(request.action);
    // Only a new request acts; the row changing under it does not.
  }, [request?.seq]);

  const text = confirming && confirmationText(confirming, row.name);
  return (
    <div className="power" role="group" aria-label="Power">
      {offered.map((action) => (
        <button key={action} type="button" className="button" disabled={power.pending !== undefined} onClick={() => ask(action)}>
          {POWER_LABELS[action]}
        </button>
      ))}
      {power.pending && <p className="note power__progress" role="status">{POWER_PROGRESS[power.pending.action]}</p>}
      <ErrorAlert error={power.error} attempt="power-vm" onDismiss={power.clearError} />
      {confirming && text && (
        <ConfirmDialog
          title={text.title}
          body={text.body}
          confirm={text.confirm}
          onCancel={() => setConfirming(undefined)}
          onConfirm={() => {
            setConfirming(undefined);
            void power.run(confirming);
          }}
        />
      )}
    </div>
  );
}
