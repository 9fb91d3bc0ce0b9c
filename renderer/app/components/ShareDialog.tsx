import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { isDesktopError } from '../../../shared/desktop-api.ts';
import type { ConsoleKind, GatewayInfo, SharePermission, ShareRequest, ShareResult } from '../../../shared/desktop-api.ts';
import { useClient } from '../client.tsx';
import { checkLifetime, checkStart, LIFETIME_PRESETS, toLocalInput } from '../share/lifetime.ts';
import { refusalAttempt } from '../share/permission-wording.ts';
import { useFocusReturn } from '../../viewer/focus-return.ts';
import { ErrorAlert } from './ErrorAlert.tsx';
import { LifetimePresets } from './LifetimePresets.tsx';
import { LinkHandover } from './LinkHandover.tsx';
import { useAction } from './use-action.ts';

export interface ShareDialogProps {
  context: string;
  namespace: string;
  name: string;
  onClose: () => void;
}

const CUSTOM = 'custom';

/** What a link can open, in the order its claims list them. */
const CONSOLES: { kind: ConsoleKind; label: string }[] = [
  { kind: 'vnc', label: 'Screen' },
  { kind: 'serial', label: 'Serial console' },
];

/** The gateway's name for each option the dialog offers, and how a person reads it. */
const OPTIONS = [
  { extension: 'viewOnly', label: 'View only (no keyboard or mouse)', missing: 'view-only links' },
  { extension: 'maxUses', label: 'Single use (the link opens the console once)', missing: 'single-use links' },
] as const;

export function ShareDialog({ context, namespace, name, onClose }: ShareDialogProps) {
  const client = useClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [gateway, setGateway] = useState<GatewayInfo | undefined>();
  const [lifetimeChoice, setLifetimeChoice] = useState<string>('1h');
  const [custom, setCustom] = useState('');
  const [startNow, setStartNow] = useState(true);
  const [startAt, setStartAt] = useState(() => toLocalInput(Date.now() + 3_600_000));
  const [viewOnly, setViewOnly] = useState(false);
  const [singleUse, setSingleUse] = useState(false);
  const [label, setLabel] = useState('');
  const [consoles, setConsoles] = useState<ConsoleKind[]>(['vnc']);
  const [problem, setProblem] = useState<{ field: 'lifetime' | 'start' | 'consoles'; message: string } | undefined>();
  const [result, setResult] = useState<ShareResult | undefined>();
  const [permission, setPermission] = useState<SharePermission | undefined>();
  // Asked as the dialog opens, so a refusal is said before anything is filled in; main checks again when signing.
  const check = useAction(() => client.checkSharePermission(context, namespace, name));
  const load = useAction(async () => Promise.all([client.getGateway(context), client.getClusterSettings(context)]));
  const share = useAction(async (request: ShareRequest) => {
    try {
      return await client.shareConsole(request);
    } catch (error) {
      // Refused while the dialog was open (access taken away): ask why, so it is said as on opening.
      if (isDesktopError(error) && error.code === 'forbidden') {
        const again = await client.checkSharePermission(context, namespace, name).catch(() => undefined);
        if (again && !again.allowed) setPermission(again);
      }
      throw error;
    }
  });

  // Before showModal: it moves focus in, and the dialog is unmounted rather than closed, so nothing gives it back.
  useFocusReturn(dialog);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);

  const checkRun = check.run;
  useEffect(() => {
    void checkRun().then((answer) => {
      setPermission(answer);
      // A console the person may not open is never offered; the screen stays the default where it may be.
      if (answer?.allowed) setConsoles((current) => {
        const kept = current.filter((kind) => answer.consoles.includes(kind));
        return kept.length > 0 ? kept : answer.consoles.slice(0, 1);
      });
    });
  }, [checkRun]);

  const loadRun = load.run;
  useEffect(() => {
    void loadRun().then((loaded) => {
      if (!loaded) return;
      const [info, settings] = loaded;
      setGateway(info);
      const preset = LIFETIME_PRESETS.some((p) => p.value === settings.defaultLifetime);
      setLifetimeChoice(preset ? settings.defaultLifetime : CUSTOM);
      if (!preset) setCustom(settings.defaultLifetime);
      setViewOnly(settings.defaultViewOnly && info.enforces.includes('viewOnly'));
      setSingleUse(settings.defaultSingleUse && info.enforces.includes('maxUses'));
    });
  }, [loadRun]);

  const enforced = (extension: string) => gateway?.enforces.includes(extension) ?? false;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (consoles.length === 0) return setProblem({ field: 'consoles', message: 'Choose what the link opens: the screen, the serial console, or both.' });
    const lifetime = checkLifetime(lifetimeChoice === CUSTOM ? custom : lifetimeChoice);
    if (!lifetime.ok) return setProblem({ field: 'lifetime', message: lifetime.error });
    const start = startNow ? { ok: true as const, value: 'now' } : checkStart(startAt, Date.now());
    if (!start.ok) return setProblem({ field: 'start', message: start.error });
    setProblem(undefined);
    const issued = await share.run({
      context, namespace, name,
      duration: lifetime.value.duration,
      from: start.value,
      viewOnly: enforced('viewOnly') && viewOnly,
      singleUse: enforced('maxUses') && singleUse,
      consoles,
      ...(label.trim() === '' ? {} : { label: label.trim() }),
    });
    if (issued) setResult(issued);
  };

  const refusal = permission && !permission.allowed ? permission : undefined;

  const toggleConsole = (kind: ConsoleKind, on: boolean) =>
    setConsoles((current) => CONSOLES.map((c) => c.kind).filter((k) => (k === kind ? on : current.includes(k))));

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby={titleId} onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <h2 id={titleId} className="dialog__title">Share console</h2>
      <p className="dialog__subtitle">{name} in {namespace} · context {context}</p>
      {check.busy && <p className="note" role="status">Checking that you may share this console…</p>}
      {load.busy && <p className="note" role="status">Asking the gateway what it enforces…</p>}
      {refusal ? (
        <>
          <ErrorAlert error={refusal.error} attempt={refusalAttempt(refusal.why)} />
          <div className="dialog__actions">
            <button type="button" className="button" onClick={onClose}>Close</button>
          </div>
        </>
      ) : (
        <>
          {/* A check that could not be made is no answer: say so, and let main decide when signing. */}
          <ErrorAlert error={check.error} attempt="check-share" />
          <ErrorAlert error={load.error} attempt="find-gateway" />
          {result === undefined ? (
            <form className="form" onSubmit={(e) => void submit(e)}>
              <fieldset className="fieldset" aria-describedby={problem?.field === 'consoles' ? `${titleId}-consoles` : undefined}>
                <legend>The link opens</legend>
                <div className="choices">
                  {CONSOLES.map((option) => {
                    const withheld = permission?.allowed === true && !permission.consoles.includes(option.kind);
                    return (
                      <label key={option.kind} className="choice">
                        <input type="checkbox" name="consoles" value={option.kind} checked={consoles.includes(option.kind)} disabled={withheld} onChange={(e) => toggleConsole(option.kind, e.target.checked)} />
                        {option.label}
                        {withheld && <span className="note"> — you may not open it yourself, so no link can</span>}
                      </label>
                    );
                  })}
                </div>
                {problem?.field === 'consoles' && <p id={`${titleId}-consoles`} className="field-error" role="alert">{problem.message}</p>}
              </fieldset>
              <fieldset className="fieldset">
                <legend>Lifetime</legend>
                <div className="choices">
                  <LifetimePresets value={lifetimeChoice} onChange={setLifetimeChoice} />
                  <label className="choice">
                    <input type="radio" name="lifetime" value={CUSTOM} checked={lifetimeChoice === CUSTOM} onChange={() => setLifetimeChoice(CUSTOM)} />
                    Custom
                  </label>
                </div>
                {lifetimeChoice === CUSTOM && (
                  <label className="field">
                    <span>Custom lifetime (Go duration, e.g. 90m or 2h30m)</span>
                    <input
                      className="input"
                      value={custom}
                      onChange={(e) => setCustom(e.target.value)}
                      aria-invalid={problem?.field === 'lifetime'}
                      aria-describedby={problem?.field === 'lifetime' ? `${titleId}-lifetime` : undefined}
                    />
                  </label>
                )}
                {problem?.field === 'lifetime' && <p id={`${titleId}-lifetime`} className="field-error" role="alert">{problem.message}</p>}
              </fieldset>
              <fieldset className="fieldset">
                <legend>Start</legend>
                <div className="choices">
                  <label className="choice"><input type="radio" name="start" checked={startNow} onChange={() => setStartNow(true)} />Start now</label>
                  <label className="choice"><input type="radio" name="start" checked={!startNow} onChange={() => setStartNow(false)} />Start at</label>
                </div>
                {!startNow && (
                  <label className="field">
                    <span>Start date and time</span>
                    <input className="input" type="datetime-local" value={startAt} onChange={(e) => setStartAt(e.target.value)} aria-invalid={problem?.field === 'start'} />
                  </label>
                )}
                {problem?.field === 'start' && <p className="field-error" role="alert">{problem.message}</p>}
              </fieldset>
              {gateway && (
                <fieldset className="fieldset">
                  <legend>Restrictions</legend>
                  {OPTIONS.map((option) => enforced(option.extension) ? (
                    <label key={option.extension} className="choice">
                      <input
                        type="checkbox"
                        checked={option.extension === 'viewOnly' ? viewOnly : singleUse}
                        onChange={(e) => (option.extension === 'viewOnly' ? setViewOnly : setSingleUse)(e.target.checked)}
                      />
                      {option.label}
                    </label>
                  ) : (
                    <p key={option.extension} className="note">This gateway cannot enforce {option.missing}.</p>
                  ))}
                </fieldset>
              )}
              <label className="field">
                <span>Label (optional, e.g. who it is for)</span>
                <input className="input" value={label} maxLength={200} onChange={(e) => setLabel(e.target.value)} />
              </label>
              {share.busy && <p className="note" role="status">Signing…</p>}
              <ErrorAlert error={share.error} attempt="share" />
              <div className="dialog__actions">
                <button type="button" className="button" onClick={onClose}>Cancel</button>
                {/* Still possible after a failed gateway lookup: main checks the permission to issue first and says so. */}
                <button type="submit" className="button button--primary" disabled={share.busy || load.busy || check.busy || (gateway === undefined && load.error === undefined)}>Create link</button>
              </div>
            </form>
          ) : (
            <div className="share-result">
              <LinkHandover result={result} />
              <div className="dialog__actions">
                <button type="button" className="button" onClick={() => setResult(undefined)}>Create another</button>
                <button type="button" className="button" onClick={onClose}>Done</button>
              </div>
            </div>
          )}
        </>
      )}
    </dialog>
  );
}
