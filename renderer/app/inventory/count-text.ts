// The VM count beside the search box. While main is still paging the lists in,
// the rows shown are only part of the context's VMs, so the count says so.
import type { InventoryState } from '../../../shared/desktop-api.ts';

/** "120 of 1,500 VMs · loading…", "Loading…" before the first page, "· reconnecting…" while the watch is down. */
export function countText(shown: number, total: number, state: InventoryState, locale?: string): string {
  if (state === 'loading' && total === 0) return 'Loading…';
  const counted = `${shown.toLocaleString(locale)} of ${total.toLocaleString(locale)} VMs`;
  if (state === 'loading') return `${counted} · loading…`;
  if (state === 'reconnecting') return `${counted} · reconnecting…`;
  return counted;
}
