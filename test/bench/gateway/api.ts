// API proxy, small GET: the same object through Gatepass (a fresh built
// gateway, TLS upstream), through `kubectl proxy`, and straight from the
// stand-in, with the same load generators, in interleaved rounds.
import { interleaved } from '../lib/interleave.ts';
import { runConstantRate, type ConstantRateResult } from '../lib/constant-rate.ts';
import { runWrk, type WrkResult } from '../lib/wrk.ts';
import type { GatewayProcess } from './gateway-process.ts';
import { httpStatus } from './http-check.ts';
import { API_OBJECT_PATH, type Stack } from './stack.ts';

export const API_PATHS = ['gatepass', 'kubectl proxy', 'direct'] as const;
export type ApiPath = (typeof API_PATHS)[number];

interface ApiTarget {
  path: ApiPath;
  url: string;
  headers: Record<string, string>;
  ca?: string;
}

export interface ApiResults {
  /** Each path's runs in round order. */
  wrk: Record<ApiPath, WrkResult[]>;
  fixedRate: Record<ApiPath, ConstantRateResult[]>;
  ratePerSecond: number;
  wrkArgs: string;
  repeats: number;
}

export interface ApiOptions {
  wrkSeconds: number;
  connections: number;
  ratePerSecond: number;
  rateSeconds: number;
  repeats: number;
}

async function targets(stack: Stack, gateway: GatewayProcess): Promise<Record<ApiPath, ApiTarget>> {
  const link = await stack.sign({ urls: [API_OBJECT_PATH] });
  const list: Record<ApiPath, ApiTarget> = {
    gatepass: { path: 'gatepass', url: `${gateway.url}/k8s${API_OBJECT_PATH}`, headers: { authorization: `Bearer ${link}` } },
    'kubectl proxy': { path: 'kubectl proxy', url: `${stack.kubectlProxy.url}${API_OBJECT_PATH}`, headers: {} },
    direct: { path: 'direct', url: `${stack.cluster.server}${API_OBJECT_PATH}`, headers: { authorization: `Bearer ${stack.cluster.gatewayToken}` }, ca: stack.cluster.caPem },
  };
  for (const t of Object.values(list)) {
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
  const gateway = await stack.startGateway('API', 'tls');
  try {
    const list = await targets(stack, gateway);
    const wrk = await interleaved(API_PATHS, options.repeats, async (path, round) => {
      const base = { url: list[path].url, threads: 1, connections: options.connections, headers: list[path].headers };
      await runWrk({ ...base, durationSeconds: 1 });
      const result = checked(path, await runWrk({ ...base, durationSeconds: options.wrkSeconds }));
      progress(`api round ${round}/${options.repeats} ${path}: ${result.requestsPerSecond.toFixed(0)} req/s, p99 ${result.p99Ms.toFixed(2)} ms`);
      return result;
    });
    const fixedRate = await interleaved(API_PATHS, options.repeats, async (path, round) => {
      const t = list[path];
      const result = await runConstantRate({
        url: t.url,
        headers: t.headers,
        ...(t.ca ? { ca: t.ca } : {}),
        ratePerSecond: options.ratePerSecond,
        durationSeconds: options.rateSeconds,
        warmupSeconds: 1,
      });
      if (result.errors > 0) throw new Error(`${result.errors} failed requests via ${path} at ${options.ratePerSecond} requests/s`);
      progress(`api round ${round}/${options.repeats} ${path} at ${options.ratePerSecond}/s: p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms`);
      return result;
    });
    const wrkArgs = `wrk -t1 -c${options.connections} -d${options.wrkSeconds}s --latency`;
    return { wrk, fixedRate, ratePerSecond: options.ratePerSecond, wrkArgs, repeats: options.repeats };
  } finally {
    await gateway.stop();
  }
}
