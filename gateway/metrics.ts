import { Counter, Gauge, Registry, collectDefaultMetrics, type Metric } from 'prom-client';

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

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A sample line as prom-client's registry reads it: `name_bucket{le="0.1",kind="http"} 3`. */
interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName: string;
}

/** One label value's observations: a count per bucket (cumulated when read), their sum and their number. */
interface Series {
  readonly perBucket: Float64Array;
  sum: number;
  count: number;
}

/**
 * Upstream latency by kind, a Prometheus histogram counted in typed arrays.
 * prom-client's Histogram turns each bucket bound into a string key and
 * calls into the V8 runtime on every observe(): about 2% of the gateway's
 * CPU under load, for one observation per proxied request. This one is
 * registered in its place and exposes exactly what prom-client's would (a
 * test compares the two).
 */
export class LatencyHistogram {
  readonly name = 'gatepass_gateway_upstream_latency_seconds';
  readonly help = 'Time until the API server answered (headers, or the websocket handshake).';
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #series = new Map<string, Series>();

  observe(labels: { kind: string }, seconds: number): void {
    this.labels(labels.kind).observe(seconds);
  }

  /** An observer for one kind, to hold on to: the label is looked up once. */
  labels(kind: string): { observe(seconds: number): void } {
    let series = this.#series.get(kind);
    if (!series) this.#series.set(kind, (series = { perBucket: new Float64Array(LATENCY_BUCKETS.length), sum: 0, count: 0 }));
    const counted = series;
    return {
      observe(seconds) {
        if (!Number.isFinite(seconds)) throw new TypeError(`Value is not a valid number: ${seconds}`);
        const bucket = LATENCY_BUCKETS.findIndex((bound) => seconds <= bound);
        if (bucket >= 0) counted.perBucket[bucket]! += 1;
        counted.sum += seconds;
        counted.count += 1;
      },
    };
  }

  /** What prom-client's registry reads from a metric. */
  async get(): Promise<{ name: string; help: string; type: 'histogram'; values: Sample[]; aggregator: 'sum' }> {
    const values: Sample[] = [];
    for (const [kind, series] of this.#series) {
      if (series.count === 0) continue;
      let cumulated = 0;
      LATENCY_BUCKETS.forEach((le, i) => {
        cumulated += series.perBucket[i]!;
        values.push({ labels: { le, kind }, value: cumulated, metricName: `${this.name}_bucket` });
      });
      values.push(
        { labels: { le: '+Inf', kind }, value: series.count, metricName: `${this.name}_bucket` },
        { labels: { kind }, value: series.sum, metricName: `${this.name}_sum` },
        { labels: { kind }, value: series.count, metricName: `${this.name}_count` },
      );
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

/** The gateway's Prometheus metrics, on a registry of their own (served on --metrics-listen). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gatepass_gateway_' });
  const upstreamLatency = new LatencyHistogram();
  // The registry reads any object with a name, help, type, aggregator and get(); its types list only prom-client's own classes.
  registry.registerMetric(upstreamLatency as unknown as Metric);
  return {
    registry,
    countRequest: requestCounter(registry),
    rejections: new Counter({ name: 'gatepass_gateway_token_rejections_total', help: 'Requests refused because of their token, by reason.', labelNames: ['reason'] as const, registers: [registry] }),
    consoles: new Gauge({ name: 'gatepass_gateway_console_sessions', help: 'Console websocket sessions open now.', registers: [registry] }),
    bytes: new Counter({ name: 'gatepass_gateway_console_bytes_total', help: 'Bytes relayed on console sessions, by direction.', labelNames: ['direction'] as const, registers: [registry] }),
    janitorRemoved: new Counter({ name: 'gatepass_gateway_janitor_removed_total', help: 'Use counters and revocation entries of expired links this replica removed, by kind.', labelNames: ['kind'] as const, registers: [registry] }),
    upstreamLatency,
    /** Proxied HTTP requests' share of `upstreamLatency`. */
    httpUpstreamLatency: upstreamLatency.labels('http'),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
