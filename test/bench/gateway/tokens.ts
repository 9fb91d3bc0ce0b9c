// Token verification in-process, the gateway's own verifier: every check
// verifying the RS256 signature (cache off), and the cached path a busy
// console or API client takes on every request after its first.
import { createVerifier, type RequestTarget } from '../../../gateway/verify.ts';
import { parseDuration } from '../../../shared/duration.ts';
import type { Stack } from './stack.ts';
import { API_OBJECT_PATH } from './stack.ts';

export interface TokenResults {
  coldPerSecond: number;
  cachedPerSecond: number;
}

async function opsPerSecond(check: () => Promise<boolean>, seconds: number): Promise<number> {
  for (let i = 0; i < 200; i++) if (!(await check())) throw new Error('the verifier refused the benchmark token');
  let ops = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  // Checked in batches so reading the clock costs nothing next to a cached check.
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) {
      if (!(await check())) throw new Error('the verifier refused the benchmark token');
    }
    ops += 100;
  }
  return (ops * 1000) / (performance.now() - started);
}

export async function benchTokens(stack: Stack, seconds: number): Promise<TokenResults> {
  const token = await stack.sign({ urls: [API_OBJECT_PATH] });
  const target: RequestTarget = { method: 'GET', path: API_OBJECT_PATH, upgrade: false };
  const options = { keys: () => stack.publicKeys, clockSkewMs: 30_000, maxLifetimeMs: parseDuration('168h'), audiences: [], ceiling: [] };
  const cold = createVerifier({ ...options, cacheSize: 0 });
  const cached = createVerifier(options);
  return {
    coldPerSecond: await opsPerSecond(async () => (await cold(token, target)).allow, seconds),
    cachedPerSecond: await opsPerSecond(async () => (await cached(token, target)).allow, seconds),
  };
}
