// The VM list of one context, kept as a Map and changed by the deltas main
// sends. Each event reports what changed, so the view can decide whether its
// filtered, sorted order must be rebuilt or only the visible rows redrawn.

import type { DesktopError, InventoryEvent, InventoryState, VmRow } from '../../../shared/desktop-api.ts';

export type InventoryScope = { kind: 'cluster' } | { kind: 'namespace'; namespace: string };

export interface InventoryStatus {
  state: InventoryState;
  scope: InventoryScope | undefined;
  error: DesktopError | undefined;
}

export type InventoryChange =
  | { kind: 'none' }
  | { kind: 'status' }
  | { kind: 'reset' }
  | { kind: 'rows'; added: VmRow[]; updated: Array<{ previous: VmRow; next: VmRow }>; removed: VmRow[] };

export class VmStore {
  readonly rows = new Map<string, VmRow>();
  status: InventoryStatus = { state: 'loading', scope: undefined, error: undefined };
  #context: string;

  constructor(context: string) {
    this.#context = context;
  }

  get context(): string {
    return this.#context;
  }

  /** Applies one event; events of another context (a switch still in flight) change nothing. */
  apply(event: InventoryEvent): InventoryChange {
    if (event.context !== this.#context) return { kind: 'none' };
    switch (event.kind) {
      case 'reset':
        this.rows.clear();
        for (const row of event.rows) this.rows.set(row.key, row);
        return { kind: 'reset' };
      case 'upsert': {
        const added: VmRow[] = [];
        const updated: Array<{ previous: VmRow; next: VmRow }> = [];
        for (const row of event.rows) {
          const previous = this.rows.get(row.key);
          this.rows.set(row.key, row);
          if (previous === undefined) added.push(row);
          else updated.push({ previous, next: row });
        }
        return { kind: 'rows', added, updated, removed: [] };
      }
      case 'remove': {
        const removed: VmRow[] = [];
        for (const key of event.keys) {
          const previous = this.rows.get(key);
          if (previous === undefined) continue;
          this.rows.delete(key);
          removed.push(previous);
        }
        return removed.length === 0 ? { kind: 'none' } : { kind: 'rows', added: [], updated: [], removed };
      }
      case 'state':
        this.status = { state: event.state, scope: event.scope ?? this.status.scope, error: event.error };
        return { kind: 'status' };
    }
  }
}
