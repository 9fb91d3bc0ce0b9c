import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * HTTP requests by route and status, counted in plain maps and handed to
 * prom-client when the registry is read: labelling the counter on every
 * request (hashing and validating the labels) cost more than the count itself.
 */
function requestCounter(registry: Registry) {
  const pending = new Map<string, Map<number, number>>();
  new Counter({
    name: 'gatepass_gateway_requests_total',
    help: 'HTTP requests by route and status code.',
    labelNames: ['route', 'code'] as const,
    registers: [registry],
    collect() {
      for (const [route, byStatus] of pending) {
        for (const [status, count] of byStatus) if (count > 0) this.inc({ route, code: String(status) }, count);
        byStatus.clear();
      }
    },
  });
  return (route: string, status: number): void => {
    let byStatus = pending.get(route);
    if (!byStatus) pending.set(route, (byStatus = new Map()));
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  };
}

/** The gateway's Prometheus metrics, on a registry of their own (served on --metrics-listen). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gatepass_gateway_' });
  const upstreamLatency = new Histogram({
    name: 'gatepass_gateway_upstream_latency_seconds',
    help: 'Time until the API server answered (headers, or the websocket handshake).',
    labelNames: ['kind'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return {
    registry,
    countRequest: requestCounter(registry),
    rejections: new Counter({ name: 'gatepass_gateway_token_rejections_total', help: 'Requests refused because of their token, by reason.', labelNames: ['reason'] as const, registers: [registry] }),
    consoles: new Gauge({ name: 'gatepass_gateway_console_sessions', help: 'Console websocket sessions open now.', registers: [registry] }),
    bytes: new Counter({ name: 'gatepass_gateway_console_bytes_total', help: 'Bytes relayed on console sessions, by direction.', labelNames: ['direction'] as const, registers: [registry] }),
    upstreamLatency,
    /** Proxied HTTP requests' share of `upstreamLatency`, labelled once rather than per request. */
    httpUpstreamLatency: upstreamLatency.labels('http'),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
