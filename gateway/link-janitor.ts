// Removes the state expired links leave behind in the gateway's namespace: use
// counters (ConfigMaps gatepass-uses-*) and entries of gatepass-revoked. One
// replica at a time sweeps, the holder of the Lease gatepass-janitor, so a
// busy cluster is neither left with thousands of objects nor asked to delete
// each of them by every replica. Correctness does not rest on the Lease: a
// counter is deleted only at the resourceVersion it was judged at and the
// revocation list is written only over the version it was read at, so two
// sweepers at once (a Lease handover) lose nothing.

import type { Logger } from './log.ts';
import { createKubeClient } from './gatetoken/kube-client.ts';
import { kubeLeaseApi, startElector, type Elector } from './gatetoken/leader-elector.ts';
import type { ElectionTiming } from './gatetoken/lease.ts';
import { expiredCounters, pruneRevocations, type CounterObject } from './link-expiry.ts';
import { revocationConfigMap } from './revocations.ts';
import type { Upstream } from './upstream.ts';

export const JANITOR_LEASE = 'gatepass-janitor';
export const USE_COUNTER_SELECTOR = 'app.kubernetes.io/managed-by=gatepass-gateway,gatepass.io/kind=use-counter';
const PAGE = 500;

export type RemovedKind = 'use-counter' | 'revocation';

export interface SweepOptions {
  upstream: Upstream;
  namespace: string;
  /** How long past a link's expiry its state stays: at least the clock skew the verifier allows. */
  graceMs: number;
  log: Logger;
  now: () => number;
  /** Checked before every write: a sweep stops as soon as this replica should no longer sweep. */
  mayContinue: () => boolean;
}

export interface SweepResult {
  removed: Record<RemovedKind, number>;
  /** Objects or entries whose expiry cannot be read, which are therefore kept. */
  unreadable: Record<RemovedKind, number>;
}

/** One pass over the namespace: delete expired counters, then prune the revocation list. */
export async function sweep(options: SweepOptions): Promise<SweepResult> {
  const result: SweepResult = { removed: { 'use-counter': 0, revocation: 0 }, unreadable: { 'use-counter': 0, revocation: 0 } };
  await sweepCounters(options, result);
  if (options.mayContinue()) await pruneRevocationList(options, result);
  return result;
}

function collectionOf(namespace: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`;
}

async function sweepCounters(options: SweepOptions, result: SweepResult): Promise<void> {
  const { upstream, log } = options;
  const collection = collectionOf(options.namespace);
  let next: string | undefined;
  do {
    const query = new URLSearchParams({ labelSelector: USE_COUNTER_SELECTOR, limit: String(PAGE), ...(next ? { continue: next } : {}) });
    const listed = await upstream.call({ method: 'GET', path: `${collection}?${query}` });
    if (listed.status !== 200) {
      log.warn({ status: listed.status }, 'cannot list the use counters; trying again next round');
      return;
    }
    const page = JSON.parse(listed.body) as { metadata?: { continue?: string }; items?: CounterObject[] };
    const { expired, unreadable } = expiredCounters(page.items ?? [], options.now(), options.graceMs);
    result.unreadable['use-counter'] += unreadable;
    for (const counter of expired) {
      if (!options.mayContinue()) return;
      const deleted = await upstream.call({
        method: 'DELETE',
        path: `${collection}/${encodeURIComponent(counter.name)}`,
        body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion: counter.resourceVersion, ...(counter.uid ? { uid: counter.uid } : {}) } },
      });
      if (deleted.status === 200 || deleted.status === 202) result.removed['use-counter']++;
      // 404: another sweeper was first. 409: counted since it was listed, so judged on stale data; next round decides again.
      else if (deleted.status !== 404 && deleted.status !== 409) log.warn({ counter: counter.name, status: deleted.status }, 'cannot delete an expired use counter');
    }
    next = page.metadata?.continue || undefined;
  } while (next !== undefined);
}

async function pruneRevocationList(options: SweepOptions, result: SweepResult): Promise<void> {
  const { upstream, log } = options;
  const path = `${collectionOf(options.namespace)}/${revocationConfigMap}`;
  const current = await upstream.call({ method: 'GET', path });
  if (current.status === 404) return;
  if (current.status !== 200) {
    log.warn({ status: current.status }, `cannot read ${revocationConfigMap}; trying again next round`);
    return;
  }
  const object = JSON.parse(current.body) as { metadata?: { resourceVersion?: string }; data?: Record<string, string> };
  const { kept, pruned, unreadable } = pruneRevocations(object.data ?? {}, options.now(), options.graceMs);
  result.unreadable.revocation = unreadable;
  if (pruned === 0 || !options.mayContinue() || !object.metadata?.resourceVersion) return;
  // The PUT carries the resourceVersion that was read: a revocation added meanwhile makes it a 409, never a loss.
  const written = await upstream.call({ method: 'PUT', path, body: { ...object, data: kept } });
  if (written.status === 200) result.removed.revocation += pruned;
  else if (written.status === 409) log.debug(`${revocationConfigMap} changed while it was pruned; trying again next round`);
  else log.warn({ status: written.status }, `cannot prune ${revocationConfigMap}`);
}

export interface JanitorOptions {
  upstream: Upstream;
  namespace: string;
  /** This replica's name in the Lease; unique per process. */
  identity: string;
  intervalMs: number;
  graceMs: number;
  timing: ElectionTiming;
  log: Logger;
  onRemoved?: (kind: RemovedKind, count: number) => void;
}

export interface LinkJanitor {
  /** Stops sweeping, then hands the Lease back. */
  stop(): Promise<void>;
}

/**
 * Campaigns for the Lease and, while holding it, sweeps at once and then every
 * interval. A lost Lease ends the sweeping and the campaign starts again: the
 * gateway keeps serving either way.
 */
export function startLinkJanitor(options: JanitorOptions): LinkJanitor {
  const log = options.log.child({ component: 'link-janitor' });
  const client = createKubeClient(options.upstream);
  const stopping = new AbortController();
  let elector: Elector | undefined;
  let sweeping: Promise<void> = Promise.resolve();
  let reported = { 'use-counter': 0, revocation: 0 };

  const pause = (ms: number, until: Promise<unknown>): Promise<unknown> =>
    Promise.race([until, new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        stopping.signal.removeEventListener('abort', done);
        resolve();
      }
      stopping.signal.addEventListener('abort', done);
    })]);

  const sweepWhile = async (leading: Elector): Promise<void> => {
    const mayContinue = (): boolean => leading.isLeader() && !stopping.signal.aborted;
    while (mayContinue()) {
      try {
        const { removed, unreadable } = await sweep({ upstream: options.upstream, namespace: options.namespace, graceMs: options.graceMs, log, now: Date.now, mayContinue });
        for (const kind of ['use-counter', 'revocation'] as const) if (removed[kind] > 0) options.onRemoved?.(kind, removed[kind]);
        if (removed['use-counter'] + removed.revocation > 0) log.info({ useCounters: removed['use-counter'], revocations: removed.revocation }, 'removed the state of expired links');
        // Counts only, and once per change: a revocation key may be anything an operator pasted, a token included.
        if (unreadable['use-counter'] !== reported['use-counter'] || unreadable.revocation !== reported.revocation) {
          if (unreadable['use-counter'] + unreadable.revocation > 0) {
            log.warn({ useCounters: unreadable['use-counter'], revocations: unreadable.revocation }, 'kept link state whose expiry is not an RFC 3339 time; remove it by hand once its link has expired');
          }
          reported = unreadable;
        }
      } catch (error) {
        log.warn({ err: (error as Error).message }, 'the sweep failed; trying again next round');
      }
      await pause(options.intervalMs, leading.done);
    }
  };

  const campaign = async (): Promise<void> => {
    while (!stopping.signal.aborted) {
      const current = startElector({ identity: options.identity, timing: options.timing, lease: kubeLeaseApi(client, options.namespace, JANITOR_LEASE), log });
      elector = current;
      const leads = await Promise.race([current.leading.then(() => true), current.done.then(() => false)]);
      if (leads) {
        sweeping = sweepWhile(current);
        await sweeping;
      }
      if ((await current.done) === 'stopped') return;
      log.warn('lost the janitor Lease; campaigning again');
    }
  };
  const running = campaign();

  return {
    async stop() {
      stopping.abort();
      // The sweep in flight ends first, so the Lease is never handed over while this replica still writes.
      await sweeping;
      await elector?.stop();
      await running;
    },
  };
}
