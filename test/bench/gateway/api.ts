// API proxy, small GET: the same object through Gatepass, through
// `kubectl proxy`, and straight from the stand-in, with the same load generators.
import { runConstantRate, type ConstantRateResult } from '../lib/constant-rate.ts';
import { runWrk, type WrkResult } from '../lib/wrk.ts';
import { httpStatus } from './http-check.ts';
import { API_OBJECT_PATH, type Stack } from './stack.ts';

export type ApiPath = 'gatepass' | 'kubectl proxy' | 'direct';

interface ApiTarget {
  path: ApiPath;
  url: string;
  headers: Record<string, string>;
  ca?: string;
}

export interface ApiResults {
  wrk: Record<ApiPath, WrkResult>;
  fixedRate: Record<ApiPath, ConstantRateResult>;
  ratePerSecond: number;
  wrkArgs: string;
}

export interface ApiOptions {
  wrkSeconds: number;
  connections: number;
  ratePerSecond: number;
  rateSeconds: number;
}

async function targets(stack: Stack): Promise<ApiTarget[]> {
  const link = await stack.sign({ urls: [API_OBJECT_PATH] });
  const list: ApiTarget[] = [
    { path: 'direct', url: `${stack.cluster.server}${API_OBJECT_PATH}`, headers: { authorization: `Bearer ${stack.cluster.gatewayToken}` }, ca: stack.cluster.caPem },
    { path: 'kubectl proxy', url: `${stack.kubectlProxy.url}${API_OBJECT_PATH}`, headers: {} },
    { path: 'gatepass', url: `${stack.gateway.url}/k8s${API_OBJECT_PATH}`, headers: { authorization: `Bearer ${link}` } },
  ];
  for (const t of list) {
    const status = await httpStatus(t.url, { headers: t.headers, ...(t.ca ? { ca: t.ca } : {}) });
    if (status !== 200) throw new Error(`GET ${API_OBJECT_PATH} via ${t.path} answered ${status}, not 200; nothing to measure`);
  }
  return list;
}

function checked(path: ApiPath, result: WrkResult): WrkResult {
  if (result.non2xx > 0 || result.socketErrors > 0) {
    throw new Error(`wrk via ${path}: ${result.non2xx} error responses and ${result.socketErrors} socket errors in ${result.requests} requests`);
  }
  return result;
}

export async function benchApi(stack: Stack, options: ApiOptions, progress: (line: string) => void): Promise<ApiResults> {
  const list = await targets(stack);
  const wrk = {} as Record<ApiPath, WrkResult>;
  const fixedRate = {} as Record<ApiPath, ConstantRateResult>;
  for (const t of list) {
    const base = { url: t.url, threads: 1, connections: options.connections, headers: t.headers };
    await runWrk({ ...base, durationSeconds: 1 });
    wrk[t.path] = checked(t.path, await runWrk({ ...base, durationSeconds: options.wrkSeconds }));
    progress(`api ${t.path}: ${wrk[t.path].requestsPerSecond.toFixed(0)} req/s, p99 ${wrk[t.path].p99Ms.toFixed(2)} ms`);
  }
  for (const t of list) {
    const result = await runConstantRate({
      url: t.url,
      headers: t.headers,
      ...(t.ca ? { ca: t.ca } : {}),
      ratePerSecond: options.ratePerSecond,
      durationSeconds: options.rateSeconds,
      warmupSeconds: 1,
    });
    if (result.errors > 0) throw new Error(`${result.errors} failed requests via ${t.path} at ${options.ratePerSecond} requests/s`);
    fixedRate[t.path] = result;
    progress(`api ${t.path} at ${options.ratePerSecond}/s: p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms`);
  }
  return { wrk, fixedRate, ratePerSecond: options.ratePerSecond, wrkArgs: `wrk -t1 -c${options.connections} -d${options.wrkSeconds}s --latency` };
}
