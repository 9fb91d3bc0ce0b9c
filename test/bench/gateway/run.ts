// `npm run bench:gateway [-- --profile <dir>] [-- --json <file>]`
// Gatepass's gateway next to its baselines, in one run on one machine: API
// proxy, console relay, idle consoles, token verification. Prints Markdown
// (docs/benchmarks.md quotes a run) and the targets of issue 3 §8 as PASS/MISS.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { readdir, stat } from 'node:fs/promises';
import { readProfile, summarizeProfile } from '../lib/cpu-profile.ts';
import { ensureFdLimit } from '../lib/fd-limit.ts';
import { describeMachine } from '../lib/machine.ts';
import { ForeignLoad } from '../lib/proc-stats.ts';
import { fixed, markdownTable } from '../lib/table.ts';
import { benchApi } from './api.ts';
import { benchIdleGatepass, benchIdleWebsockify } from './idle.ts';
import { benchRelay } from './relay.ts';
import { renderReport, type BenchResults } from './report.ts';
import { startStack, type Stack } from './stack.ts';
import { benchTokens } from './tokens.ts';

const IDLE_GATEPASS = 1000;
const IDLE_WEBSOCKIFY = 200;
const SCREEN = { width: 1280, height: 800 };

interface RunOptions {
  profileDir?: string;
  jsonFile?: string;
}

function parseArgs(argv: readonly string[]): RunOptions {
  const options: RunOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if ((flag === '--profile' || flag === '--json') && value && !value.startsWith('--')) {
      if (flag === '--profile') options.profileDir = resolve(value);
      else options.jsonFile = resolve(value);
      i++;
    } else {
      throw new Error(`unknown or incomplete argument ${JSON.stringify(flag)}; usage: run.ts [--profile <dir>] [--json <file>]`);
    }
  }
  return options;
}

const runStarted = performance.now();
const progress = (line: string): void => void process.stderr.write(`[bench ${((performance.now() - runStarted) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);
const idleLine = (name: string, r: { consoles: number; rssPerConsoleKiB: number; idleCpuPercent: number; openSeconds: number }): string =>
  `${name}: ${r.consoles} consoles opened in ${r.openSeconds.toFixed(1)} s, ${r.rssPerConsoleKiB.toFixed(1)} KiB RSS each, idle CPU ${r.idleCpuPercent.toFixed(2)} %`;

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  // Clients here, the gateway's two sockets per console, websockify's: all under one limit.
  await ensureFdLimit(4 * IDLE_GATEPASS + 1000);
  progress('starting Xvnc, the cluster stand-in, the gateway, kubectl proxy and websockify');
  const stack: Stack = await startStack({ idleVms: IDLE_GATEPASS, screen: SCREEN, ...(options.profileDir ? { profileDir: options.profileDir } : {}) });
  const stopOnSignal = (): void => {
    stack.processes.killAllNow();
    process.exit(130);
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  process.once('exit', () => stack.processes.killAllNow());
  let results: BenchResults;
  const foreign = new ForeignLoad();
  const otherLoad: Record<string, number> = {};
  const phase = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    progress(name);
    foreign.next();
    const result = await run();
    otherLoad[name] = foreign.next();
    return result;
  };
  try {
    const tokens = await phase('token verification', () => benchTokens(stack, 2));
    // Idle consoles first, on a gateway whose heap has not yet grown under load, so their memory is not hidden in it.
    const idleGatepass = await phase(`${IDLE_GATEPASS} idle consoles through Gatepass`, () => benchIdleGatepass(stack, IDLE_GATEPASS, 10));
    progress(idleLine('gatepass', idleGatepass));
    const idleWebsockify = await phase(`${IDLE_WEBSOCKIFY} idle consoles through websockify`, () => benchIdleWebsockify(stack, IDLE_WEBSOCKIFY, 10));
    progress(idleLine('websockify', idleWebsockify));
    const api = await phase('API proxy', () => benchApi(stack, { wrkSeconds: 5, connections: 16, ratePerSecond: 1000, rateSeconds: 5 }, progress));
    const relay = await phase('console relay', () => benchRelay(stack, { seconds: 5, warmupUpdates: 20 }, progress));
    results = { api, relay, idle: { gatepass: idleGatepass, websockify: idleWebsockify }, tokens, otherLoad };
  } finally {
    await stack.close();
  }
  const lines = [
    '## Machine',
    ...describeMachine({
      wrk: ['wrk', ['-v']],
      kubectl: ['kubectl', ['version', '--client']],
      Xvnc: ['Xvnc', ['-version']],
      websockify: ['dpkg-query', ['-W', '-f', '${Version}', 'websockify']],
    }),
    '',
    '## Results',
    '',
    renderReport(results),
    '',
    `Whole run: ${((performance.now() - runStarted) / 1000).toFixed(0)} s.`,
  ];
  if (options.profileDir) lines.push('', ...(await profileSection(options.profileDir)));
  process.stdout.write(`${lines.join('\n')}\n`);
  if (options.jsonFile) await writeFile(options.jsonFile, JSON.stringify(results, null, 2));
}

/** Where the gateway spent its CPU over the whole run (the profile covers every phase). */
async function profileSection(dir: string): Promise<string[]> {
  // tsx's module-loader thread writes a small profile of its own; the gateway's main thread is the largest.
  const files = await Promise.all((await readdir(dir)).filter((f) => f.endsWith('.cpuprofile')).map(async (f) => ({ f, size: (await stat(`${dir}/${f}`)).size })));
  const latest = files.sort((a, b) => b.size - a.size)[0]?.f;
  if (!latest) return [`No CPU profile was written to ${dir}.`];
  const summary = summarizeProfile(await readProfile(`${dir}/${latest}`), 20);
  const rows = (shares: typeof summary.byModule): string[][] => shares.map((s) => [s.name, `${fixed(s.ms, 0)} ms`, `${fixed(s.percent, 1)} %`]);
  return [
    `## Gateway CPU profile (${dir}/${latest}; ${fixed(summary.totalMs / 1000, 1)} s busy; profiling slows the gateway, so these runs' figures are not the reference)`,
    '',
    markdownTable(['module', 'self time', 'share'], rows(summary.byModule)),
    '',
    markdownTable(['function', 'self time', 'share'], rows(summary.byFunction)),
  ];
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:gateway failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
