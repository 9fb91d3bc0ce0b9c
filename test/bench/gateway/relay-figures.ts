// Figures from the relay runs that both the tables and the targets quote, so
// they cannot disagree: a path's median and spread, and ratios between paths
// taken round by round (each round's paths shared that round's machine load).
import { roundRatios } from '../lib/interleave.ts';
import { spread, type Spread } from '../lib/stats.ts';
import type { RelayResults, RelayRun } from './relay.ts';
import { RELAY_PATHS, type RelayPath, type Watched } from './relay-paths.ts';

export type Figure = (run: RelayRun) => number;

export const megabytesPerSecond: Figure = (r) => r.megabytesPerSecond;
export const p99: Figure = (r) => r.p99Ms;
export const cpuPerGB = (process: Watched): Figure => (r) => r.cpuSecondsPerGB[process] ?? Number.NaN;
export const rssLoadOverIdle: Figure = (r) => (r.gateway ? r.gateway.loadRssKiB / r.gateway.idleRssKiB : Number.NaN);

export function pathSpread(relay: RelayResults, path: RelayPath, figure: Figure): Spread {
  return spread(relay.runs[path].map(figure));
}

/** numerator ÷ denominator, per round, as median and spread. */
export function pathRatio(relay: RelayResults, numerator: RelayPath, denominator: RelayPath, figure: Figure): Spread {
  return spread(roundRatios(relay.runs[numerator], relay.runs[denominator], figure));
}

/** Within each run of one path: one process's CPU per GB ÷ another's, both carrying the same bytes at the same moment. */
export function cpuRatio(relay: RelayResults, path: RelayPath, numerator: Watched, denominator: Watched): Spread {
  return spread(relay.runs[path].map((r) => cpuPerGB(numerator)(r) / cpuPerGB(denominator)(r)));
}

/** The paths through a gateway, whose memory and collections are judged. */
export const GATEWAY_PATHS = RELAY_PATHS.filter((p) => p.startsWith('gatepass'));

export function markCompacts(relay: RelayResults, path: RelayPath): number[] {
  return relay.runs[path].map((r) => r.gateway?.markCompacts ?? 0);
}

/** The run whose gateway grew most under load, relative to its idle RSS just before. */
export function worstRssGrowth(relay: RelayResults): { path: RelayPath; run: RelayRun } {
  const all = GATEWAY_PATHS.flatMap((path) => relay.runs[path].map((run) => ({ path, run })));
  return all.reduce((worst, next) => (rssLoadOverIdle(next.run) > rssLoadOverIdle(worst.run) ? next : worst));
}
