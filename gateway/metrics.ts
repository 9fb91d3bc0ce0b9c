import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The gateway's Prometheus metrics, on a registry of their own (served on --metrics-listen). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gatepass_gateway_' });
  return {
    registry,
    requests: new Counter({ name: 'gatepass_gateway_requests_total', help: 'HTTP requests by route and status code.', labelNames: ['route', 'code'] as const, registers: [registry] }),
    rejections: new Counter({ name: 'gatepass_gateway_token_rejections_total', help: 'Requests refused because of their token, by reason.', labelNames: ['reason'] as const, registers: [registry] }),
    consoles: new Gauge({ name: 'gatepass_gateway_console_sessions', help: 'Console websocket sessions open now.', registers: [registry] }),
    bytes: new Counter({ name: 'gatepass_gateway_console_bytes_total', help: 'Bytes relayed on console sessions, by direction.', labelNames: ['direction'] as const, registers: [registry] }),
    upstreamLatency: new Histogram({
      name: 'gatepass_gateway_upstream_latency_seconds',
      help: 'Time until the API server answered (headers, or the websocket handshake).',
      labelNames: ['kind'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
