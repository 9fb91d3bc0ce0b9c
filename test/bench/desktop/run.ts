// `npm run bench:desktop [-- --vms N] [-- --trials N] [-- --json <file>]`
// The desktop app with 10,000 VMs from the stand-in's generator, through the
// real main services and the development bridge into the renderer in
// Chromium — the app as it streams the VM list, and the same build with paging
// off as the baseline — and link issuing through the services in Node. Prints
// Markdown (docs/benchmarks.md quotes a run) and the targets of issue 4 §7 and
// issue 12 as PASS/MISS. Loopback only; everything it starts is in this process or
// Chromium, and is stopped at the end, on failure, and at a hard deadline.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import type { Browser } from '@playwright/test';
import playwrightConfig from '../../../playwright.config.ts';
import { generateFixture } from '../../cluster/default-fixture.ts';
import { startDesktopStack } from '../../support/desktop-stack.ts';
import type { DesktopStack } from '../../support/desktop-stack.ts';
import { describeMachine } from '../lib/machine.ts';
import { benchIssuing } from './issuing.ts';
import { benchRenderer } from './renderer.ts';
import { renderReport } from './report.ts';

const DEADLINE_MS = 10 * 60_000;
const NAMESPACES = 100;

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, not ${JSON.stringify(text)}`);
  return value;
}

const { values } = parseArgs({ options: { vms: { type: 'string' }, trials: { type: 'string' }, json: { type: 'string' } }, strict: true });
const vms = positive('vms', values.vms, 10_000);
const trials = positive('trials', values.trials, 5);

const runStarted = performance.now();
const progress = (line: string): void => void process.stderr.write(`[bench ${((performance.now() - runStarted) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);

let stack: DesktopStack | undefined;
let browser: Browser | undefined;
async function stopAll(): Promise<void> {
  await browser?.close().catch(() => undefined);
  await stack?.close().catch(() => undefined);
}

const deadline = setTimeout(() => {
  progress(`giving up after ${DEADLINE_MS / 60_000} minutes`);
  void stopAll().finally(() => process.exit(1));
}, DEADLINE_MS);
process.once('SIGINT', () => void stopAll().finally(() => process.exit(130)));

try {
  progress(`starting the stand-in with ${vms.toLocaleString('en-US')} generated VMs, the gateway, main's services and the bridge`);
  stack = await startDesktopStack({ cluster: { fixture: await generateFixture({ vms, namespaces: NAMESPACES }) } });
  browser = await chromium.launch({ ...playwrightConfig.use?.launchOptions, headless: true });
  progress(`Chromium ${browser.version()} up; measuring the renderer`);
  const renderer = await benchRenderer(browser, stack, { trials, progress });
  progress('measuring link issuing');
  const issuing = await benchIssuing(stack, { cold: 10, warm: 200 });
  const machine = describeMachine({ Chromium: [String(playwrightConfig.use?.launchOptions?.executablePath ?? 'chromium'), ['--version']] });
  process.stdout.write(`${[
    `Machine:\n${machine.join('\n')}`,
    `Command: \`node --import tsx test/bench/desktop/run.ts --vms ${vms} --trials ${trials}\`; whole run ${((performance.now() - runStarted) / 1000).toFixed(0)} s.`,
    '',
    renderReport({ renderer, issuing }),
  ].join('\n')}\n`);
  if (values.json) await writeFile(resolve(values.json), JSON.stringify({ renderer, issuing }, null, 2));
} catch (error) {
  progress(`failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
} finally {
  clearTimeout(deadline);
  await stopAll();
}
