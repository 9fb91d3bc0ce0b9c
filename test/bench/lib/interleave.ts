// Repeated measurements of several paths, interleaved — A, B, C, A, B, C, … —
// so that load from elsewhere on a shared machine falls on every path alike
// instead of on whichever path happened to run while it lasted.

/** Runs `measure` `repeats` times per path, in rounds; each path's results in round order. */
export async function interleaved<P extends PropertyKey, R>(
  paths: readonly P[],
  repeats: number,
  measure: (path: P, round: number) => Promise<R>,
): Promise<Record<P, R[]>> {
  const results = Object.fromEntries(paths.map((p) => [p, [] as R[]])) as Record<P, R[]>;
  for (let round = 1; round <= repeats; round++) {
    for (const path of paths) results[path].push(await measure(path, round));
  }
  return results;
}

/** Per-round ratios of two paths' figures: a ratio from one round shares that round's machine load. */
export function roundRatios<R>(numerator: readonly R[], denominator: readonly R[], figure: (r: R) => number): number[] {
  return numerator.map((n, i) => figure(n) / figure(denominator[i]!));
}
