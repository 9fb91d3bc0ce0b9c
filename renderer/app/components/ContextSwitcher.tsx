import type { ContextInfo } from '../../../shared/desktop-api.ts';
import { connectionLabel } from '../context/contexts.ts';
import { ErrorAlert } from './ErrorAlert.tsx';

export interface ContextSwitcherProps {
  contexts: readonly ContextInfo[] | undefined;
  selected: string | undefined;
  busy: boolean;
  onSelect: (name: string) => void;
}

export function ContextSwitcher({ contexts, selected, busy, onSelect }: ContextSwitcherProps) {
  const current = contexts?.find((c) => c.name === selected);
  return (
    <div className="context-switcher">
      <label className="field field--inline">
        <span>Context</span>
        <select className="input" value={selected ?? ''} disabled={busy || contexts === undefined || contexts.length === 0} onChange={(e) => onSelect(e.target.value)}>
          {contexts === undefined && <option value="">Loading…</option>}
          {contexts?.length === 0 && <option value="">No contexts in the kubeconfig</option>}
          {contexts?.map((c) => <option key={c.name} value={c.name}>{c.name}</option>)}
        </select>
      </label>
      {current?.state === 'error' ? (
        <ErrorAlert error={current.error ?? { code: 'internal', message: 'The connection failed without a reason.' }} attempt="connect-context" />
      ) : current && (
        <span className={`connection connection--${current.state}`} role="status">{connectionLabel(current)}</span>
      )}
      {current && <span className="note context-switcher__server" title={current.server}>{current.cluster} · {current.user}</span>}
    </div>
  );
}
