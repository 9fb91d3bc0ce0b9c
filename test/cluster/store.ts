import { randomUUID } from 'node:crypto';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  generateName?: string;
  [key: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  key: string;
  rv: number;
  object: KubeObject;
  /** The object before a MODIFIED or DELETED, so watchers with selectors can tell "left the selection" and paged lists can look back. */
  previous?: KubeObject;
}

export type StoreErrorReason = 'AlreadyExists' | 'NotFound' | 'Conflict' | 'Expired';

export class StoreError extends Error {
  constructor(readonly reason: StoreErrorReason, message: string) {
    super(message);
  }
}

export interface StoreWatch {
  stop(): void;
}

const DEFAULT_HISTORY = 20_000;

function objectId(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

/**
 * Objects by type key and namespace/name, with one global, monotonically
 * increasing resourceVersion (like etcd's revision) and a bounded event history
 * so watches can resume from a recent resourceVersion.
 */
export class ObjectStore {
  private revision = 0;
  private readonly buckets = new Map<string, Map<string, KubeObject>>();
  private readonly sorted = new Map<string, KubeObject[]>();
  private readonly history: StoreEvent[] = [];
  /** Resume from below this revision is no longer possible: events were trimmed. */
  private historyFloor = 0;
  private readonly listeners = new Set<(e: StoreEvent) => void>();

  constructor(private readonly historyLimit = DEFAULT_HISTORY) {}

  currentRevision(): number {
    return this.revision;
  }

  get(key: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.buckets.get(key)?.get(objectId(namespace, name));
  }

  /** Sorted by namespace then name, which pagination relies on. */
  list(key: string, namespace?: string): KubeObject[] {
    let all = this.sorted.get(key);
    if (!all) {
      // Kept until the next write to this type: a paged list of 10,000 objects would otherwise sort them all again per page.
      all = [...(this.buckets.get(key)?.values() ?? [])].sort(compareIds);
      this.sorted.set(key, all);
    }
    return namespace === undefined ? [...all] : all.filter((o) => o.metadata.namespace === namespace);
  }

  /**
   * The objects of `key` as they were at `revision` (sorted like list), rebuilt
   * by undoing the newer events: what a paged list's continue pages are served
   * from, as the API server serves them from its etcd snapshot. Throws Expired
   * once the history no longer reaches back that far (compaction).
   */
  listAt(key: string, namespace: string | undefined, revision: number): KubeObject[] {
    if (revision >= this.revision) return this.list(key, namespace);
    if (revision < this.historyFloor) {
      throw new StoreError('Expired', `too old resource version: ${revision} (${this.historyFloor})`);
    }
    const byId = new Map(this.buckets.get(key) ?? []);
    for (let i = this.history.length - 1; i >= 0 && this.history[i]!.rv > revision; i--) {
      const event = this.history[i]!;
      if (event.key !== key) continue;
      const id = objectId(event.object.metadata.namespace, event.object.metadata.name);
      if (event.type === 'ADDED') byId.delete(id);
      else if (event.previous) byId.set(id, event.previous);
    }
    const all = [...byId.values()];
    return (namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace)).sort(compareIds);
  }

  create(key: string, object: KubeObject): KubeObject {
    const bucket = this.bucket(key);
    const id = objectId(object.metadata.namespace, object.metadata.name);
    if (bucket.has(id)) throw new StoreError('AlreadyExists', `"${object.metadata.name}" already exists`);
    const stored = structuredClone(object);
    stored.metadata.uid ??= randomUUID();
    stored.metadata.creationTimestamp ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    stored.metadata.generation ??= 1;
    stored.metadata.resourceVersion = String(++this.revision);
    bucket.set(id, stored);
    this.emit({ type: 'ADDED', key, rv: this.revision, object: stored });
    return stored;
  }

  /** Replaces an object; a resourceVersion in `object` must match the stored one (optimistic concurrency). */
  update(key: string, object: KubeObject): KubeObject {
    const bucket = this.bucket(key);
    const id = objectId(object.metadata.namespace, object.metadata.name);
    const previous = bucket.get(id);
    if (!previous) throw new StoreError('NotFound', `"${object.metadata.name}" not found`);
    const expected = object.metadata.resourceVersion;
    if (expected !== undefined && expected !== '' && expected !== previous.metadata.resourceVersion) {
      throw new StoreError('Conflict', 'the object has been modified; please apply your changes to the latest version and try again');
    }
    const stored = structuredClone(object);
    stored.metadata.uid = previous.metadata.uid;
    stored.metadata.creationTimestamp = previous.metadata.creationTimestamp;
    const specChanged = JSON.stringify(stored['spec']) !== JSON.stringify(previous['spec']);
    stored.metadata.generation = (previous.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    stored.metadata.resourceVersion = String(++this.revision);
    bucket.set(id, stored);
    this.emit({ type: 'MODIFIED', key, rv: this.revision, object: stored, previous });
    return stored;
  }

  /** `preconditions`: DeleteOptions' — a uid or resourceVersion that no longer matches refuses the delete (409). */
  delete(key: string, namespace: string | undefined, name: string, preconditions: { uid?: string; resourceVersion?: string } = {}): KubeObject {
    const bucket = this.bucket(key);
    const id = objectId(namespace, name);
    const previous = bucket.get(id);
    if (!previous) throw new StoreError('NotFound', `"${name}" not found`);
    if (preconditions.uid !== undefined && preconditions.uid !== previous.metadata.uid) {
      throw new StoreError('Conflict', `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${previous.metadata.uid ?? ''}`);
    }
    if (preconditions.resourceVersion !== undefined && preconditions.resourceVersion !== previous.metadata.resourceVersion) {
      throw new StoreError('Conflict', `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${previous.metadata.resourceVersion ?? ''}`);
    }
    bucket.delete(id);
    // A deleted object carries the revision of its deletion, as in Kubernetes.
    const gone = { ...previous, metadata: { ...previous.metadata, resourceVersion: String(++this.revision) } };
    this.emit({ type: 'DELETED', key, rv: this.revision, object: gone, previous });
    return gone;
  }

  /**
   * Events after `sinceRevision` for `key`, then live ones. Throws Expired when
   * the history no longer reaches back that far.
   */
  watch(key: string, sinceRevision: number, listener: (e: StoreEvent) => void): StoreWatch {
    if (sinceRevision < this.historyFloor) {
      throw new StoreError('Expired', `too old resource version: ${sinceRevision} (${this.historyFloor})`);
    }
    for (const event of this.history) {
      if (event.rv > sinceRevision && event.key === key) listener(event);
    }
    const live = (e: StoreEvent): void => {
      if (e.key === key) listener(e);
    };
    this.listeners.add(live);
    return { stop: () => this.listeners.delete(live) };
  }

  /** Every change to any type, for controllers inside the stand-in. */
  onChange(listener: (e: StoreEvent) => void): StoreWatch {
    this.listeners.add(listener);
    return { stop: () => this.listeners.delete(listener) };
  }

  private bucket(key: string): Map<string, KubeObject> {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new Map();
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private emit(event: StoreEvent): void {
    this.sorted.delete(event.key);
    this.history.push(event);
    // Trimmed in batches: splicing one event off a long array per write is quadratic.
    if (this.history.length > this.historyLimit + Math.ceil(this.historyLimit / 4)) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.historyFloor = dropped[dropped.length - 1]!.rv;
    }
    for (const listener of [...this.listeners]) listener(event);
  }
}

export function compareIds(a: KubeObject, b: KubeObject): number {
  const ida = objectId(a.metadata.namespace, a.metadata.name);
  const idb = objectId(b.metadata.namespace, b.metadata.name);
  return ida < idb ? -1 : ida > idb ? 1 : 0;
}
