import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { ConsoleKind, InviteResult } from '../../../shared/desktop-api.ts';
import { useClient } from '../client.tsx';
import { useFocusReturn } from '../../viewer/focus-return.ts';
import { ErrorAlert } from './ErrorAlert.tsx';
import { LifetimePresets } from './LifetimePresets.tsx';
import { LinkHandover } from './LinkHandover.tsx';
import { useAction } from './use-action.ts';

export interface InviteDialogProps {
  context: string;
  namespace: string;
  name: string;
  console: ConsoleKind;
  /** The invitation is issued: the operator's console is to reopen through the gateway with `ownLink`. */
  onInvited: (result: InviteResult) => void;
  onClose: () => void;
}

/** Invites someone into the operator's own open console: view only unless full control is chosen. */
export function InviteDialog({ context, namespace, name, console, onInvited, onClose }: InviteDialogProps) {
  const client = useClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [control, setControl] = useState(false);
  const [duration, setDuration] = useState<string>('1h');
  const [label, setLabel] = useState('');
  const [result, setResult] = useState<InviteResult | undefined>();
  const invite = useAction(() => client.inviteToConsole({
    context, namespace, name, console, duration, viewOnly: !control, ...(label.trim() === '' ? {} : { label: label.trim() }),
  }));

  useFocusReturn(dialog);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const issued = await invite.run();
    if (!issued) return;
    setResult(issued);
    onInvited(issued);
  };

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby={titleId} onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <h2 id={titleId} className="dialog__title">Invite to this console</h2>
      <p className="dialog__subtitle">{name} in {namespace} · context {context}</p>
      {result === undefined ? (
        <form className="form" onSubmit={(e) => void submit(e)}>
          <p className="note">
            The person you invite joins this session and sees what you see. To make that possible your console reconnects through the
            cluster&apos;s Gatepass gateway instead of straight to the API server.
          </p>
          <fieldset className="fieldset">
            <legend>Access</legend>
            <div className="choices">
              <label className="choice">
                <input type="radio" name="access" checked={!control} onChange={() => setControl(false)} />
                View only (no keyboard or mouse)
              </label>
              <label className="choice">
                <input type="radio" name="access" checked={control} onChange={() => setControl(true)} />
                Full control (their typing reaches the VM)
              </label>
            </div>
          </fieldset>
          <fieldset className="fieldset">
            <legend>Lifetime</legend>
            <div className="choices">
              <LifetimePresets value={duration} onChange={setDuration} />
            </div>
          </fieldset>
          <label className="field">
            <span>Label (optional, e.g. who it is for)</span>
            <input className="input" value={label} maxLength={200} onChange={(e) => setLabel(e.target.value)} />
          </label>
          {invite.busy && <p className="note" role="status">Signing…</p>}
          <ErrorAlert error={invite.error} attempt="share" />
          <div className="dialog__actions">
            <button type="button" className="button" onClick={onClose}>Cancel</button>
            <button type="submit" className="button button--primary" disabled={invite.busy}>Create invitation</button>
          </div>
        </form>
      ) : (
        <div className="share-result">
          <LinkHandover result={result.invitation} />
          <div className="dialog__actions">
            <button type="button" className="button" onClick={onClose}>Done</button>
          </div>
        </div>
      )}
    </dialog>
  );
}
