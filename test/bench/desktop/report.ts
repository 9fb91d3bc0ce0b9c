// The desktop benchmark's Markdown: figures next to their baselines, and the
// targets of issue 4 §7 as PASS/MISS (judged on the median, worst case shown).
import { summarize } from '../lib/stats.ts';
import { fixed, markdownTable } from '../lib/table.ts';
import type { IssuingResults } from './issuing.ts';
import type { RendererResults } from './renderer.ts';

export interface DesktopBenchResults {
  renderer: RendererResults;
  issuing: IssuingResults;
}

export const TARGETS = { firstRowsMs: 300, filterMs: 50, issueWarmMs: 50 } as const;

const ms = (value: number) => `${fixed(value, 1)} ms`;

function latencyRow(name: string, samples: readonly number[]): string[] {
  const s = summarize(samples);
  return [name, String(s.count), ms(s.p50Ms), ms(s.p99Ms), ms(s.maxMs)];
}

function verdict(name: string, median: number, worst: number, target: number): string {
  return `- ${median <= target ? 'PASS' : 'MISS'} ${name}: median ${ms(median)}, worst ${ms(worst)} (target ≤ ${target} ms)`;
}

export function renderReport(results: DesktopBenchResults): string {
  const { renderer, issuing } = results;
  const firstRows = summarize(renderer.firstRows.map((s) => s.paintedMs));
  const filter = summarize(renderer.filter.map((s) => s.ms));
  const warm = summarize(issuing.warmMs);
  const header = ['measurement', 'n', 'p50', 'p99', 'max'];
  return [
    `### Renderer, ${renderer.vms.toLocaleString('en-US')} VMs`,
    '',
    markdownTable(header, [
      latencyRow('first rows: reset event sent → rows in the DOM', renderer.firstRows.map((s) => s.domMs)),
      latencyRow('first rows: reset event sent → rows on screen', renderer.firstRows.map((s) => s.paintedMs)),
      latencyRow('first rows: page load → rows on screen (incl. listing)', renderer.firstRows.map((s) => s.fromNavigationMs)),
      latencyRow('baseline: naive table, JSON → every row on screen', [renderer.baseline.renderMs]),
      latencyRow('filter, app: keydown → grid on screen', renderer.filter.map((s) => s.ms)),
      latencyRow('filter, baseline naive table: keydown → on screen', renderer.baseline.filter.map((s) => s.ms)),
    ]),
    '',
    markdownTable(['page', 'JS heap used', 'DOM nodes'], [
      ['app (virtualised grid, all VMs loaded, after GC)', `${fixed(renderer.memory.jsHeapUsedMiB, 1)} MiB`, String(renderer.memory.domNodes)],
      ['baseline naive table (same rows, after GC)', `${fixed(renderer.baseline.memory.jsHeapUsedMiB, 1)} MiB`, String(renderer.baseline.memory.domNodes)],
    ]),
    '',
    'Filter keystrokes (app): ' + renderer.filter.map((s) => `"${s.query}"→${s.shown.toLocaleString('en-US')} ${fixed(s.ms, 0)} ms`).join(', '),
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
    verdict('first rows', firstRows.p50Ms, firstRows.maxMs, TARGETS.firstRowsMs),
    verdict('filter per keystroke', filter.p50Ms, filter.maxMs, TARGETS.filterMs),
    verdict('issuing warm', warm.p50Ms, warm.maxMs, TARGETS.issueWarmMs),
  ].join('\n');
}
