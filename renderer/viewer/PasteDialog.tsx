import { useEffect, useId, useRef, useState } from 'react';
import { useFocusReturn } from './focus-return.ts';
import { textToKeystrokes } from './keystrokes.ts';
import type { Keystroke } from './keystrokes.ts';

/** Where pasted text goes: a VNC screen takes it key by key, a serial console as the text's bytes. */
export type PasteInto =
  | { kind: 'keys'; type: (strokes: readonly Keystroke[]) => void }
  | { kind: 'text'; send: (text: string) => void };

export interface PasteDialogProps {
  into: PasteInto;
  onClose: () => void;
}

/** Text to type into the console (a VM has no clipboard shared with this page). */
export function PasteDialog({ into, onClose }: PasteDialogProps) {
  const [text, setText] = useState('');
  const fieldId = useId();
  const noteId = useId();
  const field = useRef<HTMLTextAreaElement>(null);
  const root = useRef<HTMLDivElement>(null);
  const typed = into.kind === 'keys' ? textToKeystrokes(text) : undefined;
  const empty = typed === undefined ? text === '' : typed.strokes.length === 0;

  useFocusReturn(root);
  useEffect(() => field.current?.focus(), []);

  return (
    <div
      ref={root}
      className="paste-dialog"
      role="dialog"
      aria-label="Paste text"
      onKeyDown={(event) => {
        if (event.key === 'Escape') onClose();
      }}
    >
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (empty) return;
          if (into.kind === 'keys') into.type(textToKeystrokes(text).strokes);
          else into.send(text);
        }}
      >
        <label htmlFor={fieldId}>Text to type</label>
        <textarea
          id={fieldId}
          ref={field}
          rows={4}
          value={text}
          aria-describedby={noteId}
          onChange={(event) => setText(event.target.value)}
        />
        <p id={noteId} className="paste-dialog__note">
          {typed === undefined
            ? 'Sent as typed; new lines press Return.'
            : 'Typed with a US keyboard layout; new lines press Return.'}
          {typed !== undefined && typed.skipped > 0 && ` ${typed.skipped} control character${typed.skipped === 1 ? '' : 's'} will be left out.`}
        </p>
        <div className="paste-dialog__actions">
          <button type="button" className="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="button button--primary" disabled={empty}>Type text</button>
        </div>
      </form>
    </div>
  );
}
