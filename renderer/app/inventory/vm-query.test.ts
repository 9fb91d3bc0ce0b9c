import { describe, expect, it } from 'vitest';
import { vmRow } from './fixtures.test-support.ts';
import { changeNeedsReselect, DEFAULT_SORT, distinctValues, EMPTY_QUERY, filterKeys, formatAge, sortRows, toggleSort, vmComparator } from './vm-query.ts';
import type { VmQuery, VmSort } from './vm-query.ts';
import type { VmRow } from '../../../shared/desktop-api.ts';

/** What the VM browser shows: the rows sorted once, then filtered on each keystroke. */
const selectRows = (rows: VmRow[], query: VmQuery, sort: VmSort) => filterKeys(sortRows(rows, sort), query);

const rows: VmRow[] = [
  vmRow('web-10', 'team-a', { node: 'node-b', ips: ['10.1.0.10'], createdAt: '2024-03-01T00:00:00Z' }),
  vmRow('web-2', 'team-a', { status: 'Stopped', ready: false, running: false, node: undefined, ips: [], createdAt: '2024-02-01T00:00:00Z' }),
  vmRow('db-1', 'team-b', { guestOS: 'Ubuntu 22.04', node: 'node-a', createdAt: '2024-04-01T00:00:00Z' }),
  vmRow('web-1', 'team-b', { node: 'node-a', ips: ['10.2.0.1'], createdAt: '2024-01-01T00:00:00Z' }),
];

describe('sortRows and filterKeys', () => {
  it('sorts names naturally and breaks ties by namespace', () => {
    expect(selectRows(rows, EMPTY_QUERY, DEFAULT_SORT)).toEqual(['team-b/db-1', 'team-b/web-1', 'team-a/web-2', 'team-a/web-10']);
  });

  it('matches every search word anywhere in the searchable fields, ignoring case', () => {
    expect(selectRows(rows, { ...EMPTY_QUERY, text: 'WEB node-a' }, DEFAULT_SORT)).toEqual(['team-b/web-1']);
    expect(selectRows(rows, { ...EMPTY_QUERY, text: 'ubuntu' }, DEFAULT_SORT)).toEqual(['team-b/db-1']);
    expect(selectRows(rows, { ...EMPTY_QUERY, text: '10.1.0' }, DEFAULT_SORT)).toEqual(['team-a/web-10']);
    expect(selectRows(rows, { ...EMPTY_QUERY, text: 'nothing-like-this' }, DEFAULT_SORT)).toEqual([]);
  });

  it('filters by namespace and status together', () => {
    expect(selectRows(rows, { text: '', namespace: 'team-a', status: 'Running' }, DEFAULT_SORT)).toEqual(['team-a/web-10']);
  });

  it('sorts by age newest first when ascending, and flips', () => {
    const ascending = selectRows(rows, EMPTY_QUERY, { column: 'age', direction: 'ascending' });
    expect(ascending).toEqual(['team-b/db-1', 'team-a/web-10', 'team-a/web-2', 'team-b/web-1']);
    expect(selectRows(rows, EMPTY_QUERY, { column: 'age', direction: 'descending' })).toEqual([...ascending].reverse());
  });

  it('sorts rows without a node first', () => {
    expect(selectRows(rows, EMPTY_QUERY, { column: 'node', direction: 'ascending' })[0]).toBe('team-a/web-2');
  });

  // How fast this runs per keystroke is measured in `npm run bench:desktop`, not timed here.
  it('filters 10,000 rows by text and status', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => vmRow(`vm-${i}`, `ns-${i % 50}`, { status: i % 7 === 0 ? 'Stopped' : 'Running' }));
    const shown = selectRows(many, { text: 'vm-9', namespace: '', status: 'Running' }, { column: 'namespace', direction: 'descending' });
    expect(shown.length).toBe(many.filter((r) => r.name.includes('vm-9') && r.status === 'Running').length);
  });
});

describe('vmComparator', () => {
  it('gives a total order: equal only for the same row', () => {
    const compare = vmComparator({ column: 'status', direction: 'descending' });
    for (const a of rows) for (const b of rows) expect(compare(a, b) === 0).toBe(a === b);
  });
});

describe('changeNeedsReselect', () => {
  const sort = DEFAULT_SORT;
  it('reselects on reset, additions and removals', () => {
    expect(changeNeedsReselect({ kind: 'reset' }, EMPTY_QUERY, sort)).toBe(true);
    expect(changeNeedsReselect({ kind: 'rows', added: [rows[0]!], updated: [], removed: [] }, EMPTY_QUERY, sort)).toBe(true);
    expect(changeNeedsReselect({ kind: 'rows', added: [], updated: [], removed: [rows[0]!] }, EMPTY_QUERY, sort)).toBe(true);
  });

  it('only redraws when an update neither changes the filter outcome nor the sort value', () => {
    const previous = rows[0]!;
    const next = { ...previous, ips: ['10.9.9.9'] };
    expect(changeNeedsReselect({ kind: 'rows', added: [], updated: [{ previous, next }], removed: [] }, EMPTY_QUERY, sort)).toBe(false);
    expect(changeNeedsReselect({ kind: 'rows', added: [], updated: [{ previous, next }], removed: [] }, EMPTY_QUERY, { column: 'ips', direction: 'ascending' })).toBe(true);
  });

  it('reselects when an update moves a row in or out of the filter', () => {
    const previous = rows[0]!;
    const next = { ...previous, status: 'Stopped' };
    expect(changeNeedsReselect({ kind: 'rows', added: [], updated: [{ previous, next }], removed: [] }, { ...EMPTY_QUERY, status: 'Running' }, sort)).toBe(true);
  });

  it('never reselects for a state change', () => {
    expect(changeNeedsReselect({ kind: 'status' }, EMPTY_QUERY, sort)).toBe(false);
    expect(changeNeedsReselect({ kind: 'none' }, EMPTY_QUERY, sort)).toBe(false);
  });
});

describe('distinctValues and toggleSort', () => {
  it('lists each namespace and status once, sorted', () => {
    expect(distinctValues(rows, 'namespace')).toEqual(['team-a', 'team-b']);
    expect(distinctValues(rows, 'status')).toEqual(['Running', 'Stopped']);
  });

  it('sorts a new column ascending and flips the current one', () => {
    expect(toggleSort(DEFAULT_SORT, 'node')).toEqual({ column: 'node', direction: 'ascending' });
    expect(toggleSort(DEFAULT_SORT, 'name')).toEqual({ column: 'name', direction: 'descending' });
  });
});

describe('formatAge', () => {
  const created = '2024-01-01T00:00:00Z';
  const at = (seconds: number) => Date.parse(created) + seconds * 1000;
  it('uses the largest whole unit like kubectl', () => {
    expect(formatAge(created, at(45))).toBe('45s');
    expect(formatAge(created, at(119))).toBe('119s');
    expect(formatAge(created, at(12 * 60))).toBe('12m');
    expect(formatAge(created, at(3 * 3600))).toBe('3h');
    expect(formatAge(created, at(20 * 86_400))).toBe('20d');
    expect(formatAge(created, at(800 * 86_400))).toBe('2y');
  });

  it('shows 0s for a clock slightly behind, and nothing for a bad date', () => {
    expect(formatAge(created, at(-5))).toBe('0s');
    expect(formatAge('not a date', at(0))).toBe('');
  });
});
