// One context's live VM list: VirtualMachines and VirtualMachineInstances each
// listed page by page and then watched, joined row by row as objects arrive
// (O(changes), never a full rejoin), and sent as deltas — a reset with the
// first page of VMs, then upserts and removals batched, so the first rows show
// at once and 10,000 VMs do not flood the renderer. The state stays `loading`
// until every page of both lists is in.
import type { DesktopError, InventoryEvent, VmRow } from '../../shared/desktop-api.ts';
import { vmiListPath, vmListPath } from '../../shared/kubevirt-paths.ts';
import { toDesktopError } from './errors.ts';
import { httpStatusOf, type KubeClient, type KubeObject } from './kube-client.ts';
import { defaultPageSizes, defaultWatchTuning, listPaged, watchFrom, type PageSizes, type WatchTuning } from './list-watch.ts';
import { joinVmRow, rowKey } from './vm-row.ts';

export interface InventoryOptions {
  batchMs?: number;
  tuning?: WatchTuning;
  pageSizes?: PageSizes;
  /**
   * false: the way before streaming — VMs then VMIs listed in full, one reset
   * at the end. Kept only as the benchmark's baseline.
   */
  stream?: boolean;
}

export interface Inventory {
  readonly context: string;
  /** The current rows (after the first reset). */
  rows(): VmRow[];
  row(namespace: string, name: string): VmRow | undefined;
  stop(): void;
}

type Scope = { kind: 'cluster' } | { kind: 'namespace'; namespace: string };

type Listing = { scope: Scope; resourceVersion: string } | { error: unknown };

/**
 * Lists one kind page by page, cluster-wide or, when that is forbidden, in the
 * context's namespace; each page is handed over with the scope it came from.
 */
async function listInScope(client: KubeClient, pathFor: (namespace?: string) => string, sizes: PageSizes, onPage: (items: KubeObject[], scope: Scope) => void, onRestart: () => void, preferred?: Scope): Promise<Listing> {
  const namespace = client.namespace ?? 'default';
  const scopes: Scope[] = preferred ? [preferred] : [{ kind: 'cluster' }, { kind: 'namespace', namespace }];
  let lastError: unknown;
  for (const scope of scopes) {
    let pages = 0;
    try {
      const { resourceVersion } = await listPaged(client, pathFor(scope.kind === 'cluster' ? undefined : scope.namespace), {
        onPage: (items) => {
          pages++;
          onPage(items, scope);
        },
        onRestart,
      }, sizes);
      return { scope, resourceVersion };
    } catch (error) {
      lastError = error;
      if (pages > 0 || httpStatusOf(error) !== 403) break;
    }
  }
  return { error: lastError };
}

export function startInventory(client: KubeClient, emit: (event: InventoryEvent) => void, options: InventoryOptions = {}): Inventory {
  const context = client.context;
  const batchMs = options.batchMs ?? 100;
  const tuning = options.tuning ?? defaultWatchTuning;
  const stream = options.stream ?? true;
  const pageSizes = options.pageSizes ?? (stream ? defaultPageSizes : { first: 500, rest: 500 });
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

  /** Pages of one kind: stored, their rows refreshed; the keys named since the list (re)started, to sweep at the end. */
  const pagesInto = (store: Map<string, KubeObject>) => {
    const named = new Set<string>();
    return {
      onPage: (items: KubeObject[]) => {
        for (const item of items) {
          const key = rowKey(item);
          store.set(key, item);
          named.add(key);
          refresh(key, true);
        }
      },
      onRestart: () => named.clear(),
      /** After the last page: what the list did not name was deleted before it was taken. */
      sweep: () => {
        for (const key of [...store.keys()]) {
          if (named.has(key)) continue;
          store.delete(key);
          refresh(key, true);
        }
        named.clear();
      },
    };
  };

  let resetSent = false;
  /** Sends what changed since the last delta: the first time as the reset the renderer starts from. */
  const sendRows = () => {
    if (resetSent) {
      schedule();
      return;
    }
    resetSent = true;
    upserts.clear();
    removes.clear();
    emit({ kind: 'reset', context, rows: [...rows.values()] });
  };

  const start = async () => {
    emit({ kind: 'state', context, state: 'loading' });
    const vmPages = pagesInto(vms);
    const vmiPages = pagesInto(vmis);
    // A person who may list VMs but not VMIs still gets rows, without the VMI details.
    const listVmis = (scope: Scope) => listInScope(client, vmiListPath, pageSizes, (items) => {
      if (stopped) return;
      vmiPages.onPage(items);
      if (stream) sendRows();
    }, vmiPages.onRestart, scope);
    let vmiListing: Promise<Listing> | undefined;
    const vmListing = await listInScope(client, vmListPath, pageSizes, (items, pageScope) => {
      if (stopped) return;
      vmPages.onPage(items);
      if (!stream) return;
      // VMIs are listed beside the VMs as soon as the first page says where the person may list.
      vmiListing ??= listVmis(pageScope);
      sendRows();
    }, vmPages.onRestart);
    if (stopped) return;
    if ('error' in vmListing) {
      stopped = true;
      clearTimeout(flushTimer);
      const error = toDesktopError(vmListing.error, context);
      emit({ kind: 'state', context, state: 'error', error: httpStatusOf(vmListing.error) === 403 ? { ...error, message: `you may not list virtual machines in context "${context}": ${error.message}` } : error });
      return;
    }
    scope = vmListing.scope;
    vmPages.sweep();
    const vmiListed = await (vmiListing ?? listVmis(scope));
    if (stopped) return;
    // A VMI list that failed part-way leaves no half-known details behind (and is not watched).
    if ('error' in vmiListed) vmiPages.onRestart();
    vmiPages.sweep();
    sendRows();
    clearTimeout(flushTimer);
    flush();
    emit({ kind: 'state', context, state: 'live', scope });
    const namespace = scope.kind === 'cluster' ? undefined : scope.namespace;
    watches.push(watchFrom(client, vmListPath(namespace), vmListing, handlersFor(vms, 'vm'), tuning));
    if ('scope' in vmiListed) watches.push(watchFrom(client, vmiListPath(namespace), vmiListed, handlersFor(vmis, 'vmi'), tuning));
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
