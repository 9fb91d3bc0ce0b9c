import type { ConsoleEngine } from './shared-console.ts';
import { SerialSession } from './serial-session.ts';

export interface SerialEngineOptions {
  pingMs: number;
  ringBytes?: number;
  maxViewerBacklog?: number;
  maxUpstreamBacklog?: number;
}

/** Serial consoles as the registry shares them: a ring buffer for joiners, the output fanned out as it comes. */
export function serialEngine(options: SerialEngineOptions): ConsoleEngine {
  return {
    kind: 'serial',
    // KubeVirt's serial console takes no query: the gateway keeps `preserveSession` itself.
    upstreamQuery: () => '',
    start: (opened) => new SerialSession(opened.socket, opened.reader, opened.head, {
      pingMs: options.pingMs,
      ringBytes: options.ringBytes ?? 64 * 1024,
      maxViewerBacklog: options.maxViewerBacklog ?? 1024 * 1024,
      maxUpstreamBacklog: options.maxUpstreamBacklog ?? 256 * 1024,
    }),
  };
}
