import { useEffect, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import type { VmPowerAction, VmRow } from '../../../shared/desktop-api.ts';
import { useClient } from '../client.tsx';
import { offeredActions, POWER_LABELS } from '../power/power-offer.ts';

export interface RowMenuProps {
  context: string;
  row: VmRow;
  /** Where to open: below this rectangle (the row's menu button, or the row itself from the keyboard). */
  anchor: { left: number; bottom: number };
  onDetails: () => void;
  onPower: (action: VmPowerAction) => void;
  onClose: () => void;
}

/** A row's actions: its details, and the power actions the person may take on it now. */
export function RowMenu({ context, row, anchor, onDetails, onPower, onClose }: RowMenuProps) {
  const client = useClient();
  const menu = useRef<HTMLDivElement>(null);
  const [allowed, setAllowed] = useState<readonly VmPowerAction[] | undefined>();

  useEffect(() => {
    let current = true;
    client.vmPowerActions(context, row.namespace, row.name).then((actions) => current && setAllowed(actions), () => current && setAllowed([]));
    return () => {
      current = false;
    };
  }, [client, context, row.namespace, row.name]);

  const items = () => [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]:not([aria-disabled="true"])') ?? [])];

  useEffect(() => {
    items()[0]?.focus();
    const outside = (event: MouseEvent) => {
      if (!menu.current?.contains(event.target as Node)) onClose();
    };
    document.addEventListener('mousedown', outside);
    return () => document.removeEventListener('mousedown', outside);
  }, [onClose]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    event.stopPropagation();
    const list = items();
    const at = list.indexOf(document.activeElement as HTMLElement);
    const move = (index: number) => list[(index + list.length) % list.length]?.focus();
    switch (event.key) {
      case 'ArrowDown': event.preventDefault(); move(at + 1); break;
      case 'ArrowUp': event.preventDefault(); move(at - 1); break;
      case 'Home': event.preventDefault(); move(0); break;
      case 'End': event.preventDefault(); move(list.length - 1); break;
      case 'Escape':
      case 'Tab':
        event.preventDefault();
        onClose();
        break;
      default: break;
    }
  };

  const offered = offeredActions(row.status, allowed ?? []);
  return (
    <div ref={menu} className="row-menu" role="menu" aria-label={`Actions for ${row.name}`} style={{ left: anchor.left, top: anchor.bottom }} onKeyDown={onKeyDown}>
      <button type="button" role="menuitem" tabIndex={-1} className="row-menu__item" onClick={onDetails}>Show details</button>
      {allowed === undefined && <div role="menuitem" aria-disabled="true" className="row-menu__item row-menu__item--note">Checking what you may do…</div>}
      {offered.map((action) => (
        <button key={action} type="button" role="menuitem" tabIndex={-1} className="row-menu__item" onClick={() => onPower(action)}>
          {POWER_LABELS[action]}
        </button>
      ))}
    </div>
  );
}
