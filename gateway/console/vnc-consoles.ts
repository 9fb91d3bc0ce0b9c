import type { ConsoleEngine } from './shared-console.ts';
import { VncSession } from './vnc-session.ts';

export interface VncEngineOptions {
  pingMs: number;
  maxViewerBacklog?: number;
  maxRefreshes?: number;
  refreshWindowMs?: number;
  maxUpstreamBacklog?: number;
}

/** VNC consoles as the registry shares them: one RFB session upstream, every viewer's handshake answered by the gateway. */
export function vncEngine(options: VncEngineOptions): ConsoleEngine {
  return {
    kind: 'vnc',
    // Opening the console pushes off whoever has it (outside the gateway, say virtctl) only for a take-over.
    upstreamQuery: (takes) => (takes ? '' : 'preserveSession=true'),
    start: (opened) => new VncSession(opened.socket, opened.reader, opened.head, {
      pingMs: options.pingMs,
      maxViewerBacklog: options.maxViewerBacklog ?? 4 * 1024 * 1024,
      maxRefreshes: options.maxRefreshes ?? 3,
      refreshWindowMs: options.refreshWindowMs ?? 30_000,
      maxUpstreamBacklog: options.maxUpstreamBacklog ?? 256 * 1024,
    }),
  };
}
