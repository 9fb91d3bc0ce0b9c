// Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went: self
// time by function and by module, which is what a missed target's note quotes.
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  name: string;
  ms: number;
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  byFunction: ProfileShare[];
  byModule: ProfileShare[];
}

/** `ws`, `pino`, `node:internal/tls`, `gateway/verify.ts`: the unit a fix would touch. */
export function moduleOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return url.replace(/^node:(internal\/)?/, 'node:').split('/').slice(0, 2).join('/');
  const own = /\/(gateway|shared|test)\/(.+)$/.exec(url);
  return own ? `${own[1]}/${own[2]}` : url;
}

function top(map: Map<string, number>, totalMs: number, count: number): ProfileShare[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => ({ name, ms, percent: (ms / totalMs) * 100 }));
}

export function summarizeProfile(profile: CpuProfile, count = 15): ProfileSummary {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const node = nodes.get(id);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    if (!node) return;
    const { functionName, url, lineNumber } = node.callFrame;
    // Idle time is not work; leaving it out makes the shares those of the busy time.
    if (functionName === '(idle)') return;
    totalMs += ms;
    const fn = `${functionName || '(anonymous)'} ${moduleOf(url, functionName)}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
    const mod = moduleOf(url, functionName);
    byModule.set(mod, (byModule.get(mod) ?? 0) + ms);
  });
  return { totalMs, byFunction: top(byFunction, totalMs, count), byModule: top(byModule, totalMs, count) };
}

export async function readProfile(path: string): Promise<CpuProfile> {
  const profile = JSON.parse(await readFile(path, 'utf8')) as Partial<CpuProfile>;
  if (!Array.isArray(profile.nodes) || !Array.isArray(profile.samples) || !Array.isArray(profile.timeDeltas)) {
    throw new Error(`${path} is not a V8 CPU profile (no nodes, samples or timeDeltas)`);
  }
  return profile as CpuProfile;
}
