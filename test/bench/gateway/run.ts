// `npm run bench:gateway [-- --only relay,api,idle,tokens,shared] [--repeats N] [--gateway-ref <commit>] [--idle-baseline <commit>] [--profile <dir>] [--json <file>]`
// The built gateway next to its baselines, in one run on one machine: console
// relay, API proxy, idle consoles, token verification, shared consoles. Prints
// Markdown (docs/benchmarks.md quotes a run) and issues 8's and 9's targets as PASS/MISS.
import { readdir, writeFile } from 'node:fs/promises';
import { readProfile, summarizeProfile } from '../lib/cpu-profile.ts';
import { ensureFdLimit } from '../lib/fd-limit.ts';
import { describeMachine } from '../lib/machine.ts';
import { ForeignLoad } from '../lib/proc-stats.ts';
import { fixed, markdownTable } from '../lib/table.ts';
import { benchApi } from './api.ts';
import { buildGateway, type BuiltGateway, type GatewayProcess } from './gateway-process.ts';
import { benchIdleGatepass, benchIdleWebsockify, type IdleResult } from './idle.ts';
import { parseRunArgs, type Phase, type RunOptions } from './options.ts';
import { benchRelay } from './relay.ts';
import { renderReport, type BenchResults } from './report.ts';
import { benchSharedConsole } from './shared-console.ts';
import { repoRoot, startStack, type Stack } from './stack.ts';
import { benchTokens } from './tokens.ts';

const IDLE_GATEPASS = 1000;
const IDLE_WEBSOCKIFY = 200;
const SCREEN = { width: 1280, height: 800 };
/** How often the shared console's screen changes: a busy desktop (a video, a build log scrolling). */
const SHARED_FPS = 30;

/** An older gateway whose idle consoles are measured next to this one's. */
interface Baseline {
  ref: string;
  built: BuiltGateway;
}

const runStarted = performance.now();
const progress = (line: string): void => void process.stderr.write(`[bench ${((performance.now() - runStarted) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);
const idleLine = (name: string, r: { consoles: number; rssPerConsoleKiB: number; idleCpuPercent: number; openSeconds: number }): string =>
  `${name}: ${r.consoles} consoles opened in ${r.openSeconds.toFixed(1)} s, ${r.rssPerConsoleKiB.toFixed(1)} KiB RSS each, idle CPU ${r.idleCpuPercent.toFixed(2)} %`;

/** Runs the chosen phases in their fixed order; each phase that needs a gateway starts a fresh one. */
async function runPhases(stack: Stack, options: RunOptions, results: BenchResults, baseline: Baseline | undefined): Promise<void> {
  const foreign = new ForeignLoad();
  const runners: Record<Phase, [string, () => Promise<void>]> = {
    relay: ['console relay', async () => {
      results.relay = await benchRelay(stack, { seconds: 5, warmupUpdates: 20, repeats: options.repeats }, progress);
    }],
    api: ['API proxy', async () => {
      results.api = await benchApi(stack, { wrkSeconds: 5, connections: 16, ratePerSecond: 1000, rateSeconds: 5, repeats: options.repeats }, progress);
    }],
    idle: ['idle consoles', async () => {
      const gatepass = await benchIdleGatepass(stack, IDLE_GATEPASS, 10, 'tls');
      progress(idleLine('gatepass, TLS upstream', gatepass));
      const gatepassPlain = await benchIdleGatepass(stack, IDLE_GATEPASS, 10, 'plain');
      progress(idleLine('gatepass, plain HTTP upstream', gatepassPlain));
      let old: { ref: string; result: IdleResult } | undefined;
      if (baseline) {
        old = { ref: baseline.ref, result: await benchIdleGatepass(stack, IDLE_GATEPASS, 10, 'tls', baseline.built.root) };
        progress(idleLine(`gatepass ${baseline.ref}, TLS upstream`, old.result));
      }
      const websockify = await benchIdleWebsockify(stack, IDLE_WEBSOCKIFY, 10);
      progress(idleLine('websockify', websockify));
      results.idle = { gatepass, gatepassPlain, ...(old ? { baseline: old } : {}), websockify };
    }],
    tokens: ['token verification', async () => {
      results.tokens = await benchTokens(stack, 2);
    }],
    shared: ['shared console', async () => {
      // Each viewer's p99 is the target here: 20 s at 30 updates/s is 600 updates, so a p99 rests on six of them, not on one or two.
      results.shared = await benchSharedConsole(stack, { seconds: 20, warmupUpdates: 20, repeats: options.repeats }, progress);
    }],
  };
  for (const phase of options.phases) {
    const [name, run] = runners[phase];
    progress(name);
    foreign.next();
    await run();
    results.otherLoad[name] = foreign.next();
  }
}

async function main(): Promise<void> {
  let options: RunOptions;
  try {
    options = parseRunArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
  // Clients here, the gateway's two sockets per console, websockify's: all under one limit.
  if (options.phases.includes('idle')) await ensureFdLimit(4 * IDLE_GATEPASS + 1000);
  progress(`building the gateway (npm run build:gateway) from ${options.gatewayRef ?? 'the working tree'}`);
  const built = await buildGateway(repoRoot, options.gatewayRef);
  const baseline = options.idleBaseline && options.phases.includes('idle') ? await buildBaseline(built, options.idleBaseline) : undefined;
  const removeBuilds = async (): Promise<void> => {
    await built.remove();
    await baseline?.built.remove();
  };
  progress('starting Xvnc, the cluster stand-in, kubectl proxy and websockify');
  const stack: Stack = await startStack({
    idleVms: options.phases.includes('idle') ? IDLE_GATEPASS : 0,
    screen: SCREEN,
    builtGateway: built.root,
    ...(options.phases.includes('shared') ? { streamFps: SHARED_FPS } : {}),
    ...(options.profileDir ? { profileDir: options.profileDir } : {}),
  }).catch(async (err: unknown) => {
    await removeBuilds();
    throw err;
  });
  const stopOnSignal = (): void => {
    stack.processes.killAllNow();
    process.exit(130);
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  process.once('exit', () => stack.processes.killAllNow());
  const results: BenchResults = { phases: options.phases, otherLoad: {} };
  try {
    await runPhases(stack, options, results, baseline);
  } finally {
    await stack.close();
    await removeBuilds();
  }
  const lines = [
    '## Machine',
    ...describeMachine({
      wrk: ['wrk', ['-v']],
      kubectl: ['kubectl', ['version', '--client']],
      Xvnc: ['Xvnc', ['-version']],
      websockify: ['dpkg-query', ['-W', '-f', '${Version}', 'websockify']],
    }),
    `- gateway: built from the ${built.source}`,
    ...(baseline ? [`- idle baseline gateway: built from the ${baseline.built.source}`] : []),
    `- command: npm run bench:gateway -- ${process.argv.slice(2).join(' ') || '(no options)'}`,
    '',
    '## Results',
    '',
    renderReport(results),
    '',
    `Whole run: ${((performance.now() - runStarted) / 1000).toFixed(0)} s.`,
  ];
  if (options.profileDir) lines.push('', ...(await profileSection(options.profileDir, stack.gateways)));
  process.stdout.write(`${lines.join('\n')}\n`);
  if (options.jsonFile) await writeFile(options.jsonFile, JSON.stringify(results, null, 2));
}

/** The `--idle-baseline` commit's gateway; the run's own build is removed when this one cannot be made. */
async function buildBaseline(built: BuiltGateway, ref: string): Promise<Baseline> {
  progress(`building the idle baseline gateway from ${ref}`);
  try {
    return { ref, built: await buildGateway(repoRoot, ref) };
  } catch (err) {
    await built.remove();
    throw err;
  }
}

/** Where each gateway spent its CPU over its phase (`node --cpu-prof` names each profile after its process id). */
async function profileSection(dir: string, gateways: readonly GatewayProcess[]): Promise<string[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  const sections = await Promise.all(gateways.map(async (gateway) => {
    const file = files.find((f) => f.includes(`.${gateway.pid}.`));
    if (!file) return [`No CPU profile of the gateway (${gateway.label}, pid ${gateway.pid}) in ${dir}.`];
    const summary = summarizeProfile(await readProfile(`${dir}/${file}`), 12);
    const rows = (shares: typeof summary.byModule): string[][] => shares.map((s) => [s.name, `${fixed(s.ms, 0)} ms`, `${fixed(s.percent, 1)} %`]);
    return [
      `### Gateway (${gateway.label}): ${dir}/${file}, ${fixed(summary.totalMs / 1000, 1)} s busy`,
      '',
      markdownTable(['module', 'self time', 'share'], rows(summary.byModule)),
      '',
      markdownTable(['function', 'self time', 'share'], rows(summary.byFunction)),
    ];
  }));
  return ['## Gateway CPU profiles (profiling slows the gateway, so these runs\' figures are not the reference)', '', ...sections.flatMap((s) => [...s, ''])];
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:gateway failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
