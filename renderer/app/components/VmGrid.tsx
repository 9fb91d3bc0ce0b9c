import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import type { KeyboardEvent } from 'react';
import type { VmRow } from '../../../shared/desktop-api.ts';
import { gridKey } from '../inventory/grid-navigation.ts';
import { COLUMN_LABELS, formatAge, VM_COLUMNS } from '../inventory/vm-query.ts';
import type { VmColumn, VmSort } from '../inventory/vm-query.ts';

const ROW_HEIGHT = 32;

export interface VmGridProps {
  keys: readonly string[];
  rows: ReadonlyMap<string, VmRow>;
  sort: VmSort;
  onSort: (column: VmColumn) => void;
  active: number;
  onActive: (index: number) => void;
  onOpen: (row: VmRow) => void;
  onSearch: () => void;
  now: number;
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
export function VmGrid({ keys, rows, sort, onSort, active, onActive, onOpen, onSearch, now, busy }: VmGridProps) {
  const scroller = useRef<HTMLDivElement>(null);
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
    if (event.target !== event.currentTarget && event.key !== 'Enter' && !event.key.startsWith('Arrow')) return;
    const pageSize = Math.max(1, Math.floor((scroller.current?.clientHeight ?? ROW_HEIGHT * 10) / ROW_HEIGHT));
    const move = gridKey(event.key, active, keys.length, pageSize);
    if (move.kind === 'ignore') return;
    event.preventDefault();
    if (move.kind === 'search') onSearch();
    else if (move.kind === 'move') onActive(move.index);
    else {
      const row = rows.get(keys[move.index] ?? '');
      if (row) onOpen(row);
    }
  };

  return (
    <div
      className="vm-grid"
      role="grid"
      aria-label="Virtual machines"
      aria-rowcount={keys.length + 1}
      aria-colcount={VM_COLUMNS.length}
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
              <button type="button" className="vm-grid__sort" tabIndex={-1} onClick={() => onSort(column)}>
                {COLUMN_LABELS[column]}
                {sort.column === column && <span aria-hidden="true">{sort.direction === 'ascending' ? ' ▲' : ' ▼'}</span>}
              </button>
            </div>
          ))}
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
                  onOpen(row);
                }}
              >
                {VM_COLUMNS.map((column) => (
                  <div key={column} role="gridcell" className={`vm-grid__cell vm-grid__cell--${column} status--${column === 'status' ? row.status.toLowerCase() : 'none'}`}>
                    {cell(row, column, now)}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
