// The desktop benchmark's Markdown: figures next to their baselines, and the
// targets of issue 4 §7 and issue 12 as PASS/MISS (judged on the median, worst
// case shown; "not worse than paging off" on the ratio to the same run's figure).
import { summarize } from '../lib/stats.ts';
import { fixed, markdownTable } from '../lib/table.ts';
import type { IssuingResults } from './issuing.ts';
import type { KeystrokeSample, RendererResults } from './renderer.ts';

export interface DesktopBenchResults {
  renderer: RendererResults;
  issuing: IssuingResults;
}

export const TARGETS = { firstRowsMs: 300, pageLoadFirstRowsMs: 300, filterMs: 50, issueWarmMs: 50, notWorseThanUnpaged: 1.2 } as const;

const ms = (value: number) => `${fixed(value, 1)} ms`;
const mib = (value: number) => `${fixed(value, 1)} MiB`;

function latencyRow(name: string, samples: readonly number[]): string[] {
  const s = summarize(samples);
  return [name, String(s.count), ms(s.p50Ms), ms(s.p99Ms), ms(s.maxMs)];
}

function verdict(name: string, median: number, worst: number, target: number): string {
  return `- ${median <= target ? 'PASS' : 'MISS'} ${name}: median ${ms(median)}, worst ${ms(worst)} (target ≤ ${target} ms)`;
}

function ratioVerdict(name: string, value: number, unpaged: number, format: (v: number) => string): string {
  const ratio = value / unpaged;
  return `- ${ratio <= TARGETS.notWorseThanUnpaged ? 'PASS' : 'MISS'} ${name}: ${format(value)} vs ${format(unpaged)} with paging off (${fixed(ratio, 2)}×, target ≤ ${TARGETS.notWorseThanUnpaged}×)`;
}

const keystrokes = (samples: readonly KeystrokeSample[]) => samples.map((s) => `"${s.query}"→${s.shown.toLocaleString('en-US')} ${fixed(s.ms, 0)} ms`).join(', ');

export function renderReport(results: DesktopBenchResults): string {
  const { renderer, issuing } = results;
  const { streamed, unpaged } = renderer;
  const fromNavigation = summarize(streamed.firstRows.map((s) => s.fromNavigationMs));
  const firstRows = summarize(streamed.firstRows.map((s) => s.paintedMs));
  const filter = summarize(streamed.filter.map((s) => s.ms));
  const unpagedFilter = summarize(unpaged.filter.map((s) => s.ms));
  const warm = summarize(issuing.warmMs);
  const header = ['measurement', 'n', 'p50', 'p99', 'max'];
  const firstPage = streamed.firstRows[0]?.resetRows ?? 0;
  return [
    `### Renderer, ${renderer.vms.toLocaleString('en-US')} VMs`,
    '',
    `"streamed": the app (first page of ${firstPage} VMs as the reset, the rest as deltas); "paging off": the same build with the inventory's \`stream: false\` (every VM and VMI listed, then one reset — the way before), behind a second bridge on the same stand-in, page loads alternating.`,
    '',
    markdownTable(header, [
      latencyRow('page load → first rows on screen, streamed', streamed.firstRows.map((s) => s.fromNavigationMs)),
      latencyRow('page load → first rows on screen, paging off', unpaged.firstRows.map((s) => s.fromNavigationMs)),
      latencyRow('page load → every VM in (not busy), streamed', streamed.firstRows.map((s) => s.allRowsMs)),
      latencyRow('page load → every VM in, paging off', unpaged.firstRows.map((s) => s.allRowsMs)),
      latencyRow('  of which page load → watchInventory in main, streamed', streamed.firstRows.map((s) => s.toWatchMs)),
      latencyRow('  of which watchInventory → reset sent (first page), streamed', streamed.firstRows.map((s) => s.watchToResetMs)),
      latencyRow('  of which watchInventory → reset sent (all), paging off', unpaged.firstRows.map((s) => s.watchToResetMs)),
      latencyRow('reset event sent → rows in the DOM, streamed', streamed.firstRows.map((s) => s.domMs)),
      latencyRow('reset event sent → rows on screen, streamed', streamed.firstRows.map((s) => s.paintedMs)),
      latencyRow('reset event sent → rows on screen, paging off', unpaged.firstRows.map((s) => s.paintedMs)),
      latencyRow('baseline: naive table, JSON → every row on screen', [renderer.baseline.renderMs]),
      latencyRow('filter, app streamed: keydown → grid on screen', streamed.filter.map((s) => s.ms)),
      latencyRow('filter, app paging off: keydown → grid on screen', unpaged.filter.map((s) => s.ms)),
      latencyRow('filter, baseline naive table: keydown → on screen', renderer.baseline.filter.map((s) => s.ms)),
    ]),
    '',
    markdownTable(['page', 'JS heap used', 'DOM nodes'], [
      ['app streamed (virtualised grid, all VMs loaded, after GC)', mib(streamed.memory.jsHeapUsedMiB), String(streamed.memory.domNodes)],
      ['app paging off (same, after GC)', mib(unpaged.memory.jsHeapUsedMiB), String(unpaged.memory.domNodes)],
      ['baseline naive table (same rows, after GC)', mib(renderer.baseline.memory.jsHeapUsedMiB), String(renderer.baseline.memory.domNodes)],
    ]),
    '',
    'Filter keystrokes (app, streamed): ' + keystrokes(streamed.filter),
    '',
    '### Link issuing (main services in Node, operator, stand-in + gateway)',
    '',
    markdownTable(header, [
      latencyRow('shareConsole cold (fresh services)', issuing.coldMs),
      latencyRow('shareConsole warm (key cached)', issuing.warmMs),
      latencyRow('baseline: RS256 sign alone (jose)', issuing.signOnlyMs),
    ]),
    '',
    '### Targets',
    '',
    verdict('page load → first rows (issue 12)', fromNavigation.p50Ms, fromNavigation.maxMs, TARGETS.pageLoadFirstRowsMs),
    verdict('reset event → first rows', firstRows.p50Ms, firstRows.maxMs, TARGETS.firstRowsMs),
    verdict('filter per keystroke', filter.p50Ms, filter.maxMs, TARGETS.filterMs),
    ratioVerdict('filter per keystroke (median) against paging off', filter.p50Ms, unpagedFilter.p50Ms, ms),
    ratioVerdict('JS heap against paging off', streamed.memory.jsHeapUsedMiB, unpaged.memory.jsHeapUsedMiB, mib),
    verdict('issuing warm', warm.p50Ms, warm.maxMs, TARGETS.issueWarmMs),
  ].join('\n');
}
