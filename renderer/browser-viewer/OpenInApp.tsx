import { useEffect, useId, useRef, useState } from 'react';
import type { VncTarget } from '../../shared/kubevirt-paths.ts';
import { useFocusReturn } from '../viewer/focus-return.ts';
import { appLinkFor } from './app-link.ts';

export interface OpenInAppProps {
  origin: string;
  target: Pick<VncTarget, 'namespace' | 'name'>;
}

/** "Open in Gatepass app": see app-link.ts for why it asks for the link again. */
export function OpenInApp({ origin, target }: OpenInAppProps) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button type="button" className="button" aria-expanded={open} onClick={() => setOpen((o) => !o)}>Open in Gatepass app</button>
      {open && <AppLinkDialog origin={origin} target={target} onClose={() => setOpen(false)} />}
    </>
  );
}

function AppLinkDialog({ origin, target, onClose }: OpenInAppProps & { onClose: () => void }) {
  const [pasted, setPasted] = useState('');
  const root = useRef<HTMLDivElement>(null);
  const field = useRef<HTMLInputElement>(null);
  const fieldId = useId();
  const noteId = useId();
  const result = pasted.trim() === '' ? undefined : appLinkFor(pasted, origin, target);

  useFocusReturn(root);
  useEffect(() => field.current?.focus(), []);

  return (
    <div ref={root} className="app-link-dialog" role="dialog" aria-label="Open in Gatepass app" onKeyDown={(e) => e.key === 'Escape' && onClose()}>
      <label htmlFor={fieldId}>Your console link</label>
      <input
        id={fieldId}
        ref={field}
        type="url"
        autoComplete="off"
        spellCheck={false}
        value={pasted}
        aria-describedby={noteId}
        aria-invalid={result?.ok === false}
        onChange={(e) => setPasted(e.target.value)}
      />
      <p id={noteId} className="app-link-dialog__note">
        {result?.ok === false
          ? result.problem
          : 'Paste the link you were given. This page cannot read it back: the gateway keeps it where no script can reach it.'}
      </p>
      <div className="app-link-dialog__actions">
        <button type="button" className="button" onClick={onClose}>Cancel</button>
        {result?.ok === true && <a className="button button--primary" href={result.href}>Open in the app</a>}
      </div>
    </div>
  );
}
