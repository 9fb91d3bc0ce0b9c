// The run's figures as Markdown: each phase that ran, the machine's other
// load, and issue 8's and issue 9's targets as PASS/MISS.
import { roundRatios } from '../lib/interleave.ts';
import { spread } from '../lib/stats.ts';
import { counted, fixed, fixedSpread, markdownTable } from '../lib/table.ts';
import { API_PATHS, type ApiResults } from './api.ts';
import type { IdleResult, IdleResults } from './idle.ts';
import type { Phase } from './options.ts';
import { relayReport } from './relay-report.ts';
import type { RelayResults } from './relay.ts';
import { sharedConsoleReport } from './shared-console-report.ts';
import type { SharedResults } from './shared-console.ts';
import { targets } from './targets.ts';
import type { TokenResults } from './tokens.ts';

export interface BenchResults {
  phases: Phase[];
  relay?: RelayResults;
  api?: ApiResults;
  idle?: IdleResults;
  tokens?: TokenResults;
  shared?: SharedResults;
  /** Cores busy outside this run during each phase: other people's load on a shared machine. */
  otherLoad: Record<string, number>;
}

const mib = (value: number): string => `${fixed(value / 1024, 1)} MiB`;
const kib = (value: number): string => `${fixed(value, 1)} KiB`;

function apiReport(api: ApiResults): string[] {
  const cells = <R>(runs: readonly R[], figure: (r: R) => number, digits: number, unit: string): string => fixedSpread(spread(runs.map(figure)), digits, unit);
  const perDirect = (path: 'gatepass' | 'kubectl proxy'): string =>
    fixedSpread(spread(roundRatios(api.wrk[path], api.wrk.direct, (w) => w.requestsPerSecond)), 2, '×');
  return [
    `### API proxy, small GET (${api.wrkArgs}; median (min–max) of ${counted(api.repeats, 'interleaved run')})`,
    '',
    markdownTable(['path', 'requests/s', 'p50', 'p99'], API_PATHS.map((p) => {
      const w = api.wrk[p];
      return [p, cells(w, (r) => r.requestsPerSecond, 0, ''), cells(w, (r) => r.p50Ms, 2, ' ms'), cells(w, (r) => r.p99Ms, 2, ' ms')];
    })),
    '',
    `Requests/s ÷ direct, per round: Gatepass ${perDirect('gatepass')}; kubectl proxy ${perDirect('kubectl proxy')}.`,
    '',
    `### API proxy at a fixed ${api.ratePerSecond} requests/s (open loop, Node keep-alive client; median (min–max) of ${counted(api.repeats, 'interleaved run')})`,
    '',
    markdownTable(['path', 'sent/s', 'p50', 'p99', 'max'], API_PATHS.map((p) => {
      const f = api.fixedRate[p];
      return [p, cells(f, (r) => r.achievedPerSecond, 0, ''), cells(f, (r) => r.p50Ms, 2, ' ms'), cells(f, (r) => r.p99Ms, 2, ' ms'), cells(f, (r) => r.maxMs, 2, ' ms')];
    })),
  ];
}

function idleRow(name: string, i: IdleResult): string[] {
  return [
    name, String(i.consoles), String(i.open.processes), mib(i.before.rssKiB), mib(i.open.rssKiB), mib(i.afterClose.rssKiB),
    kib(i.rssPerConsoleKiB), kib(i.pssPerConsoleKiB), `${fixed(i.idleCpuPercent, 2)} %`, `${fixed(i.openSeconds, 1)} s`,
  ];
}

/** RSS per console split by the gateway's own metrics; native is what RSS holds beyond the heap and external. */
function idleMemoryRow(name: string, i: IdleResult): string[] {
  const m = i.memoryPerConsole!;
  return [name, kib(i.rssPerConsoleKiB), kib(m.heapKiB), kib(m.youngKiB), kib(m.oldInUseKiB), kib(m.externalKiB), kib(i.rssPerConsoleKiB - m.heapKiB - m.externalKiB)];
}

function idleReport(idle: IdleResults): string[] {
  const gateways: Array<[string, IdleResult]> = [
    ['gatepass, TLS upstream', idle.gatepass],
    ['gatepass, plain HTTP upstream', idle.gatepassPlain],
    ...(idle.baseline ? [[`gatepass ${idle.baseline.ref}, TLS upstream`, idle.baseline.result] as [string, IdleResult]] : []),
  ];
  return [
    `### Idle consoles (a fresh gateway each; CPU over ${idle.gatepass.idleSeconds} s idle; RSS/PSS per console = (open − before) ÷ consoles)`,
    '',
    markdownTable(
      ['relay', 'consoles', 'processes', 'RSS before', 'RSS open', 'RSS after close', 'RSS/console', 'PSS/console', 'idle CPU', 'open all'],
      [...gateways.map(([name, result]) => idleRow(name, result)), idleRow('websockify', idle.websockify)],
    ),
    '',
    'Where the gateway\'s RSS per console went, by its own metrics (per console, open − before; no collection forced). The young generation grows to a fixed cap under any load, so its share shrinks as consoles are added; native is RSS beyond the heap held and external (sockets, OpenSSL for a TLS upstream, malloc).',
    '',
    markdownTable(
      ['gateway', 'RSS', 'heap held', 'of it young generation', 'old generation in use', 'external', 'native'],
      gateways.map(([name, result]) => idleMemoryRow(name, result)),
    ),
    '',
    `Idle RSS per console, websockify ÷ Gatepass (TLS upstream): ${fixed(idle.websockify.rssPerConsoleKiB / idle.gatepass.rssPerConsoleKiB, 1)}× (PSS ${fixed(idle.websockify.pssPerConsoleKiB / idle.gatepass.pssPerConsoleKiB, 1)}×).`,
  ];
}

function tokenReport(tokens: TokenResults): string[] {
  return [
    '### Token verification (in-process, RS256, one token)',
    '',
    markdownTable(['verification', 'checks/s'], [['cold (cache off)', fixed(tokens.coldPerSecond, 0)], ['cached', fixed(tokens.cachedPerSecond, 0)]]),
    '',
    `Cached ÷ cold: ${fixed(tokens.cachedPerSecond / tokens.coldPerSecond, 0)}×.`,
  ];
}

export function renderReport(r: BenchResults): string {
  const sections: string[][] = [
    r.relay ? relayReport(r.relay) : [],
    r.api ? apiReport(r.api) : [],
    r.idle ? idleReport(r.idle) : [],
    r.tokens ? tokenReport(r.tokens) : [],
    r.shared ? sharedConsoleReport(r.shared) : [],
    [
      '### Other load on the machine (average cores busy outside this benchmark, per phase)',
      '',
      markdownTable(['phase', 'other cores busy'], Object.entries(r.otherLoad).map(([phase, cores]) => [phase, fixed(cores, 2)])),
    ],
    [
      '### Targets (issues 8 and 9; judged on medians)',
      '',
      'A ratio is the median of the per-round ratios, so it need not equal the ratio of the two medians quoted beside it.',
      '',
      markdownTable(['target', 'measured', 'goal', 'result'], targets(r).map((t) => [t.name, t.measured, t.goal, t.result])),
    ],
  ];
  return sections.filter((s) => s.length > 0).map((s) => s.join('\n')).join('\n\n');
}
