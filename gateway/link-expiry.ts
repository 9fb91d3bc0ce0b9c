// What the link janitor may remove: the use counters and revocation entries of
// links that have expired. Pure: the caller brings the clock and the objects.
//
// A link is refused once `exp` + the gateway's clock skew has passed, so its
// counter can no longer be counted and its revocation no longer matters. The
// caller's grace adds to that the clock difference between replicas; a time
// that cannot be read is never taken as "expired".
import { parseFrom } from '../shared/claims.ts';

/** The annotation a use counter carries: its link's expiry, RFC 3339. */
export const EXPIRES_ANNOTATION = 'gatepass.io/expires';

/** Unix milliseconds of an RFC 3339 time, or undefined. */
export function parseExpiry(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseFrom(text);
  } catch {
    return undefined;
  }
}

export type Verdict = 'expired' | 'live' | 'unreadable';

export function verdict(expiry: string | undefined, now: number, graceMs: number): Verdict {
  const at = parseExpiry(expiry);
  if (at === undefined) return 'unreadable';
  return at + graceMs < now ? 'expired' : 'live';
}

export interface CounterObject {
  metadata?: { name?: string; uid?: string; resourceVersion?: string; annotations?: Record<string, string> };
}

/** A counter to delete, with what it was when judged: the delete is refused if it changed since. */
export interface ExpiredCounter {
  name: string;
  uid?: string;
  resourceVersion: string;
}

export function expiredCounters(items: readonly CounterObject[], now: number, graceMs: number): { expired: ExpiredCounter[]; unreadable: number } {
  const expired: ExpiredCounter[] = [];
  let unreadable = 0;
  for (const item of items) {
    const { name, uid, resourceVersion, annotations } = item.metadata ?? {};
    const judged = verdict(annotations?.[EXPIRES_ANNOTATION], now, graceMs);
    if (judged === 'unreadable' || !name || !resourceVersion) unreadable++;
    else if (judged === 'expired') expired.push({ name, resourceVersion, ...(uid ? { uid } : {}) });
  }
  return { expired, unreadable };
}

export interface RevocationPruning {
  /** The entries to keep: live ones and ones whose expiry cannot be read. */
  kept: Record<string, string>;
  pruned: number;
  unreadable: number;
}

/** `gatepass-revoked` is token id → that token's expiry (RFC 3339). */
export function pruneRevocations(data: Readonly<Record<string, string>>, now: number, graceMs: number): RevocationPruning {
  const kept: Record<string, string> = {};
  let pruned = 0;
  let unreadable = 0;
  for (const [id, expiry] of Object.entries(data)) {
    const judged = verdict(expiry, now, graceMs);
    if (judged === 'expired') {
      pruned++;
      continue;
    }
    if (judged === 'unreadable') unreadable++;
    kept[id] = expiry;
  }
  return { kept, pruned, unreadable };
}
