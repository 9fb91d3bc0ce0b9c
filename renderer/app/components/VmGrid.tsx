import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import type { VmPowerAction, VmRow } from '../../../shared/desktop-api.ts';
import { gridKey } from '../inventory/grid-navigation.ts';
import { COLUMN_LABELS, formatAge, VM_COLUMNS } from '../inventory/vm-query.ts';
import type { VmColumn, VmSort } from '../inventory/vm-query.ts';
import { RowMenu } from './RowMenu.tsx';

const ROW_HEIGHT = 32;

export interface VmGridProps {
  keys: readonly string[];
  rows: ReadonlyMap<string, VmRow>;
  sort: VmSort;
  onSort: (column: VmColumn) => void;
  active: number;
  onActive: (index: number) => void;
  /** `keyboard` when opened with Enter: the details then take the focus. */
  onOpen: (row: VmRow, by: 'keyboard' | 'pointer') => void;
  onSearch: () => void;
  now: number;
  context: string;
  /** A power action chosen in a row's menu. */
  onPower: (row: VmRow, action: VmPowerAction) => void;
  /** More rows are still coming in. */
  busy: boolean;
}

function cell(row: VmRow, column: VmColumn, now: number): string {
  switch (column) {
    case 'name': return row.name;
    case 'namespace': return row.namespace;
    case 'status': return row.status;
    case 'ready': return row.ready ? 'Yes' : 'No';
    case 'node': return row.node ?? '—';
    case 'ips': return row.ips.join(', ') || '—';
    case 'guestOS': return row.guestOS ?? '—';
    case 'age': return formatAge(row.createdAt, now);
  }
}

const rowId = (index: number) => `vm-row-${index}`;

/** The VM table: only the rows in view exist in the page, so 10,000 VMs scroll as smoothly as 10. */
export function VmGrid({ keys, rows, sort, onSort, active, onActive, onOpen, onSearch, now, context, onPower, busy }: VmGridProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const grid = useRef<HTMLDivElement>(null);
  const [menu, setMenu] = useState<{ row: VmRow; anchor: { left: number; bottom: number } } | undefined>();
  const closeMenu = useCallback(() => {
    setMenu(undefined);
    grid.current?.focus();
  }, []);
  const virtualizer = useVirtualizer({
    count: keys.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });

  useEffect(() => {
    if (active >= 0) virtualizer.scrollToIndex(active, { align: 'auto' });
  }, [active, virtualizer]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    // The row menu from the keyboard: the menu key, or Shift+F10.
    if (event.key === 'ContextMenu' || (event.shiftKey && event.key === 'F10')) {
      const row = rows.get(keys[active] ?? '');
      const element = document.getElementById(rowId(active));
      if (!row || !element) return;
      event.preventDefault();
      const rect = element.getBoundingClientRect();
      setMenu({ row, anchor: { left: rect.right - 200, bottom: rect.bottom } });
      return;
    }
    // From a column's sort button only the arrows move rows: Enter and Space belong to the button.
    if (event.target !== event.currentTarget && !event.key.startsWith('Arrow')) return;
    const pageSize = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT));
    const move = gridKey(event.key, active, keys.length, pageSize);
    if (move.kind === 'ignore') return;
    event.preventDefault();
    if (move.kind === 'search') onSearch();
    else if (move.kind === 'move') onActive(move.index);
    else {
      const row = rows.get(keys[move.index] ?? '');
      if (row) onOpen(row, 'keyboard');
    }
  };

  return (
    <>
    <div
      ref={grid}
      className="vm-grid"
      role="grid"
      aria-label="Virtual machines"
      aria-rowcount={keys.length + 1}
      aria-colcount={VM_COLUMNS.length + 1}
      aria-busy={busy}
      aria-activedescendant={active >= 0 && active < keys.length ? rowId(active) : undefined}
      tabIndex={0}
      onKeyDown={onKeyDown}
    >
      <div className="vm-grid__head" role="rowgroup">
        <div className="vm-grid__row" role="row" aria-rowindex={1}>
          {VM_COLUMNS.map((column) => (
            <div
              key={column}
              role="columnheader"
              className={`vm-grid__cell vm-grid__cell--${column}`}
              aria-sort={sort.column === column ? sort.direction : 'none'}
            >
              <button type="button" className="vm-grid__sort" onClick={() => onSort(column)}>
                {COLUMN_LABELS[column]}
                {sort.column === column && <span aria-hidden="true">{sort.direction === 'ascending' ? ' ▲' : ' ▼'}</span>}
              </button>
            </div>
          ))}
          <div role="columnheader" className="vm-grid__cell vm-grid__cell--actions"><span className="visually-hidden">Actions</span></div>
        </div>
      </div>
      <div className="vm-grid__body" role="rowgroup" ref={scroller}>
        <div className="vm-grid__spacer" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows.get(keys[item.index] ?? '');
            if (!row) return null;
            const selected = item.index === active;
            return (
              <div
                key={row.key}
                id={rowId(item.index)}
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={selected}
                className={`vm-grid__row vm-grid__row--body${selected ? ' vm-grid__row--active' : ''}`}
                style={{ transform: `translateY(${item.start}px)` }}
                onClick={() => {
                  onActive(item.index);
                  onOpen(row, 'pointer');
                }}
              >
                {VM_COLUMNS.map((column) => (
                  <div key={column} role="gridcell" className={`vm-grid__cell vm-grid__cell--${column} status--${column === 'status' ? row.status.toLowerCase() : 'none'}`}>
                    {cell(row, column, now)}
                  </div>
                ))}
                <div role="gridcell" className="vm-grid__cell vm-grid__cell--actions">
                  <button
                    type="button"
                    className="vm-grid__menu"
                    tabIndex={-1}
                    aria-label={`Actions for ${row.name}`}
                    aria-haspopup="menu"
                    aria-expanded={menu?.row.key === row.key}
                    onClick={(event) => {
                      event.stopPropagation();
                      onActive(item.index);
                      const rect = event.currentTarget.getBoundingClientRect();
                      setMenu({ row, anchor: { left: rect.right - 200, bottom: rect.bottom } });
                    }}
                  >
                    ⋯
                  </button>
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
    {menu && (
      <RowMenu
        context={context}
        row={rows.get(menu.row.key) ?? menu.row}
        anchor={menu.anchor}
        onClose={closeMenu}
        onDetails={() => {
          closeMenu();
          // The menu is gone with the focus it held: the details take it.
          onOpen(menu.row, 'keyboard');
        }}
        onPower={(action) => {
          closeMenu();
          onPower(rows.get(menu.row.key) ?? menu.row, action);
        }}
      />
    )}
    </>
  );
}
