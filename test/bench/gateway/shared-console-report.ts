// The shared-console runs as Markdown: per viewer count what was delivered, at
// what latency and CPU, the ratios to the single viewer, and where it saturated.
import { counted, fixed, fixedSpread, markdownTable } from '../lib/table.ts';
import {
  countSpread, coreShare, deliveredMBps, firstSaturation, gatewayCpuPerGB, isSaturated, medianP50, otherCores, ownCores, medianP99, ratioToSingle,
  refusal, saturatedRuns, updatesPerViewer, worstP99, type SharedFigure,
} from './shared-console-figures.ts';
import { VIEWER_COUNTS, type SharedResults, type ViewerCount } from './shared-console.ts';

const percentOf = (figure: SharedFigure): SharedFigure => (r) => figure(r) * 100;
/** Run-queue wait over the window, per update the first viewer received. */
const waitPerUpdate = (who: 'gateway' | 'viewers'): SharedFigure => (r) => r.cpuWaitMs[who] / Math.max(1, updatesPerViewer(r) * (r.windowMs / 1000));

function figuresTable(results: SharedResults): string {
  const columns: Array<[string, SharedFigure, number, string]> = [
    ['delivered MB/s (all viewers)', deliveredMBps, 1, ''],
    ['updates/s per viewer', updatesPerViewer, 1, ''],
    ['p50 (median viewer)', medianP50, 1, ' ms'],
    ['p99 (median viewer)', medianP99, 1, ' ms'],
    ['p99 (worst viewer)', worstP99, 1, ' ms'],
    ['gateway CPU-s/GB delivered', gatewayCpuPerGB, 2, ''],
    ['gateway, % of a core', percentOf(coreShare('gateway')), 0, ' %'],
    ['gateway Mark-Compact GCs', (r) => r.gatewayGc.full, 0, ''],
    ['gateway minor GCs', (r) => r.gatewayGc.minor, 0, ''],
    ['gateway waiting for a CPU, per update', waitPerUpdate('gateway'), 2, ' ms'],
    ['viewer threads waiting for a CPU, per update', waitPerUpdate('viewers'), 2, ' ms'],
    ['stand-in, % of a core', percentOf(coreShare('standIn')), 0, ' %'],
    ['viewers\' process, % of a core', percentOf(coreShare('viewers')), 0, ' %'],
    ['viewers\' event-loop delay p99', (r) => r.viewersLoopDelayP99Ms, 0, ' ms'],
    ['benchmark processes, cores', ownCores, 2, ''],
    ['other load, cores', otherCores, 2, ''],
  ];
  const rows = VIEWER_COUNTS.map((count) => {
    const refused = refusal(results, count);
    if (refused !== undefined) return [String(count), ...columns.map(() => '—'), `not measured: ${refused}`];
    const cells = columns.map(([, figure, digits, unit]) => fixedSpread(countSpread(results, count, figure)!, digits, unit));
    return [String(count), ...cells, `${saturatedRuns(results, count)} of ${results.runs[count].length}`];
  });
  return markdownTable(['viewers', ...columns.map(([name]) => name), 'runs saturated'], rows);
}

function ratioCell(results: SharedResults, count: ViewerCount, figure: SharedFigure): string {
  const ratio = ratioToSingle(results, count, figure);
  return ratio ? fixedSpread(ratio, 2, '×') : 'not measured';
}

function ratioTable(results: SharedResults): string {
  return markdownTable(
    ['viewers', 'gateway CPU-s/GB delivered ÷ 1 viewer', 'p99, worst viewer ÷ 1 viewer', 'p99, median viewer ÷ 1 viewer', 'saturated'],
    VIEWER_COUNTS.filter((n) => n > 1).map((count) => [
      String(count),
      ratioCell(results, count, gatewayCpuPerGB),
      ratioCell(results, count, worstP99),
      ratioCell(results, count, medianP99),
      refusal(results, count) !== undefined ? '—' : isSaturated(results, count) ? 'yes' : 'no',
    ]),
  );
}

/** Other people's load this high leaves the benchmark less than a core to share: its latencies are a busy machine's. */
const BUSY_MACHINE_CORES = 0.5;

function saturationLines(results: SharedResults): string[] {
  const first = firstSaturation(results);
  const measuredCounts = VIEWER_COUNTS.filter((n) => refusal(results, n) === undefined);
  const lines = [first
    ? `Saturation: from ${first.viewers} viewers (${first.reasons.join('; ')}).`
    : `Saturation: none up to ${measuredCounts.at(-1) ?? 0} viewers measured (no process at ≥ 90 % of a core, the benchmark's processes below 95 % of the machine's cores, every viewer at ≥ 90 % of the screen's changes).`];
  const other = measuredCounts.flatMap((n) => results.runs[n]).map(otherCores);
  const worst = other.length > 0 ? Math.max(...other) : 0;
  if (worst >= BUSY_MACHINE_CORES) {
    lines.push('', `Other load reached ${fixed(worst, 2)} of ${results.runs[1][0]?.cores ?? 0} cores during these runs: the machine itself was saturated by others, so the latencies (and the p99 target) are a busy machine's, not the gateway's alone; CPU per GB is not affected.`);
  }
  return lines;
}

export function sharedConsoleReport(results: SharedResults): string[] {
  return [
    `### Shared console: one streaming VNC console (${results.fps} screen changes/s, ${fixed(results.changeBytes / 1024, 0)} KiB each in Hextile) watched by ${VIEWER_COUNTS.join(', ')} viewers`,
    '',
    `One gateway, TLS upstream; viewer 1 has a full-control link, the others view-only links, all \`preserveSession=true\`; each viewer asks for Hextile and sends an incremental request after each update (as noVNC does). Each run: every viewer has ${results.warmupUpdates} updates, then ${results.seconds} s measured; ${counted(results.repeats, 'run')} per viewer count, interleaved; cells are the median (min–max). Latency = the upstream's send (a monotonic-clock stamp in the update's first pixels) → the update's last byte at the viewer. CPU from /proc/<pid>/stat over the window; the gateway's garbage collections are the Mark-Compact (full) and minor (Scavenge) lines its --trace-gc log gained over the window; the viewers run in the benchmark's own process, read by 4 worker threads (each its own event loop; the delay column is the worst thread's) through a lean websocket reader that neither copies nor allocates per byte received. A run saturates when the gateway or the viewers' process is at ≥ 90 % of a core, the benchmark's processes (gateway, stand-in, upstream, viewers) at ≥ 95 % of the machine's cores, or viewers get < 90 % of the screen's changes; other load on this shared machine is shown beside it, not counted.`,
    '',
    figuresTable(results),
    '',
    '### Shared console: ratios to the single viewer (per round, median and spread)',
    '',
    ratioTable(results),
    '',
    ...saturationLines(results),
  ];
}
