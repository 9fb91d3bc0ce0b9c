// Figures from the shared-console runs that the table, the ratios and the
// targets all quote: CPU per GB delivered, each viewer's p99, ratios to the
// single viewer taken round by round, and whether a run saturated something.
import { spread, type Spread } from '../lib/stats.ts';
import { VIEWER_COUNTS, type SharedResults, type SharedRun, type ViewerCount } from './shared-console.ts';

/** A process this busy over the window (share of one core) is the bottleneck. */
const CORE_SATURATED = 0.9;
/** The benchmark's own processes this busy (share of all the machine's cores) leave no room for anyone. */
const MACHINE_SATURATED = 0.95;
/** Viewers receiving fewer updates than this share of the screen's changes are falling behind. */
const UPDATES_BEHIND = 0.9;

export type SharedFigure = (run: SharedRun) => number;

const median = (values: readonly number[]): number => spread(values).median;

export const deliveredMBps: SharedFigure = (r) => r.bytes / 1e6 / (r.windowMs / 1000);
export const gatewayCpuPerGB: SharedFigure = (r) => r.cpuMs.gateway / 1000 / (r.bytes / 1e9);
export const worstP99: SharedFigure = (r) => Math.max(...r.perViewer.map((v) => v.p99Ms));
export const medianP99: SharedFigure = (r) => median(r.perViewer.map((v) => v.p99Ms));
export const medianP50: SharedFigure = (r) => median(r.perViewer.map((v) => v.p50Ms));
export const updatesPerViewer: SharedFigure = (r) => median(r.perViewer.map((v) => v.updatesPerSecond));
export const coreShare = (process: keyof SharedRun['cpuMs']): SharedFigure => (r) => r.cpuMs[process] / r.windowMs;
/** Cores busy with the benchmark's processes: the gateway, the stand-in, the upstream and the viewers. */
export const ownCores: SharedFigure = (r) => (r.cpuMs.gateway + r.cpuMs.standIn + r.cpuMs.upstream + r.cpuMs.viewers) / r.windowMs;
/** Cores busy with everything else on this shared machine. */
export const otherCores: SharedFigure = (r) => Math.max(0, r.machineCores - ownCores(r));

const measured = (runs: readonly SharedRun[]): boolean => runs.every((r) => r.refused === undefined);

/** What ran out during a run, in words; empty when nothing did. */
export function saturation(run: SharedRun, fps: number): string[] {
  const reasons: string[] = [];
  const percent = (share: number): string => `${Math.round(share * 100)} %`;
  if (coreShare('gateway')(run) >= CORE_SATURATED) reasons.push(`gateway at ${percent(coreShare('gateway')(run))} of a core`);
  if (coreShare('viewers')(run) >= CORE_SATURATED) reasons.push(`viewers' process at ${percent(coreShare('viewers')(run))} of a core`);
  if (ownCores(run) >= MACHINE_SATURATED * run.cores) reasons.push(`the benchmark's processes at ${ownCores(run).toFixed(2)} of ${run.cores} cores`);
  if (updatesPerViewer(run) < UPDATES_BEHIND * fps) reasons.push(`viewers get ${updatesPerViewer(run).toFixed(1)} of ${fps} updates/s`);
  return reasons;
}

/** Saturated when most of its runs were. */
export function saturatedRuns(results: SharedResults, count: ViewerCount): number {
  return results.runs[count].filter((r) => r.refused === undefined && saturation(r, results.fps).length > 0).length;
}

export function isSaturated(results: SharedResults, count: ViewerCount): boolean {
  return saturatedRuns(results, count) * 2 > results.runs[count].length;
}

/** The fewest viewers at which the run saturated, with the reasons of its runs; undefined if none did. */
export function firstSaturation(results: SharedResults): { viewers: ViewerCount; reasons: string[] } | undefined {
  const count = VIEWER_COUNTS.find((n) => measured(results.runs[n]) && isSaturated(results, n));
  if (count === undefined) return undefined;
  return { viewers: count, reasons: [...new Set(results.runs[count].flatMap((r) => saturation(r, results.fps)))] };
}

export function countSpread(results: SharedResults, count: ViewerCount, figure: SharedFigure): Spread | undefined {
  const runs = results.runs[count];
  return measured(runs) ? spread(runs.map(figure)) : undefined;
}

/** `count` viewers ÷ one viewer, round by round; undefined unless both were measured in every round. */
export function ratioToSingle(results: SharedResults, count: ViewerCount, figure: SharedFigure): Spread | undefined {
  const many = results.runs[count];
  const single = results.runs[1];
  if (!measured(many) || !measured(single)) return undefined;
  return spread(many.map((r, i) => figure(r) / figure(single[i]!)));
}

/** Why a viewer count could not be measured, from its first refused run. */
export function refusal(results: SharedResults, count: ViewerCount): string | undefined {
  return results.runs[count].find((r) => r.refused !== undefined)?.refused;
}
