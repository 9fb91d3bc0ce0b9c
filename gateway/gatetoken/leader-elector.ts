// Runs the Lease decisions of lease.ts against the API server: try to acquire
// every retry period, renew while leading, give up leading when renewing has
// failed for the renew deadline (or someone else holds the lease), and hand
// the lease back on a clean stop.

import type { Logger } from '../log.ts';
import type { KubeClient } from './kube-client.ts';
import { KubeApiError } from './kube-client.ts';
import { decide, observe, released, type ElectionTiming, type LeaseSpec, type Observation } from './lease.ts';

export interface StoredLease {
  spec: LeaseSpec;
  resourceVersion: string;
}

/** One Lease object; create and update return the new resourceVersion, update fails on a stale one. */
export interface LeaseApi {
  get(): Promise<StoredLease | undefined>;
  create(spec: LeaseSpec): Promise<string>;
  update(spec: LeaseSpec, resourceVersion: string): Promise<string>;
}

interface LeaseObject {
  metadata: { resourceVersion: string };
  spec?: LeaseSpec;
}

export function kubeLeaseApi(client: KubeClient, namespace: string, name: string): LeaseApi {
  const collection = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  const item = `${collection}/${encodeURIComponent(name)}`;
  const body = (spec: LeaseSpec, resourceVersion?: string): object => ({
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace, ...(resourceVersion ? { resourceVersion } : {}) }, spec,
  });
  return {
    async get() {
      try {
        const lease = await client.request<LeaseObject>('GET', item);
        return { spec: lease.spec ?? {}, resourceVersion: lease.metadata.resourceVersion };
      } catch (error) {
        if (error instanceof KubeApiError && error.status === 404) return undefined;
        throw error;
      }
    },
    async create(spec) {
      return (await client.request<LeaseObject>('POST', collection, body(spec))).metadata.resourceVersion;
    },
    async update(spec, resourceVersion) {
      return (await client.request<LeaseObject>('PUT', item, body(spec, resourceVersion))).metadata.resourceVersion;
    },
  };
}

export type ElectionEnd = 'lost' | 'stopped';

export interface ElectorOptions {
  identity: string;
  timing: ElectionTiming;
  lease: LeaseApi;
  log: Logger;
  /** Unix milliseconds; Date.now by default. */
  now?: () => number;
}

export interface Elector {
  /** Resolves when this process becomes the leader; stays pending if it is stopped first. */
  readonly leading: Promise<void>;
  /** How election ended: leadership lost, or stop() called. */
  readonly done: Promise<ElectionEnd>;
  isLeader(): boolean;
  /** Stops campaigning, hands the lease back if held, and waits for that. */
  stop(): Promise<void>;
}

type Attempt = 'ok' | 'held' | 'failed';

export function startElector(options: ElectorOptions): Elector {
  const { identity, timing, lease, log } = options;
  const now = options.now ?? Date.now;
  const stopping = new AbortController();
  let observation: Observation | undefined;
  let resourceVersion: string | undefined;
  let leader = false;
  let lastHolder: string | undefined;
  let lastFailure: string | undefined;
  let becameLeader: () => void = () => undefined;
  const leading = new Promise<void>((resolve) => (becameLeader = resolve));

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (stopping.signal.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      function done(): void {
        clearTimeout(timer);
        stopping.signal.removeEventListener('abort', done);
        resolve();
      }
      stopping.signal.addEventListener('abort', done);
    });

  const attempt = async (): Promise<Attempt> => {
    try {
      const current = await lease.get();
      const at = now();
      observation = current ? observe(observation, current.spec, at) : undefined;
      resourceVersion = current?.resourceVersion;
      const decision = decide(observation, identity, at, timing);
      if (decision.action === 'wait') {
        if (decision.holder !== lastHolder) log.info({ holder: decision.holder }, 'the lease is held by another instance; waiting');
        lastHolder = decision.holder;
        return 'held';
      }
      resourceVersion = decision.action === 'create' ? await lease.create(decision.spec) : await lease.update(decision.spec, resourceVersion ?? '');
      observation = { spec: decision.spec, changedAt: at };
      lastFailure = undefined;
      return 'ok';
    } catch (error) {
      const message = (error as Error).message;
      // A missing permission would otherwise keep the controller a silent follower forever.
      if (message !== lastFailure) log.warn({ err: message }, 'lease attempt failed');
      lastFailure = message;
      return 'failed';
    }
  };

  /** The attempt, or 'failed' once `ms` has passed without an answer. */
  const attemptWithin = (ms: number): Promise<Attempt> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Attempt>((resolve) => (timer = setTimeout(() => resolve('failed'), Math.max(0, ms))));
    return Promise.race([attempt(), timeout]).finally(() => clearTimeout(timer));
  };

  const release = async (): Promise<void> => {
    if (!observation || resourceVersion === undefined) return;
    try {
      await lease.update(released(observation.spec, now()), resourceVersion);
      log.info('released the lease');
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'could not release the lease; followers take over once it expires');
    }
  };

  const run = async (): Promise<ElectionEnd> => {
    while (!stopping.signal.aborted) {
      if ((await attempt()) === 'ok') break;
      await sleep(timing.retryPeriodMs);
    }
    if (stopping.signal.aborted) return 'stopped';
    leader = true;
    log.info({ identity }, 'became the leader');
    becameLeader();
    let renewedAt = now();
    for (;;) {
      await sleep(timing.retryPeriodMs);
      if (stopping.signal.aborted) break;
      const outcome = await attemptWithin(renewedAt + timing.renewDeadlineMs - now());
      if (outcome === 'ok') {
        renewedAt = now();
        continue;
      }
      if (outcome === 'held' || now() - renewedAt >= timing.renewDeadlineMs) {
        leader = false;
        log.error({ identity, why: outcome === 'held' ? 'another instance holds the lease' : 'renewing failed for the renew deadline' }, 'lost the leadership');
        return 'lost';
      }
    }
    leader = false;
    await release();
    return 'stopped';
  };

  const done = run();
  return {
    leading,
    done,
    isLeader: () => leader,
    async stop() {
      stopping.abort();
      await done;
    },
  };
}
