import { Histogram, Registry, type Metric } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics, LatencyHistogram } from './metrics.ts';

async function exposition(metric: Metric | LatencyHistogram): Promise<string> {
  const registry = new Registry();
  registry.registerMetric(metric as Metric);
  return registry.metrics();
}

describe('the upstream latency histogram', () => {
  it('exposes exactly what prom-client’s own Histogram would for the same observations', async () => {
    const ours = new LatencyHistogram();
    const reference = new Histogram({
      name: ours.name,
      help: ours.help,
      labelNames: ['kind'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [],
    });
    const http = ours.labels('http');
    for (const seconds of [0, 0.004, 0.005, 0.0051, 0.3, 0.3, 1, 9.99, 10, 10.5, 3600]) {
      http.observe(seconds);
      reference.observe({ kind: 'http' }, seconds);
    }
    for (const seconds of [0.02, 0.7]) {
      ours.observe({ kind: 'console' }, seconds);
      reference.observe({ kind: 'console' }, seconds);
    }
    const text = await exposition(ours);
    expect(text).toBe(await exposition(reference));
    expect(text).toContain('gatepass_gateway_upstream_latency_seconds_bucket{le="0.005",kind="http"} 3');
    expect(text).toContain('gatepass_gateway_upstream_latency_seconds_count{kind="console"} 2');
  });

  it('shows nothing for a kind never observed, and refuses a value that is not a number', async () => {
    const ours = new LatencyHistogram();
    const http = ours.labels('http');
    expect(await exposition(ours)).not.toContain('kind="http"');
    expect(() => http.observe(Number.NaN)).toThrow(TypeError);
  });

  it('is served by the gateway registry next to the request counter', async () => {
    const metrics = createMetrics();
    metrics.httpUpstreamLatency.observe(0.02);
    metrics.countRequest('proxy', 200);
    metrics.countRequest('proxy', 200);
    metrics.countRequest('proxy', 403);
    const text = await metrics.registry.metrics();
    expect(text).toContain('gatepass_gateway_upstream_latency_seconds_bucket{le="0.025",kind="http"} 1');
    expect(text).toContain('gatepass_gateway_requests_total{route="proxy",code="200"} 2');
    expect(text).toContain('gatepass_gateway_requests_total{route="proxy",code="403"} 1');
    metrics.countRequest('proxy', 200);
    expect(await metrics.registry.metrics()).toContain('gatepass_gateway_requests_total{route="proxy",code="200"} 3');
  });
});
