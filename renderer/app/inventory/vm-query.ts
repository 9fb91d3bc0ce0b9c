// Which VMs the browser shows and in what order: search text, namespace and
// status filters, and a sort column. Pure functions over VmRow, so 10,000 rows
// can be filtered and sorted in tests without a DOM.

import type { VmRow } from '../../../shared/desktop-api.ts';
import type { InventoryChange } from './vm-store.ts';

export const VM_COLUMNS = ['name', 'namespace', 'status', 'ready', 'node', 'ips', 'guestOS', 'age'] as const;
export type VmColumn = (typeof VM_COLUMNS)[number];

export const COLUMN_LABELS: Readonly<Record<VmColumn, string>> = {
  name: 'Name',
  namespace: 'Namespace',
  status: 'Status',
  ready: 'Ready',
  node: 'Node',
  ips: 'IPs',
  guestOS: 'Guest OS',
  age: 'Age',
};

export interface VmQuery {
  /** Words that must all appear in the name, namespace, status, node, IPs or guest OS (case-insensitive). */
  text: string;
  /** '' for every namespace. */
  namespace: string;
  /** '' for every status. */
  status: string;
}

export interface VmSort {
  column: VmColumn;
  direction: 'ascending' | 'descending';
}

export const EMPTY_QUERY: VmQuery = { text: '', namespace: '', status: '' };
export const DEFAULT_SORT: VmSort = { column: 'name', direction: 'ascending' };

function searchWords(text: string): string[] {
  return text.toLowerCase().split(/\s+/).filter((word) => word !== '');
}

function haystack(row: VmRow): string {
  return [row.name, row.namespace, row.status, row.node ?? '', ...row.ips, row.guestOS ?? ''].join('\n').toLowerCase();
}

/** A predicate for the query, with the search words split once rather than per row. */
export function vmMatcher(query: VmQuery): (row: VmRow) => boolean {
  const words = searchWords(query.text);
  return (row) => {
    if (query.namespace !== '' && row.namespace !== query.namespace) return false;
    if (query.status !== '' && row.status !== query.status) return false;
    if (words.length === 0) return true;
    const text = haystack(row);
    return words.every((word) => text.includes(word));
  };
}

/** What a column sorts by. Age sorts by creation time, so ascending age is newest first. */
export function sortValue(row: VmRow, column: VmColumn): string | number {
  switch (column) {
    case 'name': return row.name;
    case 'namespace': return row.namespace;
    case 'status': return row.status;
    case 'ready': return row.ready ? 1 : 0;
    case 'node': return row.node ?? '';
    case 'ips': return row.ips[0] ?? '';
    case 'guestOS': return row.guestOS ?? '';
    case 'age': return -Date.parse(row.createdAt) || 0;
  }
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

function compareValues(a: string | number, b: string | number): number {
  return typeof a === 'number' && typeof b === 'number' ? a - b : collator.compare(String(a), String(b));
}

/** Orders rows by the sort column, then by namespace/name so equal values keep a stable, predictable order. */
export function vmComparator(sort: VmSort): (a: VmRow, b: VmRow) => number {
  const sign = sort.direction === 'ascending' ? 1 : -1;
  return (a, b) => {
    const primary = compareValues(sortValue(a, sort.column), sortValue(b, sort.column));
    if (primary !== 0) return sign * primary;
    return compareValues(a.namespace, b.namespace) || compareValues(a.name, b.name);
  };
}

/** Every row in `sort` order: kept until the rows or the sort change, so a keystroke only filters. */
export function sortRows(rows: Iterable<VmRow>, sort: VmSort): VmRow[] {
  return [...rows].sort(vmComparator(sort));
}

/** The keys of the sorted rows that `query` shows, in order. */
export function filterKeys(sorted: readonly VmRow[], query: VmQuery): string[] {
  const matches = vmMatcher(query);
  return sorted.filter(matches).map((row) => row.key);
}

/**
 * Whether a change can move rows in or out of the shown list or reorder it.
 * When it cannot (a status flicker on a column not sorted by, say), the view
 * keeps its order and just redraws the rows it shows.
 */
export function changeNeedsReselect(change: InventoryChange, query: VmQuery, sort: VmSort): boolean {
  switch (change.kind) {
    case 'none':
    case 'status':
      return false;
    case 'reset':
      return true;
    case 'rows': {
      // New or removed rows also change the namespace and status choices.
      if (change.added.length > 0 || change.removed.length > 0) return true;
      const matches = vmMatcher(query);
      return change.updated.some(({ previous, next }) =>
        matches(previous) !== matches(next) || sortValue(previous, sort.column) !== sortValue(next, sort.column));
    }
  }
}

/** The distinct values of a field, sorted, for a filter's choices. */
export function distinctValues(rows: Iterable<VmRow>, field: 'namespace' | 'status'): string[] {
  const values = new Set<string>();
  for (const row of rows) values.add(row[field]);
  return [...values].sort(collator.compare);
}

/** Clicking a column header: a new column sorts ascending, the same one flips. */
export function toggleSort(current: VmSort, column: VmColumn): VmSort {
  if (current.column !== column) return { column, direction: 'ascending' };
  return { column, direction: current.direction === 'ascending' ? 'descending' : 'ascending' };
}

/** Age the way kubectl prints it: the largest whole unit, e.g. "45s", "12m", "3h", "20d", "2y". */
export function formatAge(createdAt: string, now: number): string {
  const created = Date.parse(createdAt);
  if (!Number.isFinite(created)) return '';
  const seconds = Math.max(0, Math.floor((now - created) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (days < 730) return `${days}d`;
  return `${Math.floor(days / 365)}y`;
}
