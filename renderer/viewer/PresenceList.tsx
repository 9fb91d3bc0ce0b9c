import { useEffect, useId, useState } from 'react';
import type { PresenceState } from './presence-state.ts';
import { accessWords, headcount } from './presence-state.ts';

/** How long a join or leave stays on screen; the live region has announced it by then. */
export const NOTICE_MS = 6_000;

export interface PresenceListProps {
  presence: PresenceState;
  onNoticeSeen: (serial: number) => void;
}

/** Who is on the console, behind a compact "N people here" disclosure, and a polite notice when someone joins or leaves. */
export function PresenceList({ presence, onNoticeSeen }: PresenceListProps) {
  const [open, setOpen] = useState(false);
  const listId = useId();
  const notice = presence.notice;

  useEffect(() => {
    if (notice === undefined) return undefined;
    const timer = setTimeout(() => onNoticeSeen(notice.serial), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice, onNoticeSeen]);

  return (
    <div className="presence">
      {/* Always in the page, so a screen reader is listening before the first change is written into it. */}
      <p className="presence__notice" role="status" aria-live="polite">{notice?.text ?? ''}</p>
      {presence.viewers.length > 0 && (
        <>
          <button type="button" className="button" aria-expanded={open} aria-controls={listId} onClick={() => setOpen((o) => !o)}>
            {headcount(presence.viewers.length)}
          </button>
          <ul id={listId} className="presence__list" aria-label="People on this console" hidden={!open}>
            {presence.viewers.map((viewer) => (
              <li key={viewer.id}>
                <span className="presence__name">{viewer.name}</span>
                {viewer.id === presence.you && <span className="presence__you"> (you)</span>}
                <span className="presence__access"> · {accessWords(viewer)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
