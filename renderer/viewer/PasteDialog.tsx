import { useEffect, useId, useRef, useState } from 'react';
import { useFocusReturn } from './focus-return.ts';
import { textToKeystrokes } from './keystrokes.ts';
import type { Keystroke } from './keystrokes.ts';

export interface PasteDialogProps {
  onType: (strokes: readonly Keystroke[]) => void;
  onClose: () => void;
}

/** Text to type into the console, key by key (a VM has no clipboard shared with this page). */
export function PasteDialog({ onType, onClose }: PasteDialogProps) {
  const [text, setText] = useState('');
  const fieldId = useId();
  const noteId = useId();
  const field = useRef<HTMLTextAreaElement>(null);
  const root = useRef<HTMLDivElement>(null);
  const typed = textToKeystrokes(text);

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
          if (typed.strokes.length > 0) onType(typed.strokes);
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
          Typed with a US keyboard layout; new lines press Return.
          {typed.skipped > 0 && ` ${typed.skipped} control character${typed.skipped === 1 ? '' : 's'} will be left out.`}
        </p>
        <div className="paste-dialog__actions">
          <button type="button" className="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="button button--primary" disabled={typed.strokes.length === 0}>Type text</button>
        </div>
      </form>
    </div>
  );
}
