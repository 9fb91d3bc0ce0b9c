import { describe, expect, it } from 'vitest';
import { firstSaturation, gatewayCpuPerGB, ratioToSingle, saturation, worstP99 } from '../bench/gateway/shared-console-figures.ts';
import type { SharedResults, SharedRun, ViewerCount } from '../bench/gateway/shared-console.ts';
import { sharedConsoleReport } from '../bench/gateway/shared-console-report.ts';
import { targets } from '../bench/gateway/targets.ts';
import type { Collections } from '../bench/lib/gc-trace.ts';

const FPS = 30;

/** A run over one second: `gatewayMs` of gateway CPU, `bytesPerViewer` to each viewer, each viewer's p99 from `p99s`. */
function run(viewers: ViewerCount, figures: { gatewayMs?: number; viewersMs?: number; p99s?: number[]; updatesPerSecond?: number; bytesPerViewer?: number; gc?: Collections; cpuWaitMs?: SharedRun['cpuWaitMs'] } = {}): SharedRun {
  const p99s = figures.p99s ?? Array.from({ length: viewers }, () => 10);
  const bytes = figures.bytesPerViewer ?? 10e6;
  return {
    viewers,
    windowMs: 1000,
    bytes: bytes * viewers,
    perViewer: p99s.map((p99Ms) => ({ count: 30, p50Ms: p99Ms / 2, p99Ms, maxMs: p99Ms, updatesPerSecond: figures.updatesPerSecond ?? FPS, bytes })),
    cpuMs: { gateway: figures.gatewayMs ?? 100, standIn: 50, upstream: 20, viewers: figures.viewersMs ?? 100 },
    gatewayGc: figures.gc ?? { full: 0, minor: 12 },
    cpuWaitMs: figures.cpuWaitMs ?? { gateway: 15, viewers: 60 },
    machineCores: 1,
    viewersLoopDelayP99Ms: 10,
    cores: 2,
  };
}

/** The report's per-count figures table: its header cells, and the cells of a viewer count's row. */
function figuresTableOf(r: SharedResults): { header: string[]; row: (count: number) => string[] } {
  const lines = sharedConsoleReport(r).join('\n').split('\n');
  const cells = (line: string): string[] => line.split('|').slice(1, -1).map((c) => c.trim());
  const header = cells(lines.find((l) => l.startsWith('| viewers') && l.includes('gateway minor GCs'))!);
  return { header, row: (count) => cells(lines.find((l) => cells(l)[0] === String(count) && cells(l).length === header.length)!) };
}

const refused = (viewers: ViewerCount): SharedRun => ({
  viewers, refused: 'viewer 2 of 2: closed with 4409 someone else is using this console', windowMs: 0, bytes: 0, perViewer: [],
  cpuMs: { gateway: 0, standIn: 0, upstream: 0, viewers: 0 }, gatewayGc: { full: 0, minor: 0 }, cpuWaitMs: { gateway: 0, viewers: 0 }, machineCores: 0, viewersLoopDelayP99Ms: 0, cores: 2,
});

function results(runs: Record<ViewerCount, SharedRun[]>): SharedResults {
  return { seconds: 1, warmupUpdates: 1, repeats: runs[1].length, fps: FPS, changeBytes: 300_000, runs };
}

const shared = (r: SharedResults) => targets({ shared: r }).filter((t) => t.name.startsWith('Shared console'));

describe('shared console figures', () => {
  it('says what ran out: a gateway at a full core, viewers falling behind the screen, the benchmark filling the machine', () => {
    expect(saturation(run(5), FPS)).toEqual([]);
    expect(saturation(run(20, { gatewayMs: 960 }), FPS)).toEqual(['gateway at 96 % of a core']);
    expect(saturation(run(20, { updatesPerSecond: 20 }), FPS)).toEqual([`viewers get 20.0 of ${FPS} updates/s`]);
    expect(saturation(run(20, { gatewayMs: 850, viewersMs: 1000 }), FPS)).toEqual([
      "viewers' process at 100 % of a core",
      "the benchmark's processes at 1.92 of 2 cores",
    ]);
  });

  it('divides by the single viewer of the same round, and judges p99 only below saturation', () => {
    const r = results({
      1: [run(1, { gatewayMs: 100, p99s: [10] }), run(1, { gatewayMs: 200, p99s: [20] })],
      2: [run(2, { gatewayMs: 100 }), run(2, { gatewayMs: 200, p99s: [20, 30] })],
      5: [run(5), run(5, { p99s: [20, 20, 20, 20, 25] })],
      20: [run(20, { gatewayMs: 960 }), run(20, { gatewayMs: 990, p99s: Array.from({ length: 20 }, () => 80) })],
    });
    // 1 viewer: 100 ms per 10 MB; 2 viewers: 100 ms per 20 MB, half as much per GB delivered.
    expect(gatewayCpuPerGB(r.runs[1][0]!)).toBeCloseTo(10);
    expect(ratioToSingle(r, 2, gatewayCpuPerGB)).toEqual({ median: 0.5, min: 0.5, max: 0.5 });
    expect(ratioToSingle(r, 2, worstP99)).toEqual({ median: 1.25, min: 1, max: 1.5 });
    expect(firstSaturation(r)).toEqual({ viewers: 20, reasons: ['gateway at 96 % of a core', 'gateway at 99 % of a core'] });
    const [cpu, p99] = shared(r);
    // 20 viewers: 960 ms for 200 MB against 100 ms for 10 MB, so 0.48×; the second round 990/200 ÷ 200/10 ≈ 0.25×.
    expect(cpu).toMatchObject({ result: 'PASS', measured: '0.36× (20 viewers saturated)' });
    expect(p99).toMatchObject({ result: 'PASS', measured: '2: 1.25×; 5: 1.13×; 20: 2.50× (saturated, not judged)' });
  });

  it('misses a p99 target that a viewer count below saturation exceeds', () => {
    const r = results({ 1: [run(1)], 2: [run(2, { p99s: [10, 16] })], 5: [run(5)], 20: [run(20)] });
    expect(shared(r)[1]).toMatchObject({ result: 'MISS', measured: '2: 1.60×; 5: 1.00×; 20: 1.00×' });
  });

  it('misses both targets, saying why, when the gateway refused the extra viewers', () => {
    const r = results({ 1: [run(1)], 2: [refused(2)], 5: [refused(5)], 20: [refused(20)] });
    expect(ratioToSingle(r, 2, worstP99)).toBeUndefined();
    expect(firstSaturation(r)).toBeUndefined();
    for (const target of shared(r)) {
      expect(target).toMatchObject({ result: 'MISS', measured: 'not measured: viewer 2 of 2: closed with 4409 someone else is using this console' });
    }
  });

  it("shows the gateway's garbage collections over each window, per viewer count", () => {
    const r = results({
      1: [run(1, { gc: { full: 0, minor: 9 } }), run(1, { gc: { full: 0, minor: 11 } })],
      2: [run(2), run(2)],
      5: [run(5), run(5)],
      20: [run(20, { gc: { full: 1, minor: 40 } }), run(20, { gc: { full: 3, minor: 60 } })],
    });
    const { header, row } = figuresTableOf(r);
    const [full, minor] = [header.indexOf('gateway Mark-Compact GCs'), header.indexOf('gateway minor GCs')];
    expect([row(1)[full], row(1)[minor]]).toEqual(['0', '10 (9–11)']);
    expect([row(20)[full], row(20)[minor]]).toEqual(['2 (1–3)', '50 (40–60)']);
  });

  it('shows how long the gateway and the viewer threads waited for a CPU, per update', () => {
    const r = results({
      1: [run(1, { cpuWaitMs: { gateway: 3, viewers: 6 } }), run(1, { cpuWaitMs: { gateway: 3, viewers: 6 } })],
      2: [run(2), run(2)],
      5: [run(5), run(5)],
      20: [run(20, { cpuWaitMs: { gateway: 60, viewers: 300 } }), run(20, { cpuWaitMs: { gateway: 90, viewers: 300 } })],
    });
    const { header, row } = figuresTableOf(r);
    const [gateway, viewers] = [header.indexOf('gateway waiting for a CPU, per update'), header.indexOf('viewer threads waiting for a CPU, per update')];
    // 30 updates in each one-second window.
    expect([row(1)[gateway], row(1)[viewers]]).toEqual(['0.10 ms', '0.20 ms']);
    expect([row(20)[gateway], row(20)[viewers]]).toEqual(['2.50 ms (2.00–3.00)', '10.00 ms']);
  });
});
