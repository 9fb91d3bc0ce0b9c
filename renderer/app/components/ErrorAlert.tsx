import type { DesktopError } from '../../../shared/desktop-api.ts';
import { explainError } from '../error-wording.ts';
import type { Attempt } from '../error-wording.ts';

export interface ErrorAlertProps {
  error: DesktopError | undefined;
  /** What the person was doing: decides the sentence they read. */
  attempt: Attempt;
  onDismiss?: () => void;
  /** `note`: an answer rather than a failure (e.g. no screenshot allowed), so it does not interrupt a screen reader. */
  tone?: 'alert' | 'note';
}

/** A failure as a person reads it, never silent: one sentence, and the app's or the API server's own text under "Details". */
export function ErrorAlert({ error, attempt, onDismiss, tone = 'alert' }: ErrorAlertProps) {
  if (error === undefined) return null;
  return (
    <div className={tone === 'alert' ? 'alert' : 'alert alert--note'} role={tone === 'alert' ? 'alert' : 'note'}>
      <div className="alert__text">
        <span>{explainError(attempt, error)}</span>
        <ErrorDetails error={error} />
      </div>
      {onDismiss !== undefined && <button type="button" className="button button--small" onClick={onDismiss}>Dismiss</button>}
    </div>
  );
}

/** The app's or the API server's own words, for whoever wants them: closed until asked for. */
export function ErrorDetails({ error }: { error: DesktopError | undefined }) {
  if (error === undefined || error.message === '') return null;
  return (
    <details className="alert__details">
      <summary>Details</summary>
      <p className="alert__raw">{error.message}</p>
    </details>
  );
}
