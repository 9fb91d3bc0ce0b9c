import { useEffect, useState } from 'react';
import { useClient } from '../client.tsx';
import { linkOpenedText } from '../links/activity-wording.ts';
import { formatInstant } from '../share/grant-wording.ts';

const SHOWN_MS = 15_000;
const MAX_TOASTS = 3;
let toastCount = 0;

/**
 * "Your link was opened" inside the page, where main's notification cannot
 * reach the desktop (the development bridge); inside Electron the system shows it.
 */
export function LinkOpenedToasts({ onShowLinks }: { onShowLinks: () => void }) {
  const client = useClient();
  const [toasts, setToasts] = useState<Array<{ key: string; text: string }>>([]);

  useEffect(() => {
    if (client.systemNotifications) return undefined;
    const timers = new Set<ReturnType<typeof setTimeout>>();
    const unsubscribe = client.onEvent((event) => {
      if (event.kind !== 'link-opened') return;
      toastCount += 1;
      const key = `toast-${toastCount}`;
      setToasts((list) => [{ key, text: linkOpenedText(event.opened, Date.now(), formatInstant) }, ...list].slice(0, MAX_TOASTS));
      const timer = setTimeout(() => {
        timers.delete(timer);
        setToasts((list) => list.filter((t) => t.key !== key));
      }, SHOWN_MS);
      timers.add(timer);
    });
    return () => {
      unsubscribe();
      for (const timer of timers) clearTimeout(timer);
    };
  }, [client]);

  const dismiss = (key: string) => setToasts((list) => list.filter((t) => t.key !== key));
  return (
    <div className="toasts" role="status" aria-live="polite" aria-label="Notifications">
      {toasts.map((toast) => (
        <div key={toast.key} className="toast">
          <span>{toast.text}</span>
          <button type="button" className="button button--small" onClick={() => {
            dismiss(toast.key);
            onShowLinks();
          }}>Show</button>
          <button type="button" className="button button--small" aria-label="Dismiss" onClick={() => dismiss(toast.key)}>✕</button>
        </div>
      ))}
    </div>
  );
}
