// Issue 8's and issue 9's targets, judged on this run's medians: PASS, MISS,
// or not run when --only left their phase out.
import { roundRatios } from '../lib/interleave.ts';
import { spread } from '../lib/stats.ts';
import { fixed } from '../lib/table.ts';
import type { WrkResult } from '../lib/wrk.ts';
import type { ApiPath, ApiResults } from './api.ts';
import type { IdleResult, IdleResults } from './idle.ts';
import { cpuPerGB, cpuRatio, GATEWAY_PATHS, markCompacts, megabytesPerSecond, p99, pathRatio, pathSpread, rssLoadOverIdle, worstRssGrowth } from './relay-figures.ts';
import type { RelayPath } from './relay-paths.ts';
import type { RelayResults } from './relay.ts';
import { gatewayCpuPerGB, isSaturated, ratioToSingle, refusal, worstP99 } from './shared-console-figures.ts';
import { VIEWER_COUNTS, type SharedResults } from './shared-console.ts';

export interface Target {
  name: string;
  measured: string;
  goal: string;
  result: 'PASS' | 'MISS' | 'not run';
}

type Judged = Pick<Target, 'measured' | 'result'>;

/** A target of one phase: its name and goal stand in the table even when the phase did not run. */
interface Judge<T> {
  name: string;
  goal: string;
  judge(results: T): Judged;
}

const judged = (measured: string, pass: boolean): Judged => ({ measured, result: pass ? 'PASS' : 'MISS' });
const percent = (ratio: number): string => `${fixed(ratio * 100, 1)} %`;
const mib = (kib: number): string => fixed(kib / 1024, 0);

const RELAY: Judge<RelayResults>[] = [
  {
    name: 'Relay CPU-s per GB, gateway ÷ stand-in websocket (gatepass → wss, same runs)',
    goal: '≤ 1×',
    judge: (r) => {
      const ratio = cpuRatio(r, 'gatepass → wss', 'gateway', 'stand-in').median;
      const gateway = pathSpread(r, 'gatepass → wss', cpuPerGB('gateway')).median;
      const standIn = pathSpread(r, 'gatepass → wss', cpuPerGB('stand-in')).median;
      return judged(`${fixed(ratio, 2)}× (${fixed(gateway, 2)} vs ${fixed(standIn, 2)} CPU-s/GB)`, ratio <= 1);
    },
  },
  {
    name: 'Update p99, Gatepass ÷ stand-in wss alone',
    goal: '≤ 1.5×',
    judge: (r) => {
      const ratio = pathRatio(r, 'gatepass → wss', 'stand-in wss', p99).median;
      const ms = (path: RelayPath): string => fixed(pathSpread(r, path, p99).median, 1);
      return judged(`${fixed(ratio, 2)}× (${ms('gatepass → wss')} vs ${ms('stand-in wss')} ms)`, ratio <= 1.5);
    },
  },
  {
    name: 'Mark-Compact collections in the gateway while relaying (every gateway run)',
    goal: '0',
    judge: (r) => {
      const counts = GATEWAY_PATHS.map((p) => [p, markCompacts(r, p).reduce((a, b) => a + b, 0)] as const);
      const total = counts.reduce((sum, [, n]) => sum + n, 0);
      return judged(`${total} (${counts.map(([p, n]) => `${p}: ${n}`).join('; ')})`, total === 0);
    },
  },
  {
    name: 'Gateway RSS under full load ÷ idle RSS just before (worst run)',
    goal: '≤ 1.5×',
    judge: (r) => {
      const { path, run } = worstRssGrowth(r);
      const growth = rssLoadOverIdle(run);
      return judged(`${fixed(growth, 2)}× (${mib(run.gateway!.idleRssKiB)} → ${mib(run.gateway!.loadRssKiB)} MiB, ${path})`, growth <= 1.5);
    },
  },
  {
    name: 'MB/s, Gatepass ÷ stand-in alone over plain HTTP (TLS in brackets)',
    goal: '≥ 75 %',
    judge: (r) => {
      const plain = pathRatio(r, 'gatepass → ws', 'stand-in ws', megabytesPerSecond).median;
      const tls = pathRatio(r, 'gatepass → wss', 'stand-in wss', megabytesPerSecond).median;
      return judged(`${percent(plain)} (TLS: ${percent(tls)})`, plain >= 0.75);
    },
  },
  {
    name: 'View-only slowdown vs full control (MB/s, TLS upstream)',
    goal: '≤ 5 %',
    judge: (r) => {
      const ratio = pathRatio(r, 'gatepass view-only → wss', 'gatepass → wss', megabytesPerSecond).median;
      // Negative: view-only ran faster in this run, which is noise, not a feature.
      return judged(`${percent(1 - ratio)} (view-only ÷ full control: ${fixed(ratio, 2)}×)`, 1 - ratio <= 0.05);
    },
  },
];

const IDLE: Judge<IdleResults>[] = [
  {
    name: 'RSS per idle console through Gatepass, 1,000 open, TLS upstream (plain HTTP and the baseline relay in brackets)',
    goal: '≤ 56 KiB (aim 48)',
    judge: (idle) => {
      const kib = (r: IdleResult): string => `${fixed(r.rssPerConsoleKiB, 1)} KiB`;
      const beside = [`plain HTTP: ${kib(idle.gatepassPlain)}`, ...(idle.baseline ? [`${idle.baseline.ref}: ${kib(idle.baseline.result)}`] : [])];
      return judged(`${kib(idle.gatepass)} (${beside.join('; ')})`, idle.gatepass.rssPerConsoleKiB <= 56);
    },
  },
];

const API: Judge<ApiResults>[] = [
  {
    name: 'API requests/s, Gatepass ÷ kubectl proxy (p99s in brackets)',
    goal: '≥ 0.9×',
    judge: (a) => {
      const ratio = spread(roundRatios(a.wrk.gatepass, a.wrk['kubectl proxy'], (w) => w.requestsPerSecond)).median;
      const median = (path: ApiPath, figure: (w: WrkResult) => number): number => spread(a.wrk[path].map(figure)).median;
      const rps = `${fixed(median('gatepass', (w) => w.requestsPerSecond), 0)} vs ${fixed(median('kubectl proxy', (w) => w.requestsPerSecond), 0)} req/s`;
      const p99s = `p99 ${fixed(median('gatepass', (w) => w.p99Ms), 2)} vs ${fixed(median('kubectl proxy', (w) => w.p99Ms), 2)} ms`;
      return judged(`${fixed(ratio, 2)}× (${rps}; ${p99s})`, ratio >= 0.9);
    },
  },
];

const SHARED: Judge<SharedResults>[] = [
  {
    name: 'Shared console: gateway CPU-s per GB delivered, 20 viewers ÷ 1 viewer (issue 9)',
    goal: '≤ 0.7×',
    judge: (s) => {
      const ratio = ratioToSingle(s, 20, gatewayCpuPerGB);
      if (!ratio) return judged(`not measured: ${refusal(s, 20) ?? refusal(s, 1)}`, false);
      return judged(`${fixed(ratio.median, 2)}×${isSaturated(s, 20) ? ' (20 viewers saturated)' : ''}`, ratio.median <= 0.7);
    },
  },
  {
    name: 'Shared console: worst viewer\'s update p99 ÷ single viewer\'s, at each viewer count below saturation (issue 9)',
    goal: '≤ 1.5×',
    judge: (s) => {
      const counts = VIEWER_COUNTS.filter((n) => n > 1);
      const refused = counts.map((n) => refusal(s, n)).find((r) => r !== undefined);
      if (refused !== undefined) return judged(`not measured: ${refused}`, false);
      const judgedCounts = counts.filter((n) => !isSaturated(s, n));
      const cell = (n: (typeof counts)[number]): string => `${n}: ${fixed(ratioToSingle(s, n, worstP99)!.median, 2)}×${judgedCounts.includes(n) ? '' : ' (saturated, not judged)'}`;
      const pass = judgedCounts.length > 0 && judgedCounts.every((n) => ratioToSingle(s, n, worstP99)!.median <= 1.5);
      return judged(judgedCounts.length > 0 ? counts.map(cell).join('; ') : `every count saturated (${counts.map(cell).join('; ')})`, pass);
    },
  },
];

function judgeAll<T>(list: readonly Judge<T>[], results: T | undefined): Target[] {
  return list.map(({ name, goal, judge }) => ({ name, goal, ...(results === undefined ? { measured: '—', result: 'not run' as const } : judge(results)) }));
}

export function targets(results: { relay?: RelayResults; api?: ApiResults; idle?: IdleResults; shared?: SharedResults }): Target[] {
  return [...judgeAll(RELAY, results.relay), ...judgeAll(IDLE, results.idle), ...judgeAll(API, results.api), ...judgeAll(SHARED, results.shared)];
}
