// Who used the links this app issued, and who was on a VM's console: the
// gateway's audit Events (audit-events.ts) of every namespace that has a recent
// issued link or a VM whose details are open, turned into per-link activity and
// per-VM openings by the pure rules of shared/link-activity.ts, and pushed as
// they change. Uses left of a limited-use link come from the gateway's use
// counter when the person may read it, else from the sessions in the trail.

import type { ConsoleAuditRecord } from '../../shared/console-audit.ts';
import type { AuditScope, ConsoleOpenings, IssuedLink, IssuedLinkActivity, LinkActivitySnapshot } from '../../shared/desktop-api.ts';
import { consoleOpenings, FOLLOW_AFTER_EXPIRY_MS, linkActivity, newestRecordFirst, usesLeft } from '../../shared/link-activity.ts';
import { linkKey } from '../../shared/node/link-key.ts';
import { watchNamespaceTrail, type AuditEntry, type NamespaceTrail } from './audit-events.ts';
import { toDesktopError } from './errors.ts';
import { httpStatusOf, type KubeClient } from './kube-client.ts';
import { defaultWatchTuning, type WatchTuning } from './list-watch.ts';

export interface LinkActivityOptions {
  /** Throws for a context the kubeconfig does not (or no longer) have. */
  clientFor(context: string): KubeClient;
  links(): IssuedLink[];
  /** Where a context's gateway keeps its use counters (the key secret's namespace). */
  counterNamespace(context: string): string;
  onSnapshot(snapshot: LinkActivitySnapshot): void;
  onOpenings(openings: ConsoleOpenings): void;
  /** A console of an issued link opened just now. */
  onLinkOpened(link: IssuedLink, record: ConsoleAuditRecord): void;
  now?: () => number;
  tuning?: WatchTuning;
  batchMs?: number;
}

export interface LinkActivityService {
  /** The issued links changed: follow the namespaces they need. */
  linksChanged(): void;
  snapshot(): LinkActivitySnapshot;
  /** Every record of one issued link, newest first. */
  history(link: IssuedLink): ConsoleAuditRecord[];
  watchVm(context: string, namespace: string, name: string): ConsoleOpenings;
  unwatchVm(context: string, namespace: string, name: string): void;
  /** A context's credentials changed: its watches start again with the new ones. */
  restart(context: string): void;
  stop(): void;
}

/** A late-listed Opened this old is history, not news worth a notification. */
const NEWS_MS = 10 * 60_000;
/** A use counter the person may not read is not asked for again before this. */
const COUNTER_RETRY_MS = 5 * 60_000;
const COUNTER_DELAY_MS = 300;
const MAX_OPENINGS = 20;
/** The only limited-use links the app issues are single-use ones (ShareRequest.singleUse). */
const SINGLE_USE = 1;

const scopeKey = (context: string, namespace: string) => `${context}\u0000${namespace}`;
const vmKey = (context: string, namespace: string, name: string) => `${scopeKey(context, namespace)}\u0000${name}`;

/** How often links past FOLLOW_AFTER_EXPIRY_MS stop being followed when nothing else changes. */
export const AGE_OUT_EVERY_MS = 60 * 60 * 1000;

export function startLinkActivity(options: LinkActivityOptions): LinkActivityService {
  const now = options.now ?? Date.now;
  const tuning = options.tuning ?? defaultWatchTuning;
  const batchMs = options.batchMs ?? 100;
  const trails = new Map<string, NamespaceTrail>();
  const vmWatchers = new Map<string, { context: string; namespace: string; name: string; count: number }>();
  const keys = new Map<string, string>();
  const counters = new Map<string, number>();
  const counterRefused = new Map<string, number>();
  const lastOpens = new Map<string, number>();
  const counterQueue = new Set<string>();
  const dirty = new Set<string>();
  let followed: IssuedLink[] = [];
  let lastSnapshot = '';
  let flushTimer: NodeJS.Timeout | undefined;
  let counterTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  const keyOfLink = (id: string) => {
    let key = keys.get(id);
    if (key === undefined) {
      key = linkKey(id);
      keys.set(id, key);
    }
    return key;
  };
  /** The link an Event is about, by its label, or by its link-id annotation where an Event has no label. */
  const linkKeyOf = (entry: AuditEntry) => entry.linkKey ?? (entry.record.linkId === undefined ? undefined : keyOfLink(entry.record.linkId));
  const belongsTo = (entry: AuditEntry, link: IssuedLink) => linkKeyOf(entry) === keyOfLink(link.id) && entry.record.vm === link.name;
  const isLimited = (link: IssuedLink) => link.options.singleUse;

  const recordsOf = (link: IssuedLink): ConsoleAuditRecord[] => {
    const trail = trails.get(scopeKey(link.context, link.namespace));
    return (trail?.entries() ?? []).filter((entry) => belongsTo(entry, link)).map((entry) => entry.record);
  };

  /** A trail's entries by link key and VM, so a snapshot reads each Event once however many links there are. */
  const indexOf = (trail: NamespaceTrail) => {
    const index = new Map<string, ConsoleAuditRecord[]>();
    for (const entry of trail.entries()) {
      const key = linkKeyOf(entry);
      if (key === undefined) continue;
      const slot = `${key}/${entry.record.vm}`;
      const list = index.get(slot);
      if (list) list.push(entry.record);
      else index.set(slot, [entry.record]);
    }
    return index;
  };

  const buildSnapshot = (): LinkActivitySnapshot => {
    const links: Record<string, IssuedLinkActivity> = {};
    const indexes = new Map<NamespaceTrail, Map<string, ConsoleAuditRecord[]>>();
    const at = now();
    for (const link of followed) {
      const trail = trails.get(scopeKey(link.context, link.namespace));
      let index = trail ? indexes.get(trail) : undefined;
      if (trail && !index) {
        index = indexOf(trail);
        indexes.set(trail, index);
      }
      const activity = linkActivity(index?.get(`${keyOfLink(link.id)}/${link.name}`) ?? [], link.until, at);
      const entry: IssuedLinkActivity = { id: link.id, ...activity };
      if (trail) entry.scope = trail.scope();
      if (isLimited(link)) entry.usesLeft = usesLeft(SINGLE_USE, counters.get(link.id), activity);
      links[link.id] = entry;
    }
    return { links };
  };

  const openingsOf = (context: string, namespace: string, name: string): ConsoleOpenings => {
    const trail = trails.get(scopeKey(context, namespace));
    const records = (trail?.entries() ?? []).filter((entry) => entry.record.vm === name).map((entry) => entry.record);
    return {
      context, namespace, name,
      openings: consoleOpenings(records, now()).slice(0, MAX_OPENINGS),
      scope: trail?.scope() ?? { context, namespace, state: 'loading' },
    };
  };

  const flush = () => {
    flushTimer = undefined;
    if (stopped) return;
    const snapshot = buildSnapshot();
    // A limited link's counter is read again whenever its opens change (and once at first).
    for (const link of followed) {
      const opens = snapshot.links[link.id]?.opens ?? 0;
      if (isLimited(link) && now() < Date.parse(link.until) && lastOpens.get(link.id) !== opens) queueCounter(link.id);
      lastOpens.set(link.id, opens);
    }
    const json = JSON.stringify(snapshot);
    if (json !== lastSnapshot) {
      lastSnapshot = json;
      options.onSnapshot(snapshot);
    }
    for (const watcher of vmWatchers.values()) {
      if (dirty.has(scopeKey(watcher.context, watcher.namespace))) options.onOpenings(openingsOf(watcher.context, watcher.namespace, watcher.name));
    }
    dirty.clear();
  };
  const schedule = (key?: string) => {
    if (key !== undefined) dirty.add(key);
    flushTimer ??= setTimeout(flush, batchMs);
  };

  const readCounter = async (link: IssuedLink) => {
    const refusedAt = counterRefused.get(link.context);
    if (refusedAt !== undefined && now() - refusedAt < COUNTER_RETRY_MS) return;
    const namespace = options.counterNamespace(link.context);
    const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps/gatepass-uses-${keyOfLink(link.id)}`;
    try {
      const counter = await options.clientFor(link.context).request<{ data?: { uses?: string } }>('GET', path);
      const uses = Number(counter?.data?.uses ?? 0);
      if (Number.isInteger(uses) && uses >= 0) counters.set(link.id, uses);
    } catch (error) {
      const status = httpStatusOf(error);
      // No counter yet: the gateway creates it with the first use.
      if (status === 404) counters.set(link.id, 0);
      else if (status === 403) counterRefused.set(link.context, now());
      else counters.delete(link.id);
    }
    schedule();
  };
  const queueCounter = (id: string) => {
    counterQueue.add(id);
    // After the Event, so the gateway's count of the same use has landed.
    counterTimer ??= setTimeout(() => {
      counterTimer = undefined;
      const ids = [...counterQueue];
      counterQueue.clear();
      for (const link of followed.filter((l) => ids.includes(l.id))) void readCounter(link);
    }, COUNTER_DELAY_MS);
  };

  const arrived = (entry: AuditEntry) => {
    if (entry.record.reason !== 'ConsoleOpened' || now() - Date.parse(entry.record.lastSeen) > NEWS_MS) return;
    const link = followed.find((l) => l.namespace === entry.record.namespace && belongsTo(entry, l));
    if (link) options.onLinkOpened(link, entry.record);
  };

  const startTrail = (context: string, namespace: string) => {
    const key = scopeKey(context, namespace);
    let client: KubeClient;
    try {
      client = options.clientFor(context);
    } catch (error) {
      const failed: AuditScope = { context, namespace, state: 'error', error: toDesktopError(error, context) };
      trails.set(key, { scope: () => failed, entries: () => [], stop: () => undefined });
      return;
    }
    trails.set(key, watchNamespaceTrail(client, namespace, { onChange: () => schedule(key), onArrived: arrived }, tuning));
  };

  const reconcile = () => {
    if (stopped) return;
    const wanted = new Map<string, { context: string; namespace: string }>();
    for (const link of followed) wanted.set(scopeKey(link.context, link.namespace), link);
    for (const watcher of vmWatchers.values()) wanted.set(scopeKey(watcher.context, watcher.namespace), watcher);
    for (const [key, trail] of trails) {
      if (wanted.has(key)) continue;
      trail.stop();
      trails.delete(key);
    }
    for (const [key, { context, namespace }] of wanted) if (!trails.has(key)) startTrail(context, namespace);
    schedule();
  };

  const linksChanged = () => {
    const cutoff = now() - FOLLOW_AFTER_EXPIRY_MS;
    followed = options.links().filter((link) => Date.parse(link.until) > cutoff);
    reconcile();
  };
  linksChanged();
  // Links also age out with no share or revoke in between: an app left in the tray for a
  // week must not keep watching the Events of namespaces whose links ended days ago.
  const ageOut = setInterval(linksChanged, AGE_OUT_EVERY_MS);
  ageOut.unref();

  return {
    linksChanged,
    snapshot: buildSnapshot,
    history: (link) => recordsOf(link).sort(newestRecordFirst),
    watchVm(context, namespace, name) {
      const key = vmKey(context, namespace, name);
      const watcher = vmWatchers.get(key);
      if (watcher) watcher.count += 1;
      else vmWatchers.set(key, { context, namespace, name, count: 1 });
      reconcile();
      return openingsOf(context, namespace, name);
    },
    unwatchVm(context, namespace, name) {
      const key = vmKey(context, namespace, name);
      const watcher = vmWatchers.get(key);
      if (!watcher) return;
      watcher.count -= 1;
      if (watcher.count <= 0) vmWatchers.delete(key);
      reconcile();
    },
    restart(context) {
      for (const [key, trail] of trails) {
        if (!key.startsWith(`${context}\u0000`)) continue;
        trail.stop();
        trails.delete(key);
      }
      counterRefused.delete(context);
      reconcile();
    },
    stop() {
      stopped = true;
      clearInterval(ageOut);
      clearTimeout(flushTimer);
      clearTimeout(counterTimer);
      for (const trail of trails.values()) trail.stop();
      trails.clear();
    },
  };
}
