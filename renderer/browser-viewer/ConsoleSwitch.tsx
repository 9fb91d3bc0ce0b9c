import { useId } from 'react';
import type { ConsoleKind } from '../../shared/kubevirt-paths.ts';

const KIND_LABELS: Readonly<Record<ConsoleKind, string>> = { vnc: 'Screen', serial: 'Serial' };

export interface ConsoleSwitchProps {
  kinds: readonly ConsoleKind[];
  value: ConsoleKind;
  onChange: (kind: ConsoleKind) => void;
}

/** For a link that opens both consoles of a VM: which one the viewer shows. */
export function ConsoleSwitch({ kinds, value, onChange }: ConsoleSwitchProps) {
  const name = useId();
  return (
    <div className="console-switch" role="radiogroup" aria-label="Console">
      {kinds.map((kind) => (
        <label key={kind} className="console-switch__option">
          <input type="radio" name={name} value={kind} checked={kind === value} onChange={() => onChange(kind)} />
          {KIND_LABELS[kind]}
        </label>
      ))}
    </div>
  );
}
