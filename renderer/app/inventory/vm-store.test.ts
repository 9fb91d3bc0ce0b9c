import { describe, expect, it } from 'vitest';
import { vmRow } from './fixtures.test-support.ts';
import { VmStore } from './vm-store.ts';

describe('VmStore', () => {
  it('replaces everything on reset and reports it', () => {
    const store = new VmStore('admin');
    store.apply({ kind: 'reset', context: 'admin', rows: [vmRow('a', 'x'), vmRow('b', 'x')] });
    const change = store.apply({ kind: 'reset', context: 'admin', rows: [vmRow('c', 'y')] });
    expect(change).toEqual({ kind: 'reset' });
    expect([...store.rows.keys()]).toEqual(['y/c']);
  });

  it('tells added rows from updated ones on upsert, keeping the previous version', () => {
    const store = new VmStore('admin');
    const before = vmRow('a', 'x', { status: 'Stopped' });
    store.apply({ kind: 'reset', context: 'admin', rows: [before] });
    const after = vmRow('a', 'x', { status: 'Running' });
    const added = vmRow('b', 'x');
    const change = store.apply({ kind: 'upsert', context: 'admin', rows: [after, added] });
    expect(change).toEqual({ kind: 'rows', added: [added], updated: [{ previous: before, next: after }], removed: [] });
    expect(store.rows.get('x/a')?.status).toBe('Running');
  });

  it('removes known keys and ignores unknown ones', () => {
    const store = new VmStore('admin');
    const a = vmRow('a', 'x');
    store.apply({ kind: 'reset', context: 'admin', rows: [a, vmRow('b', 'x')] });
    expect(store.apply({ kind: 'remove', context: 'admin', keys: ['x/a', 'x/zzz'] })).toEqual({ kind: 'rows', added: [], updated: [], removed: [a] });
    expect(store.apply({ kind: 'remove', context: 'admin', keys: ['x/zzz'] })).toEqual({ kind: 'none' });
    expect([...store.rows.keys()]).toEqual(['x/b']);
  });

  it('ignores events of another context', () => {
    const store = new VmStore('admin');
    expect(store.apply({ kind: 'reset', context: 'viewer', rows: [vmRow('a', 'x')] })).toEqual({ kind: 'none' });
    expect(store.rows.size).toBe(0);
  });

  it('tracks the list state, keeping the scope until a new one arrives', () => {
    const store = new VmStore('viewer');
    expect(store.status.state).toBe('loading');
    store.apply({ kind: 'state', context: 'viewer', state: 'live', scope: { kind: 'namespace', namespace: 'team-a' } });
    store.apply({ kind: 'state', context: 'viewer', state: 'reconnecting' });
    expect(store.status).toEqual({ state: 'reconnecting', scope: { kind: 'namespace', namespace: 'team-a' }, error: undefined });
    const error = { code: 'unreachable' as const, message: 'connection refused' };
    store.apply({ kind: 'state', context: 'viewer', state: 'error', error });
    expect(store.status.error).toEqual(error);
  });

  it('takes the pages of a list as they come: the first as the reset, the rest as added rows, loading until the state says live', () => {
    const store = new VmStore('admin');
    const page = (from: number, count: number) => Array.from({ length: count }, (_, i) => vmRow(`vm-${from + i}`, 'x'));
    store.apply({ kind: 'state', context: 'admin', state: 'loading' });
    expect(store.apply({ kind: 'reset', context: 'admin', rows: page(0, 100) })).toEqual({ kind: 'reset' });
    expect(store.rows.size).toBe(100);
    expect(store.status.state).toBe('loading');
    const second = store.apply({ kind: 'upsert', context: 'admin', rows: page(100, 250) });
    expect(second.kind === 'rows' && [second.added.length, second.updated.length]).toEqual([250, 0]);
    const joined = store.apply({ kind: 'upsert', context: 'admin', rows: [vmRow('vm-3', 'x', { node: 'node-9' })] });
    expect(joined.kind === 'rows' && joined.updated.map((u) => u.next.node)).toEqual(['node-9']);
    expect(store.rows.size).toBe(350);
    expect(store.status.state).toBe('loading');
    store.apply({ kind: 'state', context: 'admin', state: 'live', scope: { kind: 'cluster' } });
    expect(store.status).toEqual({ state: 'live', scope: { kind: 'cluster' }, error: undefined });
  });
});
