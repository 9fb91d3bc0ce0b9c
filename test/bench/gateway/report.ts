// The run's figures as Markdown tables, and the targets from issue 3 §8 as
// ratios from this same run, each marked PASS or MISS.
import { fixed, markdownTable } from '../lib/table.ts';
import type { RfbLoadResult } from '../lib/rfb-load.ts';
import type { ApiResults } from './api.ts';
import type { IdleResult } from './idle.ts';
import { RELAY_PATHS, type RelayPath } from './relay.ts';
import type { TokenResults } from './tokens.ts';

export interface BenchResults {
  api: ApiResults;
  relay: Record<RelayPath, RfbLoadResult>;
  idle: { gatepass: IdleResult; websockify: IdleResult };
  tokens: TokenResults;
  /** Cores busy outside this run during each phase: other people's load on a shared machine. */
  otherLoad: Record<string, number>;
}

export interface Target {
  name: string;
  measured: string;
  goal: string;
  pass: boolean;
}

const ms = (value: number): string => `${fixed(value, 2)} ms`;
const mib = (kib: number): string => `${fixed(kib / 1024, 1)} MiB`;

export function targets(r: BenchResults): Target[] {
  const gw = r.api.wrk.gatepass;
  const kp = r.api.wrk['kubectl proxy'];
  const rps = gw.requestsPerSecond / kp.requestsPerSecond;
  const p99 = gw.p99Ms / kp.p99Ms;
  const throughput = r.relay.gatepass.megabytesPerSecond / r.relay['stand-in websocket'].megabytesPerSecond;
  const updateP99 = r.relay.gatepass.p99Ms / r.relay['stand-in websocket'].p99Ms;
  const perConsole = r.idle.gatepass.rssPerConsoleKiB;
  const added = r.api.fixedRate.gatepass.p99Ms - r.api.fixedRate.direct.p99Ms;
  return [
    { name: 'API requests/s, Gatepass ÷ kubectl proxy', measured: `${fixed(rps, 2)}×`, goal: '≥ 2×', pass: rps >= 2 },
    { name: 'API p99, Gatepass ÷ kubectl proxy', measured: `${fixed(p99, 2)}×`, goal: '≤ 0.5×', pass: p99 <= 0.5 },
    { name: 'Console MB/s, Gatepass ÷ stand-in websocket alone', measured: `${fixed(throughput * 100, 1)} %`, goal: '≥ 85 %', pass: throughput >= 0.85 },
    { name: 'Console p99 per update, Gatepass ÷ stand-in websocket alone', measured: `${fixed(updateP99, 2)}×`, goal: '≤ 1.3×', pass: updateP99 <= 1.3 },
    { name: 'RSS per idle console through Gatepass', measured: `${fixed(perConsole, 1)} KiB`, goal: '≤ 64 KiB', pass: perConsole <= 64 },
    { name: `p99 added at ${r.api.ratePerSecond} requests/s (Gatepass − direct)`, measured: ms(added), goal: '≤ 1 ms', pass: added <= 1 },
  ];
}

function idleRow(name: string, i: IdleResult): string[] {
  return [
    name, String(i.consoles), String(i.open.processes), mib(i.before.rssKiB), mib(i.open.rssKiB), mib(i.afterClose.rssKiB),
    `${fixed(i.rssPerConsoleKiB, 1)} KiB`, `${fixed(i.pssPerConsoleKiB, 1)} KiB`, `${fixed(i.idleCpuPercent, 2)} %`, `${fixed(i.openSeconds, 1)} s`,
  ];
}

export function renderReport(r: BenchResults): string {
  const apiPaths = ['gatepass', 'kubectl proxy', 'direct'] as const;
  const sections = [
    `### API proxy, small GET (${r.api.wrkArgs})`,
    markdownTable(['path', 'requests/s', 'p50', 'p99'], apiPaths.map((p) => {
      const w = r.api.wrk[p];
      return [p, fixed(w.requestsPerSecond, 0), ms(w.p50Ms), ms(w.p99Ms)];
    })),
    '',
    `### API proxy at a fixed ${r.api.ratePerSecond} requests/s (open loop, Node keep-alive client)`,
    markdownTable(['path', 'sent/s', 'p50', 'p99', 'max'], apiPaths.map((p) => {
      const f = r.api.fixedRate[p];
      return [p, fixed(f.achievedPerSecond, 0), ms(f.p50Ms), ms(f.p99Ms), ms(f.maxMs)];
    })),
    '',
    `### Console relay, Xvnc ${r.relay['direct TCP'].screen.width}x${r.relay['direct TCP'].screen.height}, Raw, full-screen non-incremental requests`,
    markdownTable(['path', 'MB/s', 'updates/s', 'p50 per update', 'p99 per update'], RELAY_PATHS.map((p) => {
      const x = r.relay[p];
      return [p, fixed(x.megabytesPerSecond, 0), fixed(x.updatesPerSecond, 1), ms(x.p50Ms), ms(x.p99Ms)];
    })),
    '',
    `### Idle consoles (CPU over ${r.idle.gatepass.idleSeconds} s idle; RSS/PSS per console = (open − before) ÷ consoles)`,
    markdownTable(
      ['relay', 'consoles', 'processes', 'RSS before', 'RSS open', 'RSS after close', 'RSS/console', 'PSS/console', 'idle CPU', 'open all'],
      [idleRow('gatepass', r.idle.gatepass), idleRow('websockify', r.idle.websockify)],
    ),
    '',
    '### Token verification (in-process, RS256, one token)',
    markdownTable(['verification', 'checks/s'], [['cold (cache off)', fixed(r.tokens.coldPerSecond, 0)], ['cached', fixed(r.tokens.cachedPerSecond, 0)]]),
    '',
    '### Other load on the machine (average cores busy outside this benchmark, per phase)',
    markdownTable(['phase', 'other cores busy'], Object.entries(r.otherLoad).map(([phase, cores]) => [phase, fixed(cores, 2)])),
    '',
    '### Targets',
    markdownTable(['target', 'measured', 'goal', 'result'], targets(r).map((t) => [t.name, t.measured, t.goal, t.pass ? 'PASS' : 'MISS'])),
    '',
    'Other ratios from this run:',
    `- Gatepass ÷ direct: ${fixed(r.api.wrk.gatepass.requestsPerSecond / r.api.wrk.direct.requestsPerSecond, 2)}× requests/s; kubectl proxy ÷ direct: ${fixed(r.api.wrk['kubectl proxy'].requestsPerSecond / r.api.wrk.direct.requestsPerSecond, 2)}×`,
    `- Console MB/s, Gatepass ÷ websockify: ${fixed(r.relay.gatepass.megabytesPerSecond / r.relay.websockify.megabytesPerSecond, 2)}×; Gatepass ÷ direct TCP: ${fixed(r.relay.gatepass.megabytesPerSecond / r.relay['direct TCP'].megabytesPerSecond, 2)}×`,
    `- Idle RSS per console, websockify ÷ Gatepass: ${fixed(r.idle.websockify.rssPerConsoleKiB / r.idle.gatepass.rssPerConsoleKiB, 1)}× (PSS ${fixed(r.idle.websockify.pssPerConsoleKiB / r.idle.gatepass.pssPerConsoleKiB, 1)}×)`,
    `- Cached ÷ cold token checks: ${fixed(r.tokens.cachedPerSecond / r.tokens.coldPerSecond, 0)}×`,
  ];
  return sections.join('\n');
}
