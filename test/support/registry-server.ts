// A console registry on a plain HTTP server, in front of a local websocket
// server standing in for the API server: what the registry's unit tests (one
// per engine) share. Each upgrade is opened for team-a/web-1, with the
// viewer's own query saying what a token would (`viewOnly`, `preserveSession`,
// `presence`, `name`, `expiresInMs`).
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConsoleKind } from '../../shared/kubevirt-paths.ts';
import { consoleKindPath } from '../../shared/kubevirt-paths.ts';
import type { ConsoleLeaseApi } from '../../gateway/console/console-lease.ts';
import { ConsoleProxy } from '../../gateway/console/console-proxy.ts';
import { ConsoleRegistry, type SharedConsoleOutcome } from '../../gateway/console/console-registry.ts';
import type { ConsoleEngine } from '../../gateway/console/shared-console.ts';
import type { Logger } from '../../gateway/log.ts';
import type { Upstream } from '../../gateway/upstream.ts';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as unknown as Logger;

export interface RegistryServer {
  url: string;
  proxy: ConsoleProxy;
  consoles: ConsoleRegistry;
  bytes: { fromViewers: number; toViewers: number };
  close(): void;
}

export async function startRegistryServer(
  upstreamPort: number, kind: ConsoleKind, engine: ConsoleEngine, leases: ConsoleLeaseApi,
  options: { pingMs?: number; leaseDurationMs?: number; opened?: (outcome: SharedConsoleOutcome) => void } = {},
): Promise<RegistryServer> {
  const upstream = { url: new URL(`http://127.0.0.1:${upstreamPort}/`), bearerToken: () => 'sa-token', websocketTls: { rejectUnauthorized: true } } as unknown as Upstream;
  const proxy = new ConsoleProxy(upstream, { pingMs: options.pingMs ?? 60_000, connectTimeoutMs: 2000 });
  const consoles = new ConsoleRegistry(upstream, proxy, leases, engine, { connectTimeoutMs: 2000, leaseDurationMs: options.leaseDurationMs ?? 30_000, identity: 'replica-a', log: quiet });
  const bytes = { fromViewers: 0, toViewers: 0 };
  const server = http.createServer();
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => undefined);
    const query = new URL(req.url ?? '/', 'http://x').searchParams;
    void consoles.open(req, socket, head, {
      namespace: 'team-a', name: 'web-1', upstreamPath: consoleKindPath(kind, 'team-a', 'web-1'),
      expiresAt: Date.now() + Number(query.get('expiresInMs') ?? 60_000), viewOnly: query.get('viewOnly') === 'true', preserveSession: query.get('preserveSession') === 'true',
      viewerName: query.get('name') ?? 'someone', presence: query.get('presence') === 'true',
      mayForward: false, client: req.socket.remoteAddress,
    }, {
      onBytes: (fromViewer, toViewer) => {
        bytes.fromViewers += fromViewer;
        bytes.toViewers += toViewer;
      },
      onUpstreamLatency: () => undefined,
    }).then((outcome) => options.opened?.(outcome));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    proxy,
    consoles,
    bytes,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
