// Which gateway replica holds a VMI's console (serial or VNC, one Lease each), as
// a coordination.k8s.io Lease in the gateway's namespace: KubeVirt gives a
// console to the newest connection, so a replica that opened it without asking
// would push another replica's viewers off. The Lease is written with the resourceVersion
// it was read at, so two replicas claiming at once cannot both win; its holder
// renews it while the session lives and deletes it at the end, and a Lease
// not renewed within its duration (a replica that crashed) is free.

import type { ConsoleKind } from '../../shared/kubevirt-paths.ts';
import { microTime, type LeaseSpec } from '../gatetoken/lease.ts';
import type { Upstream } from '../upstream.ts';

/** The Lease of one VMI's console of a kind: `kubectl get leases -n <gateway namespace>` lists them by VMI. */
export function consoleLeaseName(kind: ConsoleKind, namespace: string, name: string): string {
  return `gatepass-${kind}.${namespace}.${name}`;
}

export function consoleLeaseLabels(kind: ConsoleKind): Record<string, string> {
  return { 'app.kubernetes.io/managed-by': 'gatepass-gateway', 'gatepass.io/kind': `${kind}-console` };
}
/** Where the holder serves (`POD_IP:port`): replicas forward the console's other viewers there. */
export const SERVING_ADDRESS_ANNOTATION = 'gatepass.io/serving-address';

export interface StoredConsoleLease {
  spec: LeaseSpec;
  resourceVersion: string;
  /** Where its holder serves (`host:port`), for another replica to forward viewers to. */
  servingAddress?: string;
}

/** Who holds the console now, or undefined when nobody does (no holder, or the Lease ran out unrenewed). */
export function liveHolder(spec: LeaseSpec, now: number): string | undefined {
  const holder = spec.holderIdentity;
  if (!holder) return undefined;
  const renewed = Date.parse(spec.renewTime ?? spec.acquireTime ?? '');
  if (Number.isNaN(renewed)) return undefined;
  return renewed + (spec.leaseDurationSeconds ?? 0) * 1000 > now ? holder : undefined;
}

/** The spec `identity` writes to take (or renew) the Lease. */
export function claimSpec(identity: string, now: number, durationMs: number, previous?: LeaseSpec): LeaseSpec {
  const mine = previous?.holderIdentity === identity;
  return {
    holderIdentity: identity,
    leaseDurationSeconds: Math.max(1, Math.ceil(durationMs / 1000)),
    acquireTime: mine && previous?.acquireTime ? previous.acquireTime : microTime(now),
    renewTime: microTime(now),
    leaseTransitions: (previous?.leaseTransitions ?? 0) + (previous && !mine ? 1 : 0),
  };
}

/** The Lease API answered something other than what a claim expects. */
export class ConsoleLeaseError extends Error {
  override readonly name = 'ConsoleLeaseError';
  constructor(readonly status: number) {
    super(`the Lease API answered HTTP ${status}`);
  }
}

export interface ConsoleLeaseApi {
  read(namespace: string, name: string): Promise<StoredConsoleLease | undefined>;
  /** Creates the Lease (no `current`) or takes it over at `current`'s version; 'conflict' when someone wrote it first. */
  take(namespace: string, name: string, current: StoredConsoleLease | undefined): Promise<StoredConsoleLease | 'conflict'>;
  /** Renews a Lease this replica holds; 'lost' when someone else has written it since. */
  renew(namespace: string, name: string, held: StoredConsoleLease): Promise<StoredConsoleLease | 'lost'>;
  /** Deletes the Lease only if it is still the version this replica wrote. */
  release(namespace: string, name: string, held: StoredConsoleLease): Promise<void>;
}

export interface ConsoleLeaseSettings {
  kind: ConsoleKind;
  /** The gateway's namespace. */
  namespace: string;
  identity: string;
  /** Asked at each write: the port is known only once the gateway listens. */
  servingAddress: () => string;
  /** `namespace/name` of this replica's pod (downward API), for an operator to find the holder. */
  pod?: string;
  durationMs: number;
  now?: () => number;
}

interface LeaseObject {
  metadata?: { resourceVersion?: string; annotations?: Record<string, string> };
  spec?: LeaseSpec;
}

export function kubeConsoleLeases(upstream: Upstream, settings: ConsoleLeaseSettings): ConsoleLeaseApi {
  const now = settings.now ?? Date.now;
  const collection = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(settings.namespace)}/leases`;
  const item = (namespace: string, name: string): string => `${collection}/${encodeURIComponent(consoleLeaseName(settings.kind, namespace, name))}`;
  const body = (namespace: string, name: string, spec: LeaseSpec, resourceVersion?: string): object => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name: consoleLeaseName(settings.kind, namespace, name),
      namespace: settings.namespace,
      labels: consoleLeaseLabels(settings.kind),
      annotations: {
        [SERVING_ADDRESS_ANNOTATION]: settings.servingAddress(), 'gatepass.io/vmi': `${namespace}/${name}`,
        ...(settings.pod ? { 'gatepass.io/pod': settings.pod } : {}),
      },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    spec,
  });
  const stored = (text: string): StoredConsoleLease => {
    const lease = JSON.parse(text) as LeaseObject;
    const servingAddress = lease.metadata?.annotations?.[SERVING_ADDRESS_ANNOTATION];
    return { spec: lease.spec ?? {}, resourceVersion: lease.metadata?.resourceVersion ?? '', ...(servingAddress ? { servingAddress } : {}) };
  };
  return {
    async read(namespace, name) {
      const answer = await upstream.call({ method: 'GET', path: item(namespace, name) });
      if (answer.status === 404) return undefined;
      if (answer.status !== 200) throw new ConsoleLeaseError(answer.status);
      return stored(answer.body);
    },
    async take(namespace, name, current) {
      const spec = claimSpec(settings.identity, now(), settings.durationMs, current?.spec);
      const answer = current
        ? await upstream.call({ method: 'PUT', path: item(namespace, name), body: body(namespace, name, spec, current.resourceVersion) })
        : await upstream.call({ method: 'POST', path: collection, body: body(namespace, name, spec) });
      if (answer.status === 409) return 'conflict';
      // Deleted between the read and the update: another claim decides it.
      if (answer.status === 404 && current) return 'conflict';
      if (answer.status !== 200 && answer.status !== 201) throw new ConsoleLeaseError(answer.status);
      return stored(answer.body);
    },
    async renew(namespace, name, held) {
      const spec = claimSpec(settings.identity, now(), settings.durationMs, held.spec);
      const answer = await upstream.call({ method: 'PUT', path: item(namespace, name), body: body(namespace, name, spec, held.resourceVersion) });
      if (answer.status === 409 || answer.status === 404) return 'lost';
      if (answer.status !== 200) throw new ConsoleLeaseError(answer.status);
      return stored(answer.body);
    },
    async release(namespace, name, held) {
      const answer = await upstream.call({
        method: 'DELETE',
        path: item(namespace, name),
        body: { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { resourceVersion: held.resourceVersion } },
      });
      // 404: gone already. 409: another replica took the console since; the Lease is theirs now.
      if (answer.status !== 200 && answer.status !== 202 && answer.status !== 404 && answer.status !== 409) throw new ConsoleLeaseError(answer.status);
    },
  };
}
