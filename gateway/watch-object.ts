import type { IncomingMessage } from 'node:http';
import { createInterface } from 'node:readline';
import type { Logger } from './log.ts';
import { readAll, type Upstream } from './upstream.ts';

export interface KubeObject {
  metadata?: { name?: string; resourceVersion?: string };
  data?: Record<string, string>;
}

export interface ObjectRef {
  /** Collection path, e.g. `/api/v1/namespaces/kube-gateway/secrets`. */
  collection: string;
  name: string;
}

export interface ObjectWatch {
  close(): void;
}

/**
 * Lists one named object and then watches it with the gateway's service
 * account (a `metadata.name` field selector, so RBAC may limit the gateway to
 * that one name), resuming from the last resourceVersion and backing off when
 * the API server is away. `onChange` gets the object, or undefined when it is
 * missing or deleted.
 */
export function watchObject(upstream: Upstream, ref: ObjectRef, log: Logger, onChange: (object: KubeObject | undefined) => void): ObjectWatch {
  const base = `${upstream.url.pathname.replace(/\/$/, '')}${ref.collection}`;
  const selector = `fieldSelector=${encodeURIComponent(`metadata.name=${ref.name}`)}`;
  let closed = false;
  let inFlight: { destroy(): void } | undefined;
  let retry: NodeJS.Timeout | undefined;
  let backoffMs = 500;

  const get = (query: string): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const bearer = upstream.bearerToken();
      const req = upstream.controlRequest({ method: 'GET', path: `${base}?${query}`, headers: { accept: 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) } });
      inFlight = req;
      req.on('response', resolve);
      req.on('error', reject);
      req.end();
    });

  const readJson = async (res: IncomingMessage): Promise<unknown> => JSON.parse(await readAll(res));

  const schedule = (why: string): void => {
    if (closed) return;
    log.warn({ watch: `${ref.collection}/${ref.name}`, why, retryInMs: backoffMs }, 'watch failed; retrying');
    retry = setTimeout(() => void run(), backoffMs);
    retry.unref();
    backoffMs = Math.min(backoffMs * 2, 30_000);
  };

  const run = async (): Promise<void> => {
    try {
      const listRes = await get(selector);
      if (listRes.statusCode !== 200) {
        listRes.resume();
        return schedule(`list answered ${listRes.statusCode}`);
      }
      const list = (await readJson(listRes)) as { metadata?: { resourceVersion?: string }; items?: KubeObject[] };
      onChange(list.items?.[0]);
      let resourceVersion = list.metadata?.resourceVersion ?? '';
      backoffMs = 500;
      while (!closed) {
        const watchRes = await get(`${selector}&watch=true&allowWatchBookmarks=true&resourceVersion=${encodeURIComponent(resourceVersion)}`);
        if (watchRes.statusCode !== 200) {
          watchRes.resume();
          return schedule(`watch answered ${watchRes.statusCode}`);
        }
        for await (const line of createInterface({ input: watchRes, crlfDelay: Infinity })) {
          if (!line.trim()) continue;
          const event = JSON.parse(line) as { type: string; object: KubeObject & { code?: number } };
          // 410 Gone: the resourceVersion is too old; start again from a fresh list.
          if (event.type === 'ERROR') return schedule(`watch error ${event.object.code ?? ''}`.trim());
          resourceVersion = event.object.metadata?.resourceVersion ?? resourceVersion;
          if (event.type === 'ADDED' || event.type === 'MODIFIED') onChange(event.object);
          else if (event.type === 'DELETED') onChange(undefined);
        }
      }
    } catch (err) {
      schedule((err as Error).message);
    }
  };
  void run();

  return {
    close() {
      closed = true;
      clearTimeout(retry);
      inFlight?.destroy();
    },
  };
}
