import type { ConsoleAction, StateDescription } from './describe-state.ts';

const ACTION_LABELS: Readonly<Record<ConsoleAction, string>> = {
  'take-over': 'Take over',
  reconnect: 'Reconnect',
};

export interface StatePanelProps {
  description: StateDescription;
  onAction?: (action: ConsoleAction) => void;
}

/** A console state as a person reads it: a headline, why, what to do next, and the other end's own words under Details. */
export function StatePanel({ description, onAction }: StatePanelProps) {
  const { title, detail, role, actions, reason } = description;
  return (
    <div className={`console-state console-state--${role}`} role={role}>
      <p className="console-state__title">{title}</p>
      {detail !== undefined && <p className="console-state__detail">{detail}</p>}
      {reason !== undefined && (
        <details className="console-state__reason">
          <summary>Details</summary>
          <p>{reason}</p>
        </details>
      )}
      {onAction !== undefined && actions.length > 0 && (
        <div className="console-state__actions">
          {actions.map((action) => (
            <button
              key={action}
              type="button"
              className={action === 'take-over' ? 'button button--primary' : 'button'}
              onClick={() => onAction(action)}
            >
              {ACTION_LABELS[action]}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
