// The renderer in Chromium over the development bridge, with every VM of the
// stand-in: page load → first rows on screen (the VM list streamed page by
// page) next to the same app with paging off (everything listed, then one
// reset) in the same run, the reset event → rows on screen, per-keystroke
// filter latency and the page's memory — and a naive table of the same rows
// (every row in the DOM, filtered at once) in another tab of the same browser.
import type { Browser, BrowserContext, Page } from '@playwright/test';
import type { DesktopEvent, VmRow } from '../../../shared/desktop-api.ts';
import type { DesktopApiImpl } from '../../../main/desktop-api-impl.ts';
import { EMPTY_QUERY, vmMatcher } from '../../../renderer/app/inventory/vm-query.ts';
import type { DesktopStack } from '../../support/desktop-stack.ts';
import { armCountProbe, renderNaiveTable, WATCH_FIRST_ROWS } from './page-probes.ts';
import type { KeyTimings, RowTimings, Timings } from './page-probes.ts';
import { startUnpagedApp } from './unpaged-app.ts';

export interface FirstRowsSample {
  /** Reset event emitted in main → rows in the DOM / on screen. */
  domMs: number;
  paintedMs: number;
  /** Chromium's navigation start → the first rows on screen (includes listing from the API server). */
  fromNavigationMs: number;
  /** Chromium's navigation start → every page in (the grid no longer busy), on screen. */
  allRowsMs: number;
  /** Where the time to the first rows goes: navigation → the page asks main for the VM list (page boot, bridge, contexts)… */
  toWatchMs: number;
  /** …→ main sends the reset (listing: the first page, or everything with paging off). */
  watchToResetMs: number;
  /** Rows in the reset event (the first page when streaming). */
  resetRows: number;
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

export interface AppFigures {
  firstRows: FirstRowsSample[];
  filter: KeystrokeSample[];
  memory: PageMemory;
}

export interface RendererResults {
  vms: number;
  /** The app: the VM list streamed page by page. */
  streamed: AppFigures;
  /** The same app with paging off (inventory `stream: false`): the way before, as the baseline. */
  unpaged: AppFigures;
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

async function pageMemory(context: BrowserContext, page: Page): Promise<PageMemory> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? Number.NaN;
  await cdp.detach();
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

interface Mode {
  name: 'streamed' | 'unpaged';
  url: string;
  resets: Array<{ at: number; rows: VmRow[] }>;
  /** When main received each watchInventory call. */
  watchCalls: number[];
  firstRows: FirstRowsSample[];
}

function recordResets(api: DesktopApiImpl, mode: Mode): () => void {
  // Registered before the bridge's own listener for the page, so it runs just before the event is sent.
  const unsubscribe = api.onEvent((event: DesktopEvent) => {
    if (event.kind === 'inventory' && event.event.kind === 'reset' && event.event.rows.length > 0) mode.resets.push({ at: epochNow(), rows: event.event.rows });
  });
  // The bridge looks methods up on each call, so this sees every watchInventory the page makes.
  const watchInventory = api.watchInventory;
  api.watchInventory = (context) => {
    mode.watchCalls.push(epochNow());
    return watchInventory(context);
  };
  return () => {
    unsubscribe();
    api.watchInventory = watchInventory;
  };
}

/** Loads the app and waits until every page is in; returns the timings of the first rows and of all rows. */
async function loadApp(page: Page, url: string): Promise<{ first: RowTimings; all: RowTimings }> {
  // The bridge's address carries its token in the fragment: going to the same address again would not reload.
  await page.goto('about:blank');
  await page.goto(url);
  const first = await withTimeout(page.evaluate<RowTimings>('window.gpFirstRows'), 'the first rows', 120_000);
  const all = await withTimeout(page.evaluate<RowTimings>('window.gpAllRows'), 'every page of VMs', 120_000);
  return { first, all };
}

async function measureApp(context: BrowserContext, page: Page, mode: Mode, rows: readonly VmRow[]): Promise<{ filter: KeystrokeSample[]; memory: PageMemory }> {
  await loadApp(page, mode.url);
  const expectedTotal = `${rows.length.toLocaleString('en-US')} of ${rows.length.toLocaleString('en-US')} VMs`;
  await withTimeout(page.locator('.toolbar__count').getByText(expectedTotal, { exact: true }).waitFor(), `the count "${expectedTotal}"`);
  const memory = await pageMemory(context, page);
  await page.getByRole('searchbox', { name: 'Search virtual machines' }).focus();
  const filter = await timeKeystrokes(page, rows);
  return { filter, memory };
}

export async function benchRenderer(browser: Browser, stack: DesktopStack, options: { trials: number; progress: (line: string) => void }): Promise<RendererResults> {
  const unpagedApp = await startUnpagedApp(stack);
  const streamed: Mode = { name: 'streamed', url: stack.bridge.url, resets: [], watchCalls: [], firstRows: [] };
  const unpaged: Mode = { name: 'unpaged', url: unpagedApp.url, resets: [], watchCalls: [], firstRows: [] };
  const unsubscribe = [recordResets(stack.api, streamed), recordResets(unpagedApp.api, unpaged)];
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    await context.addInitScript({ content: WATCH_FIRST_ROWS });
    const page = await context.newPage();

    for (let trial = 0; trial < options.trials; trial++) {
      // Alternating which goes first, so neither always follows the other's leftover work.
      for (const mode of trial % 2 === 0 ? [streamed, unpaged] : [unpaged, streamed]) {
        const before = mode.resets.length;
        const watchesBefore = mode.watchCalls.length;
        const { first, all } = await loadApp(page, mode.url);
        const reset = mode.resets[before];
        const watch = mode.watchCalls[watchesBefore];
        if (!reset || watch === undefined) throw new Error(`${mode.name}: rows showed without a watchInventory call and a reset event in main`);
        const sample: FirstRowsSample = {
          domMs: first.dom - reset.at,
          paintedMs: first.painted - reset.at,
          fromNavigationMs: first.painted - first.navigationStart,
          allRowsMs: all.painted - all.navigationStart,
          toWatchMs: watch - first.navigationStart,
          watchToResetMs: reset.at - watch,
          resetRows: reset.rows.length,
        };
        mode.firstRows.push(sample);
        options.progress(`trial ${trial + 1}/${options.trials}, ${mode.name}: first rows ${sample.fromNavigationMs.toFixed(0)} ms after navigation (page → watchInventory ${sample.toWatchMs.toFixed(0)} ms, → reset of ${sample.resetRows} rows ${sample.watchToResetMs.toFixed(0)} ms, → on screen ${sample.paintedMs.toFixed(0)} ms), all rows ${sample.allRowsMs.toFixed(0)} ms`);
      }
    }
    // The unpaged app's reset is every row: what the filter probes and the naive table need.
    const rows = unpaged.resets.at(-1)?.rows ?? [];

    const figures = async (mode: Mode): Promise<AppFigures> => {
      const measured = await measureApp(context, page, mode, rows);
      options.progress(`${mode.name} app: memory read, ${measured.filter.length} keystrokes timed`);
      return { firstRows: mode.firstRows, ...measured };
    };
    const streamedFigures = await figures(streamed);
    const unpagedFigures = await figures(unpaged);

    const naivePage = await context.newPage();
    const naive = await withTimeout(naivePage.evaluate<Timings & { rows: number; start: number }>(renderNaiveTable(JSON.stringify({ rows }))), 'the naive table', 120_000);
    const naiveMemory = await pageMemory(context, naivePage);
    await naivePage.getByRole('searchbox', { name: 'Search' }).focus();
    const naiveFilter = await timeKeystrokes(naivePage, rows);
    options.progress(`naive table: rendered in ${(naive.painted - naive.start).toFixed(0)} ms, filter timed`);

    return {
      vms: rows.length,
      streamed: streamedFigures,
      unpaged: unpagedFigures,
      baseline: { renderMs: naive.painted - naive.start, filter: naiveFilter, memory: naiveMemory },
    };
  } finally {
    for (const stop of unsubscribe) stop();
    await context.close();
    await unpagedApp.close();
  }
}
