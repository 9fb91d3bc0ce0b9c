import { useEffect, useId, useRef } from 'react';

export interface ConfirmDialogProps {
  title: string;
  body: string;
  confirm: string;
  onConfirm: () => void;
  onCancel: () => void;
}

/** Asks before something that cannot be undone; focus moves in (to Cancel) and returns where it was. */
export function ConfirmDialog({ title, body, confirm, onConfirm, onCancel }: ConfirmDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const bodyId = useId();

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  return (
    <dialog ref={dialog} className="dialog dialog--confirm" aria-labelledby={titleId} aria-describedby={bodyId} onCancel={(e) => { e.preventDefault(); onCancel(); }}>
      <h2 id={titleId} className="dialog__title">{title}</h2>
      <p id={bodyId}>{body}</p>
      <div className="dialog__actions">
        <button type="button" className="button" onClick={onCancel}>Cancel</button>
        <button type="button" className="button button--danger" onClick={onConfirm}>{confirm}</button>
      </div>
    </dialog>
  );
}
