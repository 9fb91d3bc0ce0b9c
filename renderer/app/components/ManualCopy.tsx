import { useEffect, useId, useRef } from 'react';

export interface ManualCopyProps {
  /** Exactly what to copy. */
  text: string;
  label: string;
}

/**
 * When the page may not use the clipboard: the text in a field, selected and
 * focused, so one keystroke copies it. Links carry long tokens: the field holds
 * the whole text, never a shortened one.
 */
export function ManualCopy({ text, label }: ManualCopyProps) {
  const field = useRef<HTMLInputElement>(null);
  const hintId = useId();
  useEffect(() => {
    field.current?.focus();
    field.current?.select();
  }, [text]);
  return (
    <div className="manual-copy" role="group" aria-label={label}>
      <p id={hintId} className="note" role="status">Could not copy by itself: press Ctrl+C (⌘C on a Mac) to copy the selected text.</p>
      <input ref={field} className="input input--mono" readOnly aria-label={label} aria-describedby={hintId} value={text} onFocus={(e) => e.target.select()} />
    </div>
  );
}
