// A KubeClient over an in-memory cluster that pages lists the way the API
// server does: every page of one list is served from the snapshot of its first
// page and carries its resourceVersion; a continue token can be made to expire
// (410); watches replay the changes after a resourceVersion. Tests hook each
// page to change objects while a list is being paged.
import { statusError, type KubeClient, type KubeObject, type WatchEvent } from './kube-client.ts';

type Change = { rv: number; collection: string; type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject };

interface Token {
  rv: number;
  offset: number;
}

export interface PagingCluster {
  client: KubeClient;
  /** Every list request's path and query, in order. */
  readonly requests: string[];
  put(collection: string, object: KubeObject): void;
  remove(collection: string, namespace: string, name: string): void;
  /** Called after each page is computed, before it is answered: `continue` is that request's token, if any. */
  onPage?: (collection: string, request: URLSearchParams) => void;
  /** Answers the next continue request with 410 Expired. */
  expireNextContinue(): void;
}

const id = (object: KubeObject) => `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
const collectionOf = (path: string) => (path.includes('virtualmachineinstances') ? 'vmis' : 'vms');

export function vmObject(namespace: string, name: string, status = 'Running'): KubeObject {
  return { kind: 'VirtualMachine', metadata: { name, namespace }, status: { printableStatus: status } };
}

export function vmiObject(namespace: string, name: string, node: string): KubeObject {
  return { kind: 'VirtualMachineInstance', metadata: { name, namespace }, status: { phase: 'Running', nodeName: node } };
}

export function pagingCluster(): PagingCluster {
  let revision = 1;
  const objects: Record<string, Map<string, KubeObject>> = { vms: new Map(), vmis: new Map() };
  const history: Change[] = [];
  const snapshots = new Map<number, Record<string, KubeObject[]>>();
  const watchers = new Set<(change: Change) => void>();
  const requests: string[] = [];
  let expireNext = false;

  const record = (collection: string, type: Change['type'], object: KubeObject) => {
    const change: Change = { rv: ++revision, collection, type, object: { ...object, metadata: { ...object.metadata, resourceVersion: String(revision) } } };
    history.push(change);
    if (type === 'DELETED') objects[collection]!.delete(id(object));
    else objects[collection]!.set(id(object), change.object);
    for (const watcher of watchers) watcher(change);
  };
  const snapshot = (collection: string) => [...objects[collection]!.values()].sort((a, b) => (id(a) < id(b) ? -1 : 1));

  const cluster: PagingCluster = {
    requests,
    put: (collection, object) => record(collection, objects[collection]!.has(id(object)) ? 'MODIFIED' : 'ADDED', object),
    remove: (collection, namespace, name) => {
      const object = objects[collection]!.get(`${namespace}/${name}`);
      if (object) record(collection, 'DELETED', object);
    },
    expireNextContinue: () => void (expireNext = true),
    client: {
      context: 'paging',
      server: 'https://paging.invalid',
      namespace: undefined,
      request: async <T>(_method: string, path: string): Promise<T> => {
        requests.push(path);
        const url = new URL(path, 'https://paging.invalid');
        const collection = collectionOf(url.pathname);
        const continued = url.searchParams.get('continue');
        let token: Token = { rv: revision, offset: 0 };
        if (continued) {
          if (expireNext) {
            expireNext = false;
            throw statusError(410, JSON.stringify({ kind: 'Status', code: 410, reason: 'Expired', message: 'The provided continue parameter is too old' }), 'paging');
          }
          token = JSON.parse(continued) as Token;
        } else {
          snapshots.set(revision, { vms: snapshot('vms'), vmis: snapshot('vmis') });
        }
        const all = snapshots.get(token.rv)![collection]!;
        const limit = Number(url.searchParams.get('limit') ?? '0') || all.length;
        const items = all.slice(token.offset, token.offset + limit);
        const end = token.offset + items.length;
        cluster.onPage?.(collection, url.searchParams);
        const next = end < all.length ? JSON.stringify({ rv: token.rv, offset: end } satisfies Token) : undefined;
        return { items: structuredClone(items), metadata: { resourceVersion: String(token.rv), ...(next ? { continue: next } : {}) } } as T;
      },
      requestBytes: async () => ({ status: 404, body: Buffer.alloc(0), contentType: '' }),
      watch: (path, onEvent, signal, onOpen) => new Promise<void>((resolve) => {
        const url = new URL(path, 'https://paging.invalid');
        const collection = collectionOf(url.pathname);
        const since = Number(url.searchParams.get('resourceVersion'));
        const send = (change: Change) => {
          if (change.collection === collection && change.rv > since) onEvent({ type: change.type, object: structuredClone(change.object) } satisfies WatchEvent);
        };
        onOpen?.();
        for (const change of history) send(change);
        watchers.add(send);
        signal.addEventListener('abort', () => {
          watchers.delete(send);
          resolve();
        });
      }),
      openWebSocket: async () => {
        throw new Error('not used');
      },
    },
  };
  return cluster;
}
