// One context's live VM list: VirtualMachines and VirtualMachineInstances each
// listed and watched, joined row by row as changes arrive (O(changes), never a
// full rejoin), and sent as deltas — one reset, then upserts and removals
// batched, so 10,000 VMs do not flood the renderer.
import type { DesktopError, InventoryEvent, VmRow } from '../../shared/desktop-api.ts';
import { vmiListPath, vmListPath } from '../../shared/kubevirt-paths.ts';
import { toDesktopError } from './errors.ts';
import { httpStatusOf, type KubeClient, type KubeObject } from './kube-client.ts';
import { listAll, watchFrom, defaultWatchTuning, type Listed, type WatchTuning } from './list-watch.ts';
import { joinVmRow, rowKey } from './vm-row.ts';

export interface InventoryOptions {
  batchMs?: number;
  tuning?: WatchTuning;
}

export interface Inventory {
  readonly context: string;
  /** The current rows (after the first reset). */
  rows(): VmRow[];
  row(namespace: string, name: string): VmRow | undefined;
  stop(): void;
}

type Scope = { kind: 'cluster' } | { kind: 'namespace'; namespace: string };

/** A cluster-wide list, or the context's namespace when that is forbidden; undefined when both are. */
async function listInScope(client: KubeClient, pathFor: (namespace?: string) => string, preferred?: Scope): Promise<{ scope: Scope; listed: Listed } | { error: unknown }> {
  const namespace = client.namespace ?? 'default';
  const scopes: Scope[] = preferred ? [preferred] : [{ kind: 'cluster' }, { kind: 'namespace', namespace }];
  let lastError: unknown;
  for (const scope of scopes) {
    try {
      return { scope, listed: await listAll(client, pathFor(scope.kind === 'cluster' ? undefined : scope.namespace)) };
    } catch (error) {
      lastError = error;
      if (httpStatusOf(error) !== 403) break;
    }
  }
  return { error: lastError };
}

export function startInventory(client: KubeClient, emit: (event: InventoryEvent) => void, options: InventoryOptions = {}): Inventory {
  const context = client.context;
  const batchMs = options.batchMs ?? 100;
  const tuning = options.tuning ?? defaultWatchTuning;
  const vms = new Map<string, KubeObject>();
  const vmis = new Map<string, KubeObject>();
  const rows = new Map<string, VmRow>();
  const rowJson = new Map<string, string>();
  const upserts = new Map<string, VmRow>();
  const removes = new Set<string>();
  const watches: { stop(): void }[] = [];
  let flushTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  let scope: Scope | undefined;
  const states = { vm: 'live' as 'live' | 'reconnecting', vmi: 'live' as 'live' | 'reconnecting' };

  const flush = () => {
    flushTimer = undefined;
    if (stopped) return;
    if (removes.size > 0) emit({ kind: 'remove', context, keys: [...removes] });
    if (upserts.size > 0) emit({ kind: 'upsert', context, rows: [...upserts.values()] });
    removes.clear();
    upserts.clear();
  };
  const schedule = () => {
    flushTimer ??= setTimeout(flush, batchMs);
  };

  /** Recomputes one row; queues a delta only when what the renderer sees changed. */
  const refresh = (key: string, quiet = false) => {
    const row = joinVmRow(vms.get(key), vmis.get(key));
    if (!row) {
      if (!rows.delete(key)) return;
      rowJson.delete(key);
      upserts.delete(key);
      removes.add(key);
    } else {
      const json = JSON.stringify(row);
      if (rowJson.get(key) === json) return;
      rows.set(key, row);
      rowJson.set(key, json);
      removes.delete(key);
      upserts.set(key, row);
    }
    if (!quiet) schedule();
  };

  const replaceAll = (store: Map<string, KubeObject>, items: KubeObject[]) => {
    const touched = new Set(store.keys());
    store.clear();
    for (const item of items) {
      const key = rowKey(item);
      store.set(key, item);
      touched.add(key);
    }
    for (const key of touched) refresh(key);
  };

  const handlersFor = (store: Map<string, KubeObject>, which: 'vm' | 'vmi') => ({
    onRelist: (items: KubeObject[]) => replaceAll(store, items),
    onEvent: (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject) => {
      const key = rowKey(object);
      if (type === 'DELETED') store.delete(key);
      else store.set(key, object);
      refresh(key);
    },
    onState: (state: 'live' | 'reconnecting', error?: DesktopError) => {
      if (states[which] === state && !error) return;
      states[which] = state;
      const overall = states.vm === 'live' && states.vmi === 'live' ? 'live' : 'reconnecting';
      emit({ kind: 'state', context, state: overall, ...(scope ? { scope } : {}), ...(error && overall !== 'live' ? { error } : {}) });
    },
  });

  const start = async () => {
    emit({ kind: 'state', context, state: 'loading' });
    const vmList = await listInScope(client, vmListPath);
    if (stopped) return;
    if ('error' in vmList) {
      const error = toDesktopError(vmList.error, context);
      emit({ kind: 'state', context, state: 'error', error: httpStatusOf(vmList.error) === 403 ? { ...error, message: `you may not list virtual machines in context "${context}": ${error.message}` } : error });
      return;
    }
    scope = vmList.scope;
    // A person who may list VMs but not VMIs still gets rows, without the VMI details.
    const vmiList = await listInScope(client, vmiListPath, scope);
    if (stopped) return;
    for (const item of vmList.listed.items) vms.set(rowKey(item), item);
    if ('listed' in vmiList) for (const item of vmiList.listed.items) vmis.set(rowKey(item), item);
    for (const key of new Set([...vms.keys(), ...vmis.keys()])) refresh(key, true);
    upserts.clear();
    removes.clear();
    emit({ kind: 'reset', context, rows: [...rows.values()] });
    emit({ kind: 'state', context, state: 'live', scope });
    const namespace = scope.kind === 'cluster' ? undefined : scope.namespace;
    watches.push(watchFrom(client, vmListPath(namespace), vmList.listed, handlersFor(vms, 'vm'), tuning));
    if ('listed' in vmiList) watches.push(watchFrom(client, vmiListPath(namespace), vmiList.listed, handlersFor(vmis, 'vmi'), tuning));
  };
  start().catch((error: unknown) => {
    if (!stopped) emit({ kind: 'state', context, state: 'error', error: toDesktopError(error, context) });
  });

  return {
    context,
    rows: () => [...rows.values()],
    row: (namespace, name) => rows.get(`${namespace}/${name}`),
    stop() {
      stopped = true;
      clearTimeout(flushTimer);
      for (const watch of watches) watch.stop();
    },
  };
}
