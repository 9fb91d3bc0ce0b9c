// The renderer in Chromium over the development bridge, with every VM of the
// stand-in: time from the inventory reset leaving main to the grid's first
// rows on screen, per-keystroke filter latency, and the page's memory — next
// to a naive table of the same rows (every row in the DOM, filtered at once)
// in another tab of the same browser.
import type { Browser, CDPSession, Page } from '@playwright/test';
import type { DesktopEvent, VmRow } from '../../../shared/desktop-api.ts';
import { EMPTY_QUERY, vmMatcher } from '../../../renderer/app/inventory/vm-query.ts';
import type { DesktopStack } from '../../support/desktop-stack.ts';
import { armCountProbe, renderNaiveTable, WATCH_FIRST_ROWS } from './page-probes.ts';
import type { KeyTimings, Timings } from './page-probes.ts';

export interface FirstRowsSample {
  /** Reset event emitted in main → rows in the DOM / on screen. */
  domMs: number;
  paintedMs: number;
  /** Page navigation → rows on screen (includes listing every VM from the API server). */
  fromNavigationMs: number;
  rows: number;
}

export interface KeystrokeSample {
  query: string;
  shown: number;
  ms: number;
}

export interface PageMemory {
  jsHeapUsedMiB: number;
  domNodes: number;
}

export interface RendererResults {
  vms: number;
  firstRows: FirstRowsSample[];
  filter: KeystrokeSample[];
  memory: PageMemory;
  baseline: { renderMs: number; filter: KeystrokeSample[]; memory: PageMemory };
}

const epochNow = () => performance.timeOrigin + performance.now();
/** Typed then erased one key at a time; each key changes what the filter shows. */
const TYPED_QUERIES = ['vm-04321', 'vm-07654', 'vm-01987'];
const STEP_TIMEOUT_MS = 10_000;

function withTimeout<T>(promise: Promise<T>, what: string, ms = STEP_TIMEOUT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]);
}

async function pageMemory(cdp: CDPSession): Promise<PageMemory> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? Number.NaN;
  return { jsHeapUsedMiB: metric('JSHeapUsedSize') / 2 ** 20, domNodes: metric('Nodes') };
}

/** The count text a query leaves, as the page formats it ("1,000 of 10,004 VMs"). */
function countPrefix(rows: readonly VmRow[], text: string): { prefix: string; shown: number } {
  const matches = vmMatcher({ ...EMPTY_QUERY, text });
  const shown = rows.filter(matches).length;
  return { prefix: `${shown.toLocaleString('en-US')} of `, shown };
}

/** Presses each key of typing and then erasing `query`, timing the ones that change the result. */
async function timeKeystrokes(page: Page, rows: readonly VmRow[]): Promise<KeystrokeSample[]> {
  const samples: KeystrokeSample[] = [];
  for (const query of TYPED_QUERIES) {
    const steps = [...Array.from(query, (_, i) => query.slice(0, i + 1)), ...Array.from(query, (_, i) => query.slice(0, query.length - i - 1))];
    let previous = countPrefix(rows, '');
    for (const [i, text] of steps.entries()) {
      const key = i < query.length ? query[i]! : 'Backspace';
      const next = countPrefix(rows, text);
      if (next.shown === previous.shown) {
        await page.keyboard.press(key);
        // Let the app's own delay pass, so the next key starts from a settled page.
        await page.waitForTimeout(400);
      } else {
        await page.evaluate(armCountProbe(next.prefix));
        await page.keyboard.press(key);
        const timings = await withTimeout(page.evaluate<KeyTimings>('window.gpNextCount'), `the filter "${text}" to show ${next.shown} VMs`);
        samples.push({ query: text, shown: next.shown, ms: timings.painted - timings.key });
        await page.waitForTimeout(150);
      }
      previous = next;
    }
  }
  return samples;
}

export async function benchRenderer(browser: Browser, stack: DesktopStack, options: { trials: number; progress: (line: string) => void }): Promise<RendererResults> {
  const resets: Array<{ at: number; rows: VmRow[] }> = [];
  // Registered before the bridge's own listener for the page, so it runs just before the event is sent.
  const unsubscribe = stack.api.onEvent((event: DesktopEvent) => {
    if (event.kind === 'inventory' && event.event.kind === 'reset' && event.event.rows.length > 0) resets.push({ at: epochNow(), rows: event.event.rows });
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    await context.addInitScript({ content: WATCH_FIRST_ROWS });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');

    const firstRows: FirstRowsSample[] = [];
    for (let trial = 0; trial < options.trials; trial++) {
      const before = resets.length;
      const navigated = epochNow();
      await (trial === 0 ? page.goto(stack.bridge.url) : page.reload());
      const shown = await withTimeout(page.evaluate<Timings & { rows: number }>('window.gpFirstRows'), 'the first rows', 120_000);
      const reset = resets[before];
      if (!reset) throw new Error('rows showed without a reset event from main');
      firstRows.push({ domMs: shown.dom - reset.at, paintedMs: shown.painted - reset.at, fromNavigationMs: shown.painted - navigated, rows: shown.rows });
      options.progress(`first rows, trial ${trial + 1}/${options.trials}: ${(shown.painted - reset.at).toFixed(1)} ms after the reset event (${reset.rows.length} VMs)`);
    }
    const rows = resets.at(-1)?.rows ?? [];
    const expectedTotal = `of ${rows.length.toLocaleString('en-US')} VMs`;
    await withTimeout(page.getByText(expectedTotal).waitFor(), `the count "${expectedTotal}"`);
    const memory = await pageMemory(cdp);

    await page.getByRole('searchbox', { name: 'Search virtual machines' }).focus();
    const filter = await timeKeystrokes(page, rows);
    options.progress(`app filter: ${filter.length} keystrokes timed`);

    const naivePage = await context.newPage();
    const naiveCdp = await context.newCDPSession(naivePage);
    await naiveCdp.send('Performance.enable');
    const naive = await withTimeout(naivePage.evaluate<Timings & { rows: number; start: number }>(renderNaiveTable(JSON.stringify({ rows }))), 'the naive table', 120_000);
    const naiveMemory = await pageMemory(naiveCdp);
    await naivePage.getByRole('searchbox', { name: 'Search' }).focus();
    const naiveFilter = await timeKeystrokes(naivePage, rows);
    options.progress(`naive table: rendered in ${(naive.painted - naive.start).toFixed(0)} ms, filter timed`);

    return {
      vms: rows.length,
      firstRows,
      filter,
      memory,
      baseline: { renderMs: naive.painted - naive.start, filter: naiveFilter, memory: naiveMemory },
    };
  } finally {
    unsubscribe();
    await context.close();
  }
}
