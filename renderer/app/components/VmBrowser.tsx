import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { InventoryEvent, VmPowerAction, VmRow } from '../../../shared/desktop-api.ts';
import { useClient } from '../client.tsx';
import { asDesktopError } from '../errors.ts';
import { countText } from '../inventory/count-text.ts';
import { followActive } from '../inventory/grid-navigation.ts';
import { changeNeedsReselect, DEFAULT_SORT, distinctValues, EMPTY_QUERY, filterKeys, sortRows, toggleSort } from '../inventory/vm-query.ts';
import type { VmColumn, VmQuery, VmSort } from '../inventory/vm-query.ts';
import { VmStore } from '../inventory/vm-store.ts';
import type { InventoryStatus } from '../inventory/vm-store.ts';
import { ErrorAlert } from './ErrorAlert.tsx';
import { VmGrid } from './VmGrid.tsx';
import { useLatest } from '../../viewer/use-latest.ts';

// Watch events and pages arriving together are filtered and sorted again at
// most this often, and never more than a fifth of the time (a pass over 10,000
// rows is tens of ms): the pages of a large list are not slowed by re-sorting
// what has arrived so far after each of them.
const RESELECT_DELAY_MS = 120;
const RESELECT_SHARE = 5;
const AGE_TICK_MS = 30_000;

export interface VmBrowserProps {
  context: string;
  selectedKey: string | undefined;
  onSelect: (row: VmRow, by: 'keyboard' | 'pointer') => void;
  /** Called with the store's rows whenever they change, so the details panel shows the live row. */
  onRowsChanged: (rows: ReadonlyMap<string, VmRow>) => void;
  /** A power action chosen in a row's menu: taken in that VM's details. */
  onPower: (row: VmRow, action: VmPowerAction) => void;
}

interface Selection {
  keys: string[];
  namespaces: string[];
  statuses: string[];
}

const EMPTY_SELECTION: Selection = { keys: [], namespaces: [], statuses: [] };

export function VmBrowser({ context, selectedKey, onSelect, onRowsChanged, onPower }: VmBrowserProps) {
  const client = useClient();
  const store = useMemo(() => new VmStore(context), [context]);
  const [status, setStatus] = useState<InventoryStatus>(store.status);
  const [selection, setSelection] = useState<Selection>(EMPTY_SELECTION);
  // Bumped when rows change in place: the grid redraws the rows it shows, in the same order.
  const [, setRedraw] = useState(0);
  const [query, setQuery] = useState<VmQuery>(EMPTY_QUERY);
  const [sort, setSort] = useState<VmSort>(DEFAULT_SORT);
  const [active, setActive] = useState(-1);
  const [now, setNow] = useState(() => Date.now());
  const search = useRef<HTMLInputElement>(null);
  const reselectTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const activeKey = useRef<string | undefined>(undefined);
  const queryRef = useLatest(query);
  const sortRef = useLatest(sort);
  // A ref, so a new callback from the parent does not restart the watch.
  const rowsChanged = useLatest(onRowsChanged);

  // All rows in the current sort order, until the rows or the sort change: a
  // keystroke then only filters, which keeps typing within a frame or two at 10,000 VMs.
  const sorted = useRef<{ sort: VmSort; rows: VmRow[] } | undefined>(undefined);

  const reselectCost = useRef(0);

  const reselect = useCallback(() => {
    clearTimeout(reselectTimer.current);
    reselectTimer.current = undefined;
    const started = performance.now();
    if (sorted.current?.sort !== sortRef.current) {
      sorted.current = { sort: sortRef.current, rows: sortRows(store.rows.values(), sortRef.current) };
    }
    setSelection({
      keys: filterKeys(sorted.current.rows, queryRef.current),
      namespaces: distinctValues(store.rows.values(), 'namespace'),
      statuses: distinctValues(store.rows.values(), 'status'),
    });
    reselectCost.current = performance.now() - started;
  }, [store]);

  const scheduleReselect = useCallback(() => {
    reselectTimer.current ??= setTimeout(reselect, Math.max(RESELECT_DELAY_MS, RESELECT_SHARE * reselectCost.current));
  }, [reselect]);

  useEffect(() => {
    setStatus(store.status);
    setSelection(EMPTY_SELECTION);
    setActive(-1);
    const unsubscribe = client.onEvent((event) => {
      if (event.kind !== 'inventory') return;
      apply(event.event);
    });
    const apply = (event: InventoryEvent) => {
      const change = store.apply(event);
      if (change.kind === 'none') return;
      if (change.kind === 'status') {
        setStatus(store.status);
        return;
      }
      sorted.current = undefined;
      rowsChanged.current(store.rows);
      // The first rows show at once; later changes are batched.
      if (change.kind === 'reset') reselect();
      else if (changeNeedsReselect(change, queryRef.current, sortRef.current)) scheduleReselect();
      else setRedraw((n) => n + 1);
    };
    client.watchInventory(context).catch((err: unknown) => {
      store.status = { state: 'error', scope: undefined, error: asDesktopError(err) };
      setStatus(store.status);
    });
    return () => {
      unsubscribe();
      clearTimeout(reselectTimer.current);
      reselectTimer.current = undefined;
    };
  }, [client, context, store, reselect, scheduleReselect]);

  useEffect(() => {
    const onKey = (event: globalThis.KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (event.key !== '/' || target?.closest('input, textarea, select, [contenteditable="true"], dialog')) return;
      event.preventDefault();
      search.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    if (store.rows.size > 0) reselect();
  }, [query, sort, store, reselect]);

  useEffect(() => {
    setActive((index) => followActive(activeKey.current, index, selection.keys));
  }, [selection]);

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), AGE_TICK_MS);
    return () => clearInterval(timer);
  }, []);

  const onActive = (index: number) => {
    activeKey.current = selection.keys[index];
    setActive(index);
  };

  const filtered = query.text !== '' || query.namespace !== '' || query.status !== '';
  // Rows show from the first page; until the last, the count says loading and the grid is busy.
  const loading = status.state === 'loading' && store.rows.size === 0;
  const paging = status.state === 'loading' && store.rows.size > 0;
  const scope = status.scope;

  return (
    <section className="vm-browser" aria-label="VM browser">
      <h1 className="visually-hidden">Virtual machines</h1>
      <div className="toolbar">
        <input
          ref={search}
          className="input toolbar__search"
          type="search"
          aria-label="Search virtual machines"
          placeholder="Search VMs (press / )"
          value={query.text}
          onChange={(e) => setQuery({ ...query, text: e.target.value })}
          onKeyDown={(e) => {
            if (e.key === 'ArrowDown') {
              e.preventDefault();
              document.querySelector<HTMLElement>('.vm-grid')?.focus();
            }
          }}
        />
        <label className="field field--inline">
          <span>Namespace</span>
          <select className="input" value={query.namespace} onChange={(e) => setQuery({ ...query, namespace: e.target.value })}>
            <option value="">All namespaces</option>
            {selection.namespaces.map((ns) => <option key={ns} value={ns}>{ns}</option>)}
          </select>
        </label>
        <label className="field field--inline">
          <span>Status</span>
          <select className="input" value={query.status} onChange={(e) => setQuery({ ...query, status: e.target.value })}>
            <option value="">Any status</option>
            {selection.statuses.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
        </label>
        <span className="toolbar__count" role="status">
          {countText(selection.keys.length, store.rows.size, status.state)}
        </span>
      </div>
      {scope?.kind === 'namespace' && (
        <p className="notice" role="note">Showing namespace {scope.namespace} only: you may not list VMs cluster-wide</p>
      )}
      {status.state === 'error' && <ErrorAlert error={status.error ?? { code: 'internal', message: 'The VM list stopped updating.' }} attempt="list-vms" />}
      {loading ? (
        <p className="placeholder" role="status">Loading virtual machines…</p>
      ) : store.rows.size === 0 && status.state !== 'error' ? (
        <p className="placeholder">No virtual machines in this context</p>
      ) : (
        <>
          {filtered && selection.keys.length === 0 && <p className="placeholder">No virtual machines match the filters</p>}
          <VmGrid
            keys={selection.keys}
            rows={store.rows}
            sort={sort}
            onSort={(column: VmColumn) => setSort(toggleSort(sort, column))}
            active={active}
            onActive={onActive}
            onOpen={onSelect}
            onSearch={() => search.current?.focus()}
            now={now}
            context={context}
            onPower={onPower}
            busy={paging}
          />
        </>
      )}
      {selectedKey !== undefined && !store.rows.has(selectedKey) && store.rows.size > 0 && !paging && (
        <p className="notice" role="note">The selected VM is no longer in this context.</p>
      )}
    </section>
  );
}
