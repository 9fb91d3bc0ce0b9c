// List, then watch from the list's resourceVersion; resume a dropped watch from
// the last version seen, relist when the server says that version is gone
// (410 Expired), back off between failures, and fall back to periodic relists
// for someone who may list but not watch.
import type { DesktopError } from '../../shared/desktop-api.ts';
import { toDesktopError } from './errors.ts';
import { httpStatusOf, statusError, type KubeClient, type KubeObject } from './kube-client.ts';

export interface Listed {
  items: KubeObject[];
  resourceVersion: string;
}

interface ListBody {
  items?: KubeObject[];
  metadata?: { resourceVersion?: string; continue?: string };
}

export interface PageSizes {
  /** Small, so the first rows show while the rest is still coming. */
  first: number;
  rest: number;
}

export const defaultPageSizes: PageSizes = { first: 100, rest: 500 };

export interface PageHandlers {
  onPage(items: KubeObject[]): void;
  /**
   * A continue token expired mid-list (410): the list starts again as one
   * complete page, so objects of the earlier pages that it lacks are gone.
   */
  onRestart(): void;
}

const withQuery = (path: string, query: Record<string, string>) => `${path}${path.includes('?') ? '&' : '?'}${new URLSearchParams(query).toString()}`;

/**
 * A collection page by page, each handed over as it arrives. Returns the
 * resourceVersion to watch from: the first page's, which the API server gives
 * every page of one list (they are all served from that snapshot), so a watch
 * from it neither misses nor repeats a change made while paging. A 410 on a
 * continue token falls back to one unpaged list, as client-go's pager does.
 */
export async function listPaged(client: KubeClient, path: string, handlers: PageHandlers, sizes: PageSizes = defaultPageSizes): Promise<{ resourceVersion: string }> {
  let next: string | undefined;
  let resourceVersion: string | undefined;
  do {
    const query: Record<string, string> = { limit: String(next ? sizes.rest : sizes.first) };
    if (next) query.continue = next;
    let body: ListBody;
    try {
      body = await client.request<ListBody>('GET', withQuery(path, query));
    } catch (error) {
      if (!next || httpStatusOf(error) !== 410) throw error;
      handlers.onRestart();
      const whole = await client.request<ListBody>('GET', path);
      handlers.onPage(whole.items ?? []);
      return { resourceVersion: whole.metadata?.resourceVersion ?? '' };
    }
    resourceVersion ??= body.metadata?.resourceVersion;
    handlers.onPage(body.items ?? []);
    next = body.metadata?.continue || undefined;
  } while (next);
  return { resourceVersion: resourceVersion ?? '' };
}

/** Every object of a collection, page by page. */
export async function listAll(client: KubeClient, path: string, sizes: PageSizes = defaultPageSizes): Promise<Listed> {
  let items: KubeObject[] = [];
  const { resourceVersion } = await listPaged(client, path, {
    onPage: (page) => void items.push(...page),
    onRestart: () => void (items = []),
  }, sizes);
  return { items, resourceVersion };
}

export interface WatchHandlers {
  /** The complete collection again, after a relist. */
  onRelist(items: KubeObject[]): void;
  onEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject): void;
  onState(state: 'live' | 'reconnecting', error?: DesktopError): void;
}

export interface WatchTuning {
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** How often to relist when watching is forbidden. */
  pollMs: number;
  /** The server ends each watch after this long; it is then resumed. */
  watchSeconds: number;
}

export const defaultWatchTuning: WatchTuning = { initialBackoffMs: 500, maxBackoffMs: 30_000, pollMs: 30_000, watchSeconds: 300 };

class Expired extends Error {}

/** Keeps a collection live after its first list; stop() ends it. */
export function watchFrom(client: KubeClient, path: string, listed: Pick<Listed, 'resourceVersion'>, handlers: WatchHandlers, tuning: WatchTuning = defaultWatchTuning): { stop(): void } {
  const abort = new AbortController();
  let resourceVersion = listed.resourceVersion;
  let sleeping: NodeJS.Timeout | undefined;
  const sleep = (ms: number) => new Promise<void>((resolve) => {
    sleeping = setTimeout(resolve, ms);
    abort.signal.addEventListener('abort', () => resolve(), { once: true });
  });

  const relist = async () => {
    const fresh = await listAll(client, path);
    resourceVersion = fresh.resourceVersion;
    handlers.onRelist(fresh.items);
    handlers.onState('live');
  };

  const run = async () => {
    let backoff = tuning.initialBackoffMs;
    let mustRelist = false;
    while (!abort.signal.aborted) {
      try {
        if (mustRelist) {
          await relist();
          mustRelist = false;
        }
        const query = { watch: '1', allowWatchBookmarks: 'true', resourceVersion, timeoutSeconds: String(tuning.watchSeconds) };
        await client.watch(withQuery(path, query), (event) => {
          if (event.type === 'ERROR') {
            const code = (event.object as { code?: number }).code ?? 500;
            throw code === 410 ? new Expired() : statusError(code, JSON.stringify(event.object), client.context);
          }
          const version = event.object.metadata?.resourceVersion;
          if (version) resourceVersion = version;
          if (event.type !== 'BOOKMARK') handlers.onEvent(event.type, event.object);
        }, abort.signal, () => {
          backoff = tuning.initialBackoffMs;
          handlers.onState('live');
        });
      } catch (error) {
        if (abort.signal.aborted) return;
        if (error instanceof Expired || httpStatusOf(error) === 410) {
          mustRelist = true;
          continue;
        }
        if (httpStatusOf(error) === 403) {
          // May list but not watch: stay current by relisting now and then.
          await sleep(tuning.pollMs);
          mustRelist = true;
          continue;
        }
        handlers.onState('reconnecting', toDesktopError(error, client.context));
        await sleep(backoff);
        backoff = Math.min(backoff * 2, tuning.maxBackoffMs);
      }
    }
  };
  void run();
  return {
    stop() {
      abort.abort();
      clearTimeout(sleeping);
    },
  };
}
