import type { DesktopError } from '../../../shared/desktop-api.ts';

export interface ErrorAlertProps {
  error: DesktopError | undefined;
  /** Replaces the error's own message, e.g. with wording for the place it happened. */
  message?: string;
  onDismiss?: () => void;
}

/** A failure as a person reads it; never silent. */
export function ErrorAlert({ error, message, onDismiss }: ErrorAlertProps) {
  if (error === undefined) return null;
  return (
    <div className="alert" role="alert">
      <span>{message ?? error.message}</span>
      {onDismiss !== undefined && <button type="button" className="button button--small" onClick={onDismiss}>Dismiss</button>}
    </div>
  );
}
