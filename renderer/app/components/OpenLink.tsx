import { useEffect, useId, useMemo, useState } from 'react';
import type { DragEvent, FormEvent } from 'react';
import type { ConsoleKind, ConsoleTarget, LinkSummary } from '../../../shared/desktop-api.ts';
import { useClient } from '../client.tsx';
import { CLAIM_NOTICE, claimRows, consoleTitle, defaultConsole, droppedText, sessionOf } from '../open-link/claims.ts';
import { formatInstant } from '../share/grant-wording.ts';
import { EmbeddedConsole } from './EmbeddedConsole.tsx';
import { ErrorAlert } from './ErrorAlert.tsx';
import { useAction } from './use-action.ts';
import { useVncBridge } from './use-vnc-bridge.ts';
import { VncBridgePanel } from './VncBridgePanel.tsx';

export interface Prefill {
  link: string;
  /** Changes with every arrival, so the same link arriving twice pre-fills again. */
  seq: number;
}

export interface OpenLinkProps {
  prefill: Prefill | undefined;
  /** Whether a link's console is open here, so an arriving link does not tear it down unasked. */
  onConsoleOpen?: (open: boolean) => void;
}

interface Inspected {
  link: string;
  summary: LinkSummary;
}

interface Connected extends Inspected {
  console: ConsoleKind;
}

const CONSOLE_CHOICES: { kind: ConsoleKind; label: string }[] = [
  { kind: 'vnc', label: 'Screen' },
  { kind: 'serial', label: 'Serial console' },
];

/** Paste, drop or receive a link; see what it claims; connect only when the person says so. */
export function OpenLink({ prefill, onConsoleOpen }: OpenLinkProps) {
  const client = useClient();
  const [text, setText] = useState('');
  const [inspected, setInspected] = useState<Inspected | undefined>();
  const [connected, setConnected] = useState<Connected | undefined>();
  const [chosen, setChosen] = useState<ConsoleKind>('vnc');
  const [dragging, setDragging] = useState(false);
  const choiceName = useId();
  const inspect = useAction((link: string) => client.inspectLink(link));
  // Like Connect, only ever on the person's click: a deep link fills in the text and nothing else.
  const vnc = useVncBridge(() => client.openInVncClient({ kind: 'link', link: inspected?.link ?? '' }), inspected?.link ?? '');

  useEffect(() => {
    if (prefill === undefined) return;
    setText(prefill.link);
    setInspected(undefined);
    setConnected(undefined);
  }, [prefill]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const link = text.trim();
    setInspected(undefined);
    const summary = await inspect.run(link);
    if (summary) {
      setInspected({ link, summary });
      setChosen(defaultConsole(summary));
    }
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const dropped = droppedText((type) => event.dataTransfer.getData(type));
    if (dropped === '') return;
    setText(dropped);
    setInspected(undefined);
  };

  const target = useMemo<ConsoleTarget | undefined>(() => connected && { kind: 'link', link: connected.link, console: connected.console }, [connected]);
  useEffect(() => onConsoleOpen?.(connected !== undefined), [connected, onConsoleOpen]);
  useEffect(() => () => onConsoleOpen?.(false), [onConsoleOpen]);

  if (connected && target) {
    return (
      <EmbeddedConsole
        target={target}
        title={consoleTitle(connected.summary, connected.console)}
        session={sessionOf(connected.summary)}
        onClose={() => setConnected(undefined)}
      />
    );
  }

  return (
    <section className="page" aria-labelledby="open-link-title">
      <h1 id="open-link-title" className="page__title">Open a console link</h1>
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label className="field">
          <span>Link</span>
          <textarea
            className={`input input--mono drop-target${dragging ? ' drop-target--over' : ''}`}
            rows={3}
            value={text}
            placeholder="Paste or drop a console link (https://… or gatepass://…)"
            spellCheck={false}
            onChange={(e) => {
              setText(e.target.value);
              setInspected(undefined);
            }}
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
          />
        </label>
        <div className="form__actions">
          <button type="submit" className="button button--primary" disabled={text.trim() === '' || inspect.busy}>Open link</button>
          {inspect.busy && <span className="note" role="status">Reading the link…</span>}
        </div>
      </form>
      <ErrorAlert error={inspect.error} attempt="read-link" onDismiss={inspect.clearError} />
      {inspected && (
        <section className="claims" aria-label="What the link claims">
          <p className="claims__notice">{CLAIM_NOTICE}</p>
          <dl className="facts">
            {claimRows(inspected.summary, Date.now(), formatInstant).map((row) => (
              <div key={row.term} className="facts__row"><dt>{row.term}</dt><dd>{row.value}</dd></div>
            ))}
          </dl>
          {inspected.summary.consoles.length > 1 && (
            <fieldset className="fieldset">
              <legend>Console to open</legend>
              <div className="choices">
                {CONSOLE_CHOICES.filter((choice) => inspected.summary.consoles.includes(choice.kind)).map((choice) => (
                  <label key={choice.kind} className="choice">
                    <input type="radio" name={choiceName} value={choice.kind} checked={chosen === choice.kind} onChange={() => setChosen(choice.kind)} />
                    {choice.label}
                  </label>
                ))}
              </div>
            </fieldset>
          )}
          <div className="form__actions">
            <button type="button" className="button button--primary" onClick={() => setConnected({ ...inspected, console: chosen })}>Connect</button>
            {/* A VNC client shows only the screen. */}
            {inspected.summary.consoles.includes('vnc') && (
              <button ref={vnc.opener} type="button" className="button" disabled={vnc.opening.busy} onClick={() => void vnc.open()}>
                {vnc.opening.busy ? 'Opening…' : 'Open in VNC client'}
              </button>
            )}
          </div>
          <ErrorAlert error={vnc.opening.error} attempt="open-vnc-client" onDismiss={vnc.opening.clearError} />
          {vnc.bridge && <VncBridgePanel bridge={vnc.bridge} onClosed={vnc.forget} />}
        </section>
      )}
    </section>
  );
}
