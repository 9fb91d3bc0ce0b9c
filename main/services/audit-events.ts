// The gateway's audit Events of one namespace (shared/console-audit.ts), listed
// and then watched with the person's own credentials, selected by the label the
// gateway puts on every one. Someone who may not read Events there gets a
// `forbidden` scope in words, retried now and then (permissions change).

import { auditLabels, auditManager, auditRecordOf, type ConsoleAuditRecord } from '../../shared/console-audit.ts';
import type { AuditScope } from '../../shared/desktop-api.ts';
import { toDesktopError } from './errors.ts';
import { httpStatusOf, type KubeClient, type KubeObject } from './kube-client.ts';
import { defaultWatchTuning, listAll, watchFrom, type WatchTuning } from './list-watch.ts';

export interface AuditEntry {
  record: ConsoleAuditRecord;
  /** The Event's `gatepass.io/link` label: `linkKey(tokenId)`. */
  linkKey?: string;
}

export interface NamespaceTrailHandlers {
  /** Anything changed: entries or the scope. */
  onChange(): void;
  /** An Event appeared after the first list (so it is news, not history). */
  onArrived(entry: AuditEntry): void;
}

export interface NamespaceTrail {
  scope(): AuditScope;
  entries(): AuditEntry[];
  stop(): void;
}

export function auditEventsPath(namespace: string): string {
  return `/api/v1/namespaces/${encodeURIComponent(namespace)}/events?labelSelector=${encodeURIComponent(`${auditLabels.managedBy}=${auditManager}`)}`;
}

function entryOf(object: KubeObject): AuditEntry | undefined {
  const record = auditRecordOf(object as Parameters<typeof auditRecordOf>[0]);
  if (!record) return undefined;
  const linkKey = object.metadata.labels?.[auditLabels.link];
  return linkKey ? { record, linkKey } : { record };
}

const keyOf = (object: KubeObject) => object.metadata.uid ?? object.metadata.name;

export function watchNamespaceTrail(client: KubeClient, namespace: string, handlers: NamespaceTrailHandlers, tuning: WatchTuning = defaultWatchTuning): NamespaceTrail {
  const context = client.context;
  const path = auditEventsPath(namespace);
  const entries = new Map<string, AuditEntry>();
  let scope: AuditScope = { context, namespace, state: 'loading' };
  let watch: { stop(): void } | undefined;
  let stopped = false;
  let sleeping: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;

  const setScope = (next: AuditScope) => {
    scope = next;
    handlers.onChange();
  };
  const store = (object: KubeObject): AuditEntry | undefined => {
    const entry = entryOf(object);
    if (entry) entries.set(keyOf(object), entry);
    else entries.delete(keyOf(object));
    return entry;
  };

  const follow = (listed: { items: KubeObject[]; resourceVersion: string }) => {
    watch = watchFrom(client, path, listed, {
      onRelist(items) {
        const known = new Set(entries.keys());
        entries.clear();
        const arrived = items.flatMap((item) => {
          const entry = store(item);
          return entry && !known.has(keyOf(item)) ? [entry] : [];
        });
        handlers.onChange();
        for (const entry of arrived) handlers.onArrived(entry);
      },
      onEvent(type, object) {
        if (type === 'DELETED') {
          entries.delete(keyOf(object));
          handlers.onChange();
          return;
        }
        const isNew = !entries.has(keyOf(object));
        const entry = store(object);
        handlers.onChange();
        if (entry && isNew) handlers.onArrived(entry);
      },
      onState(state, error) {
        setScope({ context, namespace, state, ...(error ? { error } : {}) });
      },
    }, tuning);
  };

  const start = async () => {
    let backoff = tuning.initialBackoffMs;
    while (!stopped) {
      try {
        const listed = await listAll(client, path);
        if (stopped) return;
        entries.clear();
        for (const item of listed.items) store(item);
        setScope({ context, namespace, state: 'live' });
        follow(listed);
        return;
      } catch (error) {
        if (stopped) return;
        const forbidden = httpStatusOf(error) === 403;
        const described = toDesktopError(error, context);
        setScope({
          context, namespace, state: forbidden ? 'forbidden' : 'error',
          error: forbidden ? { ...described, message: `you may not see who used the consoles in ${namespace}: context "${context}" may not read its Events` } : described,
        });
        await new Promise<void>((resolve) => {
          wake = resolve;
          sleeping = setTimeout(resolve, forbidden ? tuning.pollMs : backoff);
        });
        backoff = Math.min(backoff * 2, tuning.maxBackoffMs);
      }
    }
  };
  void start();

  return {
    scope: () => scope,
    entries: () => [...entries.values()],
    stop() {
      stopped = true;
      clearTimeout(sleeping);
      wake?.();
      watch?.stop();
    },
  };
}
