// Shared consoles (issue 9): one console, the streaming VNC server's, watched
// by 1, 2, 5 and 20 viewers through one gateway, in interleaved rounds. Each run
// charges the gateway's CPU to the bytes delivered to all viewers and keeps each
// viewer's update latencies; a gateway that refuses or drops a viewer is
// reported as such, with its close reason, instead of measured. The viewers are
// read by worker threads of this process (`shared-viewers.ts`).
import { cpus } from 'node:os';
import { vncPath } from '../../../shared/kubevirt-paths.ts';
import { collectionsBetween, logOffset, type Collections } from '../lib/gc-trace.ts';
import { interleaved } from '../lib/interleave.ts';
import { machineBusyMs, runQueueWaitMs, treeCpuMs, treeRunQueueWaitMs } from '../lib/proc-stats.ts';
import type { ViewerWindow } from '../lib/rfb-viewer.ts';
import { summarize, type LatencySummary } from '../lib/stats.ts';
import type { GatewayProcess } from './gateway-process.ts';
import { bearerSubprotocol } from './relay-paths.ts';
import { key, ViewerThreads, type ViewerHandle } from './shared-viewers.ts';
import { STREAM_VM, type Stack } from './stack.ts';

export const VIEWER_COUNTS = [1, 2, 5, 20] as const;
export type ViewerCount = (typeof VIEWER_COUNTS)[number];

export interface SharedOptions {
  seconds: number;
  /** Updates every viewer must have received before the window opens. */
  warmupUpdates: number;
  repeats: number;
}

export interface ViewerFigures extends LatencySummary {
  updatesPerSecond: number;
  bytes: number;
}

/** CPU milliseconds over the window, per process. */
export interface SharedCpu {
  gateway: number;
  standIn: number;
  upstream: number;
  /** This process (its viewer threads): every viewer's websocket and parsing. */
  viewers: number;
}

export interface SharedRun {
  viewers: ViewerCount;
  /** Set when the gateway did not let every viewer watch until the end: who, and what it said. */
  refused?: string;
  windowMs: number;
  /** Server→client bytes received, summed over viewers. */
  bytes: number;
  perViewer: ViewerFigures[];
  cpuMs: SharedCpu;
  /** The gateway's garbage collections over the window, from its --trace-gc log. */
  gatewayGc: Collections;
  /** Milliseconds the gateway's threads and the viewer threads spent runnable but waiting for a CPU over the window. */
  cpuWaitMs: { gateway: number; viewers: number };
  /** Average cores busy on the whole machine (all processes) over the window. */
  machineCores: number;
  /** The worst p99 of the viewer threads' event-loop delays over the window: how late a thread got to read what had arrived. */
  viewersLoopDelayP99Ms: number;
  cores: number;
}

export interface SharedResults {
  seconds: number;
  warmupUpdates: number;
  repeats: number;
  fps: number;
  /** Bytes of one screen change as the upstream sends it. */
  changeBytes: number;
  runs: Record<ViewerCount, SharedRun[]>;
}

const HANDSHAKE_TIMEOUT_MS = 10_000;
/** Threads reading the viewers (viewer i on thread i mod 4): twenty viewers, five to a loop. */
const VIEWER_THREADS = 4;
const FIRST_UPDATE_TIMEOUT_MS = 10_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const consolePath = vncPath(STREAM_VM.namespace, STREAM_VM.name);

/** Viewer 1 holds a full-control link (the operator), the others view-only links: a trainer and students. */
async function openViewer(stack: Stack, gateway: GatewayProcess, threads: ViewerThreads, index: number): Promise<ViewerHandle> {
  const link = await stack.sign({ urls: [consolePath], ...(index > 0 ? { restrictions: { viewOnly: true } } : {}) });
  const url = `${gateway.url.replace(/^http:/, 'ws:')}/k8s${consolePath}?preserveSession=true`;
  return threads.open(index, url, ['plain.kubevirt.io', bearerSubprotocol(link)], HANDSHAKE_TIMEOUT_MS, FIRST_UPDATE_TIMEOUT_MS);
}

const failure = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** A viewer (numbered from 1) and what happened to it. */
type Problem = [number, string];

async function endedViewers(threads: ViewerThreads, viewers: readonly ViewerHandle[]): Promise<Problem[]> {
  const ended = await threads.ended();
  return viewers.flatMap((v, i) => (ended.has(key(v)) ? [[i + 1, ended.get(key(v))!] as Problem] : []));
}

/** "viewers 2, 3, 4 of 5: closed with 4409 …": one line per distinct reason, however many viewers met it. */
function problemText(problems: readonly Problem[], count: number, prefix: string): string[] {
  const byReason = new Map<string, number[]>();
  for (const [viewer, why] of problems) byReason.set(why, [...(byReason.get(why) ?? []), viewer]);
  return [...byReason].map(([why, who]) => `${who.length === 1 ? 'viewer' : 'viewers'} ${who.join(', ')} of ${count}: ${prefix}${why}`);
}

function cpuNow(stack: Stack, gateway: GatewayProcess): SharedCpu {
  // Every thread of this process: the viewer threads' reading and parsing.
  const self = process.cpuUsage();
  return {
    gateway: treeCpuMs(gateway.pid),
    standIn: treeCpuMs(stack.cluster.pid),
    upstream: stack.stream ? treeCpuMs(stack.stream.pid) : 0,
    viewers: (self.user + self.system) / 1000,
  };
}

function cpuWaitNow(gateway: GatewayProcess): SharedRun['cpuWaitMs'] {
  return { gateway: treeRunQueueWaitMs(gateway.pid), viewers: runQueueWaitMs(process.pid) };
}

function viewerFigures(window: ViewerWindow | undefined, windowMs: number): ViewerFigures {
  if (!window || window.latenciesMs.length === 0) throw new Error('a viewer received no stamped update during the window');
  return { ...summarize(window.latenciesMs), updatesPerSecond: window.updates / (windowMs / 1000), bytes: window.bytes };
}

function refusedRun(viewers: ViewerCount, refused: string): SharedRun {
  return { viewers, refused, windowMs: 0, bytes: 0, perViewer: [], cpuMs: { gateway: 0, standIn: 0, upstream: 0, viewers: 0 }, gatewayGc: { full: 0, minor: 0 }, cpuWaitMs: { gateway: 0, viewers: 0 }, machineCores: 0, viewersLoopDelayP99Ms: 0, cores: cpus().length };
}

/** The first viewer opens the console; the others join it together; all read until the window closes. */
async function measureOnce(stack: Stack, gateway: GatewayProcess, threads: ViewerThreads, count: ViewerCount, options: SharedOptions): Promise<SharedRun> {
  const viewers: ViewerHandle[] = [];
  try {
    try {
      viewers.push(await openViewer(stack, gateway, threads, 0));
    } catch (err) {
      return refusedRun(count, `viewer 1 of ${count}: ${failure(err)}`);
    }
    const joined = await Promise.allSettled(Array.from({ length: count - 1 }, (_, i) => openViewer(stack, gateway, threads, i + 1)));
    const refused: Problem[] = [];
    joined.forEach((j, i) => (j.status === 'fulfilled' ? viewers.push(j.value) : refused.push([i + 2, failure(j.reason)])));
    await threads.arrived(options.warmupUpdates, FIRST_UPDATE_TIMEOUT_MS);
    const closed = await endedViewers(threads, viewers);
    if (refused.length + closed.length > 0) return refusedRun(count, [...problemText(refused, count, ''), ...problemText(closed, count, 'closed while the others joined: ')].join('; '));

    const cpuBefore = cpuNow(stack, gateway);
    const waitBefore = cpuWaitNow(gateway);
    const gcLogBefore = logOffset(gateway.logFile);
    const busyBefore = machineBusyMs();
    const openedAt = performance.now();
    await threads.openWindows();
    await sleep(options.seconds * 1000);
    const { windows, loopDelayP99Ms } = await threads.closeWindows();
    const windowMs = performance.now() - openedAt;
    const cpuAfter = cpuNow(stack, gateway);
    const waitAfter = cpuWaitNow(gateway);
    const gcLogAfter = logOffset(gateway.logFile);
    const machineCores = (machineBusyMs() - busyBefore) / windowMs;

    const dropped = await endedViewers(threads, viewers);
    if (dropped.length > 0) return refusedRun(count, problemText(dropped, count, 'closed during the run: ').join('; '));
    const cpuMs = Object.fromEntries(Object.entries(cpuAfter).map(([k, v]) => [k, v - cpuBefore[k as keyof SharedCpu]])) as unknown as SharedCpu;
    const perViewer = viewers.map((v) => viewerFigures(windows.get(key(v)), windowMs));
    return {
      viewers: count,
      windowMs,
      bytes: perViewer.reduce((sum, v) => sum + v.bytes, 0),
      perViewer,
      cpuMs,
      gatewayGc: await collectionsBetween(gateway.logFile, gcLogBefore, gcLogAfter),
      cpuWaitMs: { gateway: waitAfter.gateway - waitBefore.gateway, viewers: waitAfter.viewers - waitBefore.viewers },
      machineCores,
      viewersLoopDelayP99Ms: loopDelayP99Ms,
      cores: cpus().length,
    };
  } finally {
    await threads.closeViewers();
  }
}

export async function benchSharedConsole(stack: Stack, options: SharedOptions, progress: (line: string) => void): Promise<SharedResults> {
  if (!stack.stream) throw new Error('the shared console phase needs the streaming VNC server (startStack with streamFps)');
  const gateway = await stack.startGateway('shared console, TLS upstream', 'tls');
  const threads = new ViewerThreads(VIEWER_THREADS);
  try {
    // One unmeasured run first: the fresh gateway grows its heap and its code warms up.
    await measureOnce(stack, gateway, threads, 1, options);
    const runs = await interleaved(VIEWER_COUNTS, options.repeats, async (count, round) => {
      // One retry, as for the relay: a refusal or a stall that happens twice is the figure.
      let run = await measureOnce(stack, gateway, threads, count, options);
      if (run.refused !== undefined) {
        progress(`shared console round ${round}, ${count} viewer(s) not measured once (${run.refused}); retrying`);
        await sleep(2000);
        run = await measureOnce(stack, gateway, threads, count, options);
      }
      progress(`shared console round ${round}/${options.repeats}, ${count} viewer(s): ${describeRun(run)}`);
      // The stand-in keeps one session per VM; the last viewer's leaving must reach it first.
      await sleep(300);
      return run;
    });
    return { seconds: options.seconds, warmupUpdates: options.warmupUpdates, repeats: options.repeats, fps: stack.stream.fps, changeBytes: stack.stream.changeBytes, runs };
  } finally {
    await threads.stop();
    await gateway.stop();
  }
}

function describeRun(run: SharedRun): string {
  if (run.refused !== undefined) return `NOT MEASURED: ${run.refused}`;
  const worstP99 = Math.max(...run.perViewer.map((v) => v.p99Ms));
  const gatewayPercent = (run.cpuMs.gateway / run.windowMs) * 100;
  return [
    `${(run.bytes / 1e6 / (run.windowMs / 1000)).toFixed(0)} MB/s delivered`,
    `worst viewer p99 ${worstP99.toFixed(1)} ms`,
    `gateway ${((run.cpuMs.gateway / 1000) / (run.bytes / 1e9)).toFixed(2)} CPU-s/GB, ${gatewayPercent.toFixed(0)} % of a core, ${run.gatewayGc.full} Mark-Compact, ${run.gatewayGc.minor} minor GCs`,
    `viewers ${((run.cpuMs.viewers / run.windowMs) * 100).toFixed(0)} %, event-loop delay p99 ${run.viewersLoopDelayP99Ms.toFixed(0)} ms`,
    `machine ${run.machineCores.toFixed(2)} of ${run.cores} cores busy`,
  ].join(', ');
}
