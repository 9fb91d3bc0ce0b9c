// The console audit trail: every open, refusal and close as one JSON log line
// at once, and as a Kubernetes Event on the VMI, written in the background so
// that no console ever waits for, or fails because of, the audit. Which Events
// are written, counted or dropped is event-correlator.ts's decision.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Counter } from 'prom-client';
import { auditReasons, type AuditReason } from '../shared/console-audit.ts';
import { eventBody, eventDraft, eventTimestamp, type ConsoleAuditFact } from './console-audit-event.ts';
import { defaultCorrelatorOptions, EventCorrelator, TokenBucket, type CorrelatorOptions, type Settled, type Write } from './event-correlator.ts';
import type { Logger } from './log.ts';
import { Lru } from './lru.ts';
import type { Metrics } from './metrics.ts';
import type { Upstream } from './upstream.ts';

export type { ConsoleAuditFact };

export interface ConsoleAudit {
  /**
   * Logs the fact and queues its Event. `verified`: the request carried a
   * valid link; a refusal without one gets an Event only for a VMI that
   * exists, so a stranger cannot write Events about any name in any namespace.
   */
  record(fact: ConsoleAuditFact, verified: boolean): void;
  /** Shutdown: counts not written yet are written (as the buckets allow) and every write is awaited. */
  drain(): Promise<void>;
}

export interface ConsoleAuditOptions {
  upstream: Upstream;
  log: Logger;
  metrics: Pick<Metrics, 'registry'>;
  /** The Events' `reportingInstance`: the pod's name. */
  instance?: string;
  now?: () => number;
  correlator?: Partial<CorrelatorOptions>;
  /** How long a VMI's uid (or its absence) is remembered. */
  uidTtlMs?: number;
}

type VmiLookup = { state: 'found'; uid: string } | { state: 'missing' } | { state: 'denied' } | { state: 'unknown' };

const auditNames: Record<AuditReason, string> = {
  [auditReasons.opened]: 'console-opened',
  [auditReasons.refused]: 'console-refused',
  [auditReasons.closed]: 'console-closed',
};

/** The JSON audit line's fields: the fact, never a token (a link is named by its id). */
function auditLine(fact: ConsoleAuditFact): Record<string, unknown> {
  return {
    audit: auditNames[fact.reason],
    namespace: fact.namespace,
    vm: fact.vm,
    console: fact.console,
    viewOnly: fact.viewOnly,
    linkId: fact.linkId,
    linkLabel: fact.linkLabel,
    issuer: fact.issuer,
    client: fact.client,
    connection: fact.connection,
    session: fact.session,
    code: fact.code,
    why: fact.why,
    by: fact.closedBy,
    durationMs: fact.durationMs === undefined ? undefined : Math.round(fact.durationMs),
    bytesFromViewer: fact.bytesFromViewer,
    bytesToViewer: fact.bytesToViewer,
    inputDropped: fact.inputDropped,
  };
}

/** What makes two facts the same Event besides the VMI and the reason. */
function identityOf(fact: ConsoleAuditFact): string {
  const parts = fact.reason === auditReasons.refused
    ? [fact.linkId, fact.client, fact.code, fact.viewOnly]
    : [fact.connection ?? randomBytes(8).toString('hex')];
  return JSON.stringify(parts);
}

export function createConsoleAudit(options: ConsoleAuditOptions): ConsoleAudit {
  const { upstream, log } = options;
  const now = options.now ?? Date.now;
  const instance = options.instance ?? hostname();
  const uidTtlMs = options.uidTtlMs ?? 30_000;
  const correlator = new EventCorrelator(options.correlator);
  const flushMs = options.correlator?.flushMs ?? defaultCorrelatorOptions.flushMs;
  const writes = new Counter({
    name: 'gatepass_gateway_audit_event_writes_total',
    help: 'Audit Event writes to the API server, by operation (create, patch) and result (ok, failed).',
    labelNames: ['op', 'result'] as const,
    registers: [options.metrics.registry],
  });
  const dropped = new Counter({
    name: 'gatepass_gateway_audit_events_dropped_total',
    help: 'Console audit facts left out of the Events: rate-limited, or refused without a valid link on no existing VMI (the JSON audit log has them all).',
    registers: [options.metrics.registry],
  });
  const uids = new Lru<string, { at: number; lookup: Promise<VmiLookup> }>(4096);
  // Anyone can send refusals naming any VMI: without this bound, each new name would cost the API server a GET.
  const strangerLookups = new TokenBucket(20, 200, now());
  const inFlight = new Set<Promise<void>>();
  const warnedAt = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;

  /** One warning a minute per kind of trouble: a broken audit must not flood the log it also writes to. */
  const warn = (kind: string, fields: Record<string, unknown>, message: string): void => {
    const last = warnedAt.get(kind);
    if (last !== undefined && now() - last < 60_000) return log.debug(fields, message);
    warnedAt.set(kind, now());
    log.warn(fields, message);
  };

  async function fetchVmi(namespace: string, name: string): Promise<VmiLookup> {
    try {
      const answer = await upstream.call({ method: 'GET', path: `/apis/kubevirt.io/v1/namespaces/${namespace}/virtualmachineinstances/${name}`, timeoutMs: 5_000 });
      if (answer.status === 200) {
        const uid = (JSON.parse(answer.body) as { metadata?: { uid?: unknown } }).metadata?.uid;
        return typeof uid === 'string' && uid !== '' ? { state: 'found', uid } : { state: 'unknown' };
      }
      if (answer.status === 404) return { state: 'missing' };
      if (answer.status === 401 || answer.status === 403) {
        warn('vmi-denied', { status: answer.status }, 'the gateway may not get virtualmachineinstances: audit Events are written without the VMI uid, so `kubectl describe vmi` will not list them (grant get on virtualmachineinstances.kubevirt.io)');
        return { state: 'denied' };
      }
      return { state: 'unknown' };
    } catch {
      return { state: 'unknown' };
    }
  }

  /** The VMI's uid, remembered a while; a lookup for a refusal without a valid link must find a token first, or is not made. */
  function vmi(namespace: string, name: string, verified: boolean): Promise<VmiLookup> | undefined {
    const key = `${namespace}/${name}`;
    const cached = uids.get(key);
    if (cached && now() - cached.at < uidTtlMs) return cached.lookup;
    if (!verified && !strangerLookups.tryTake(now())) return undefined;
    const lookup = fetchVmi(namespace, name);
    uids.set(key, { at: now(), lookup });
    return lookup;
  }

  async function perform(write: Write): Promise<void> {
    const { namespace, name: vm } = write.draft.involvedObject;
    const collection = `/api/v1/namespaces/${namespace}/events`;
    let settled: Settled = { result: 'failed' };
    let status: number | string = 'error';
    try {
      if (write.op === 'create') {
        // client-go names Events `<object>.<unique hex>`; the random part keeps replicas apart.
        const name = `${vm}.${now().toString(16)}${randomBytes(4).toString('hex')}`;
        const answer = await upstream.call({
          method: 'POST', path: collection, timeoutMs: 5_000,
          body: eventBody(write.draft, { name, count: write.count, firstMs: write.firstMs, lastMs: write.lastMs, reportingInstance: instance }),
        });
        status = answer.status;
        if (answer.status === 201 || answer.status === 200) settled = { result: 'ok', name };
      } else {
        const answer = await upstream.call({
          method: 'PATCH', path: `${collection}/${write.name}`, timeoutMs: 5_000,
          contentType: 'application/strategic-merge-patch+json',
          body: { count: write.count, lastTimestamp: eventTimestamp(write.lastMs) },
        });
        status = answer.status;
        if (answer.status === 200) settled = { result: 'ok', name: write.name };
        else if (answer.status === 404) settled = { result: 'gone' };
      }
    } catch (err) {
      status = (err as Error).message;
    }
    writes.inc({ op: write.op, result: settled.result === 'failed' ? 'failed' : 'ok' });
    if (settled.result === 'failed') {
      warn(`${write.op}-${String(status)}`, { op: write.op, status, namespace, vm, reason: write.draft.reason }, 'an audit Event could not be written');
    }
    correlator.settled(write, settled, now());
    schedule();
  }

  function start(write: Write): void {
    const running = perform(write).finally(() => inFlight.delete(running));
    inFlight.add(running);
  }

  function flush(force = false): void {
    for (const write of correlator.due(now(), force)) start(write);
  }

  function schedule(): void {
    if (timer || !correlator.hasPending()) return;
    timer = setTimeout(() => {
      timer = undefined;
      flush();
      schedule();
    }, flushMs);
    timer.unref();
  }

  async function writeEvent(fact: ConsoleAuditFact, verified: boolean): Promise<void> {
    const found = await vmi(fact.namespace, fact.vm, verified);
    if (!found || (!verified && found.state !== 'found')) {
      dropped.inc();
      return;
    }
    const observed = correlator.observe({
      objectKey: `${fact.namespace}/${fact.vm}`,
      identity: identityOf(fact),
      combinable: fact.reason === auditReasons.refused,
      draft: eventDraft(fact, found.state === 'found' ? found.uid : undefined),
    }, now());
    if (observed.outcome === 'write') start(observed.write);
    else if (observed.outcome === 'dropped') dropped.inc();
    schedule();
  }

  return {
    record(fact, verified) {
      log.info(auditLine(fact), 'console audit');
      const queued = writeEvent(fact, verified).catch((err: unknown) => warn('internal', { err: (err as Error).message }, 'an audit Event could not be written'));
      inFlight.add(queued);
      void queued.finally(() => inFlight.delete(queued));
    },
    async drain() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      flush(true);
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
