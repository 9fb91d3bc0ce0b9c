// The relay runs as Markdown: throughput and latency per path, what each run
// cost the processes in its path, and the ratios issue 8 asks to see.
import { spread } from '../lib/stats.ts';
import { counted, fixed, fixedSpread, markdownTable } from '../lib/table.ts';
import { cpuPerGB, cpuRatio, markCompacts, megabytesPerSecond, p99, pathRatio, pathSpread, rssLoadOverIdle } from './relay-figures.ts';
import { RELAY_PATHS, RELAY_PATH_NOTES, WATCHED, type RelayPath } from './relay-paths.ts';
import type { RelayResults } from './relay.ts';

const mib = (kib: number): number => kib / 1024;

function throughputTable(relay: RelayResults): string {
  return markdownTable(['path', 'MB/s', 'updates/s', 'p50 per update', 'p99 per update'], RELAY_PATHS.map((path) => [
    path,
    fixedSpread(pathSpread(relay, path, megabytesPerSecond), 0),
    fixedSpread(pathSpread(relay, path, (r) => r.updatesPerSecond), 1),
    fixedSpread(pathSpread(relay, path, (r) => r.p50Ms), 1, ' ms'),
    fixedSpread(pathSpread(relay, path, p99), 1, ' ms'),
  ]));
}

function costTable(relay: RelayResults): string {
  const cpuColumns = WATCHED.map((w) => `${w} CPU-s/GB`);
  return markdownTable([
    'path', ...cpuColumns, 'gateway RSS idle', 'gateway RSS under load', 'load ÷ idle', 'Mark-Compact per run', 'minor GCs per run',
  ], RELAY_PATHS.map((path) => {
    const runs = relay.runs[path];
    const cpu = WATCHED.map((w) => (runs[0]!.cpuSecondsPerGB[w] === undefined ? '—' : fixedSpread(pathSpread(relay, path, cpuPerGB(w)), 2)));
    if (!runs[0]!.gateway) return [path, ...cpu, '—', '—', '—', '—', '—'];
    return [
      path,
      ...cpu,
      fixedSpread(spread(runs.map((r) => mib(r.gateway!.idleRssKiB))), 0, ' MiB'),
      fixedSpread(spread(runs.map((r) => mib(r.gateway!.loadRssKiB))), 0, ' MiB'),
      fixedSpread(pathSpread(relay, path, rssLoadOverIdle), 2, '×'),
      markCompacts(relay, path).join(', '),
      runs.map((r) => r.gateway!.scavenges).join(', '),
    ];
  }));
}

function ratioTable(relay: RelayResults): string {
  const ratio = (name: string, a: RelayPath, b: RelayPath, figure: typeof p99, digits = 2): string[] => [name, fixedSpread(pathRatio(relay, a, b, figure), digits, '×')];
  return markdownTable(['ratio (per round, median and spread)', 'value'], [
    ratio('MB/s, Gatepass ÷ stand-in alone, TLS upstream', 'gatepass → wss', 'stand-in wss', megabytesPerSecond),
    ratio('MB/s, Gatepass ÷ stand-in alone, plain HTTP upstream', 'gatepass → ws', 'stand-in ws', megabytesPerSecond),
    ratio('MB/s, Gatepass view-only ÷ stand-in alone, TLS', 'gatepass view-only → wss', 'stand-in wss', megabytesPerSecond),
    ratio('p99 per update, Gatepass ÷ stand-in alone, TLS', 'gatepass → wss', 'stand-in wss', p99),
    ratio('p99 per update, Gatepass ÷ stand-in alone, plain HTTP', 'gatepass → ws', 'stand-in ws', p99),
    ratio('p99 per update, Gatepass view-only ÷ stand-in alone, TLS', 'gatepass view-only → wss', 'stand-in wss', p99),
    ratio('MB/s, view-only ÷ full control, TLS', 'gatepass view-only → wss', 'gatepass → wss', megabytesPerSecond),
    ratio('p99 per update, view-only ÷ full control, TLS', 'gatepass view-only → wss', 'gatepass → wss', p99),
    ['CPU-s/GB, gateway ÷ stand-in in the same runs, TLS', fixedSpread(cpuRatio(relay, 'gatepass → wss', 'gateway', 'stand-in'), 2, '×')],
    ['CPU-s/GB, gateway ÷ stand-in in the same runs, plain HTTP', fixedSpread(cpuRatio(relay, 'gatepass → ws', 'gateway', 'stand-in'), 2, '×')],
    ratio('MB/s, Gatepass (TLS) ÷ websockify', 'gatepass → wss', 'websockify', megabytesPerSecond),
    ratio('MB/s, Gatepass (TLS) ÷ direct TCP', 'gatepass → wss', 'direct TCP', megabytesPerSecond),
  ]);
}

export function relayReport(relay: RelayResults): string[] {
  const screen = relay.runs['direct TCP'][0]!.screen;
  return [
    `### Console relay: Xvnc ${screen.width}×${screen.height}, Raw, full-screen non-incremental requests, one in flight`,
    '',
    `Each run: ${relay.warmupUpdates} warm-up updates, then ${relay.seconds} s measured; ${counted(relay.repeats, 'run')} per path, interleaved (every path once per round); cells are the median (min–max).`,
    '',
    ...RELAY_PATHS.map((p) => `- ${p}: ${RELAY_PATH_NOTES[p]}`),
    '',
    throughputTable(relay),
    '',
    '### Console relay: what each run cost',
    '',
    'Over the measured window only: CPU = utime + stime from /proc/<pid>/stat (whole process tree) ÷ 10⁹ pixel bytes carried; gateway RSS idle just before the run, under load the peak of 100 ms samples; Mark-Compact = full collections, minor = Scavenges, in the gateway\'s --trace-gc log during the window.',
    '',
    costTable(relay),
    '',
    '### Console relay: ratios',
    '',
    ratioTable(relay),
    '',
    `Total Mark-Compact collections in the gateways while relaying: ${fixed(RELAY_PATHS.flatMap((p) => markCompacts(relay, p)).reduce((a, b) => a + b, 0), 0)}.`,
  ];
}
