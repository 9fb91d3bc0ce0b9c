// The benchmark's command line: which phases to run, how many interleaved
// repeats per path, which gateway source to build (and an older one for the
// idle phase to compare with), and where to put a CPU profile and the raw figures.
import { resolve } from 'node:path';

/** In the order they run, whatever order --only names them in. */
export const PHASES = ['relay', 'api', 'idle', 'tokens', 'shared'] as const;
export type Phase = (typeof PHASES)[number];

export interface RunOptions {
  phases: Phase[];
  repeats: number;
  /** Build the gateway from this commit instead of the working tree. */
  gatewayRef?: string;
  /** Also build this commit and measure its idle consoles (TLS upstream) in the same run: the relay before issue 8. */
  idleBaseline?: string;
  profileDir?: string;
  jsonFile?: string;
}

export const USAGE = `usage: npm run bench:gateway -- [--only ${PHASES.join(',')}] [--repeats N] [--gateway-ref <commit>] [--idle-baseline <commit>] [--profile <dir>] [--json <file>]`;

const isPhase = (name: string): name is Phase => (PHASES as readonly string[]).includes(name);

export function parseRunArgs(argv: readonly string[]): RunOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const match = /^--(only|repeats|gateway-ref|idle-baseline|profile|json)(?:=(.*))?$/.exec(argv[i]!);
    const value = match?.[2] ?? argv[i + 1];
    if (!match || value === undefined || value === '' || (match[2] === undefined && value.startsWith('--'))) {
      throw new Error(`unknown or incomplete argument ${JSON.stringify(argv[i])}\n${USAGE}`);
    }
    if (match[2] === undefined) i++;
    values.set(match[1]!, value);
  }
  const only = values.get('only')?.split(',').map((p) => p.trim());
  const unknown = only?.filter((p) => !isPhase(p)) ?? [];
  if (unknown.length > 0) throw new Error(`--only takes ${PHASES.join(', ')}; not ${unknown.join(', ')}\n${USAGE}`);
  const repeats = Number(values.get('repeats') ?? '3');
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`--repeats must be a positive integer, got ${JSON.stringify(values.get('repeats'))}`);
  const gatewayRef = values.get('gateway-ref');
  const idleBaseline = values.get('idle-baseline');
  const profileDir = values.get('profile');
  const jsonFile = values.get('json');
  return {
    phases: PHASES.filter((p) => !only || only.includes(p)),
    repeats,
    ...(gatewayRef ? { gatewayRef } : {}),
    ...(idleBaseline ? { idleBaseline } : {}),
    ...(profileDir ? { profileDir: resolve(profileDir) } : {}),
    ...(jsonFile ? { jsonFile: resolve(jsonFile) } : {}),
  };
}
