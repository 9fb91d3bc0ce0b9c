// The shared-console phase's viewers, spread over worker threads: each thread
// reads its share of the viewers on its own event loop (`shared-viewers-worker.ts`).
// In one loop the last of twenty viewers reads an update only after the other
// nineteen have parsed theirs, and its latency would be the benchmark's queue.
import { Worker } from 'node:worker_threads';
import type { ViewerWindow } from '../lib/rfb-viewer.ts';

export type ViewerCall =
  | { op: 'open'; url: string; protocols: string[]; handshakeMs: number; firstUpdateMs: number }
  | { op: 'arrived'; updates: number; timeoutMs: number }
  | { op: 'ended' }
  | { op: 'openWindows' }
  | { op: 'closeWindows' }
  | { op: 'close' };

export type ViewerReply = { seq: number; value?: unknown; error?: string };

/** A viewer: which thread reads it, and its number there. */
export interface ViewerHandle { thread: number; id: number }

class ViewerThread {
  private readonly worker = new Worker(new URL('../lib/ts-worker.mjs', import.meta.url), {
    workerData: { entry: new URL('./shared-viewers-worker.ts', import.meta.url).href },
  });
  private seq = 0;
  private readonly waiting = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();

  constructor() {
    this.worker.on('message', ({ seq, value, error }: ViewerReply) => {
      const call = this.waiting.get(seq);
      this.waiting.delete(seq);
      if (error !== undefined) call?.reject(new Error(error));
      else call?.resolve(value);
    });
    this.worker.on('error', (err) => {
      for (const call of this.waiting.values()) call.reject(err);
      this.waiting.clear();
    });
  }

  call<T>(call: ViewerCall): Promise<T> {
    const seq = this.seq++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(seq, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ seq, call });
    });
  }

  stop(): Promise<number> {
    return this.worker.terminate();
  }
}

export class ViewerThreads {
  private readonly threads: ViewerThread[];

  constructor(count: number) {
    this.threads = Array.from({ length: count }, () => new ViewerThread());
  }

  /** Opens a viewer on thread `index` modulo the threads, and waits for its first update. */
  async open(index: number, url: string, protocols: string[], handshakeMs: number, firstUpdateMs: number): Promise<ViewerHandle> {
    const thread = index % this.threads.length;
    const id = await this.threads[thread]!.call<number>({ op: 'open', url, protocols, handshakeMs, firstUpdateMs });
    return { thread, id };
  }

  /** Waits until every viewer has had `updates` updates, or the time is up. */
  async arrived(updates: number, timeoutMs: number): Promise<void> {
    await this.all({ op: 'arrived', updates, timeoutMs });
  }

  /** Why each viewer that ended did, keyed by its handle. */
  async ended(): Promise<Map<string, string>> {
    const lists = await this.all<Array<[number, string]>>({ op: 'ended' });
    return new Map(lists.flatMap((list, thread) => list.map(([id, why]) => [key({ thread, id }), why] as [string, string])));
  }

  async openWindows(): Promise<void> {
    await this.all({ op: 'openWindows' });
  }

  /** Each viewer's window, keyed by its handle, and the worst p99 of the threads' event-loop delays. */
  async closeWindows(): Promise<{ windows: Map<string, ViewerWindow>; loopDelayP99Ms: number }> {
    const replies = await this.all<{ windows: Array<[number, ViewerWindow]>; loopDelayP99Ms: number }>({ op: 'closeWindows' });
    return {
      windows: new Map(replies.flatMap((r, thread) => r.windows.map(([id, w]) => [key({ thread, id }), w] as [string, ViewerWindow]))),
      loopDelayP99Ms: Math.max(...replies.map((r) => r.loopDelayP99Ms)),
    };
  }

  async closeViewers(): Promise<void> {
    await this.all({ op: 'close' });
  }

  async stop(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.stop()));
  }

  private all<T>(call: ViewerCall): Promise<T[]> {
    return Promise.all(this.threads.map((t) => t.call<T>(call)));
  }
}

export const key = (handle: ViewerHandle): string => `${handle.thread}/${handle.id}`;
