// List, then watch from the list's resourceVersion, and keep watching: resume
// from the last resourceVersion seen when a watch ends, list afresh when the
// API server says it is too old (410), back off while the API server is away.

import { createInterface } from 'node:readline';
import type { Logger } from '../log.ts';
import type { KubeClient } from './kube-client.ts';

interface Listed<T> {
  metadata?: { resourceVersion?: string };
  items?: T[];
}

interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T & { metadata?: { resourceVersion?: string }; code?: number; message?: string };
}

export interface InformerOptions<T> {
  client: KubeClient;
  /** Collection path, e.g. `/apis/kubegateway.kubevirt.io/v1beta1/gatetokens` for every namespace. */
  collection: string;
  log: Logger;
  /** Every listed object, then every added or modified one. */
  onObject: (object: T) => void;
  /** Server-side watch timeout, after which the watch is resumed. */
  watchTimeoutSeconds?: number;
}

export interface Informer {
  stop(): void;
}

const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 30_000;

export function startInformer<T extends { metadata?: { resourceVersion?: string } }>(options: InformerOptions<T>): Informer {
  const { client, collection, log, onObject } = options;
  const timeout = options.watchTimeoutSeconds ?? 300;
  const stopping = new AbortController();
  let backoffMs = MIN_BACKOFF_MS;
  let retry: NodeJS.Timeout | undefined;
  /** Where the next watch resumes; undefined means list first. */
  let resourceVersion: string | undefined;

  const list = async (): Promise<string> => {
    const listed = await client.request<Listed<T>>('GET', collection);
    for (const item of listed.items ?? []) onObject(item);
    return listed.metadata?.resourceVersion ?? '';
  };

  /** Streams one watch; false when the API server ended it with an error (410 Gone: the version is too old). */
  const watch = async (from: string): Promise<boolean> => {
    const query = `watch=true&allowWatchBookmarks=true&timeoutSeconds=${timeout}&resourceVersion=${encodeURIComponent(from)}`;
    const res = await client.stream(`${collection}?${query}`, stopping.signal);
    backoffMs = MIN_BACKOFF_MS;
    for await (const line of createInterface({ input: res, crlfDelay: Infinity })) {
      if (!line.trim()) continue;
      const event = JSON.parse(line) as WatchEvent<T>;
      if (event.type === 'ERROR') {
        log.info({ code: event.object.code, message: event.object.message }, 'watch ended with an error; listing again');
        return false;
      }
      resourceVersion = event.object.metadata?.resourceVersion ?? resourceVersion;
      if (event.type === 'ADDED' || event.type === 'MODIFIED') onObject(event.object);
    }
    return true;
  };

  const run = async (): Promise<void> => {
    try {
      while (!stopping.signal.aborted) {
        resourceVersion ??= await list();
        if (!(await watch(resourceVersion))) resourceVersion = undefined;
      }
    } catch (error) {
      if (stopping.signal.aborted) return;
      log.warn({ collection, err: (error as Error).message, retryInMs: backoffMs }, 'list or watch failed; retrying');
      retry = setTimeout(() => void run(), backoffMs);
      backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    }
  };
  void run();

  return {
    stop() {
      stopping.abort();
      clearTimeout(retry);
    },
  };
}
