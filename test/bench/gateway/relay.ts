// Console relay: full-screen Raw updates from Xvnc over every path in
// relay-paths.ts, in interleaved rounds, each run charged the CPU, memory and
// full collections of the processes in its path.
import { interleaved } from '../lib/interleave.ts';
import { runRfbLoad, type RfbLoadResult } from '../lib/rfb-load.ts';
import { RelayProbe, type RunCost } from './relay-probe.ts';
import { RELAY_PATHS, relayRoute, type RelayGateways, type RelayPath } from './relay-paths.ts';
import type { Stack } from './stack.ts';

export interface RelayOptions {
  seconds: number;
  warmupUpdates: number;
  repeats: number;
}

export type RelayRun = RfbLoadResult & RunCost;

export interface RelayResults {
  seconds: number;
  warmupUpdates: number;
  repeats: number;
  /** Each path's runs in round order: run i of every path shared round i's machine. */
  runs: Record<RelayPath, RelayRun[]>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function measureOnce(stack: Stack, gateways: RelayGateways, path: RelayPath, options: RelayOptions): Promise<RelayRun> {
  const route = relayRoute(stack, gateways, path);
  const probe = new RelayProbe(route);
  try {
    const load = await runRfbLoad(await route.connect(), { warmupUpdates: options.warmupUpdates, durationSeconds: options.seconds, window: probe.window });
    return { ...load, ...(await probe.cost(load.bytes)) };
  } finally {
    probe.stopSampling();
  }
}

const describeRun = (r: RelayRun): string => {
  const cpu = Object.entries(r.cpuSecondsPerGB).map(([name, s]) => `${name} ${s.toFixed(2)} CPU-s/GB`);
  const gateway = r.gateway ? [`gateway RSS ${(r.gateway.idleRssKiB / 1024).toFixed(0)} → ${(r.gateway.loadRssKiB / 1024).toFixed(0)} MiB`, `${r.gateway.markCompacts} Mark-Compact, ${r.gateway.scavenges} minor GCs`] : [];
  return [`${r.megabytesPerSecond.toFixed(0)} MB/s`, `p99 ${r.p99Ms.toFixed(1)} ms`, ...cpu, ...gateway].join(', ');
};

export async function benchRelay(stack: Stack, options: RelayOptions, progress: (line: string) => void): Promise<RelayResults> {
  const gateways: RelayGateways = {
    tls: await stack.startGateway('relay, TLS upstream', 'tls'),
    plain: await stack.startGateway('relay, plain-HTTP upstream', 'plain'),
  };
  try {
    // A gateway just started still grows its heap to its working size, with full collections on the way;
    // one unmeasured run per gateway path first, so what is counted is the relay in steady state.
    for (const path of RELAY_PATHS.filter((p) => p.startsWith('gatepass'))) {
      await measureOnce(stack, gateways, path, options);
      progress(`relay warm-up ${path} done`);
      await sleep(300);
    }
    const runs = await interleaved(RELAY_PATHS, options.repeats, async (path, round) => {
      // One retry: a stalled path is reported with its cause, and a second stall fails the run.
      const run = await measureOnce(stack, gateways, path, options).catch(async (err: unknown) => {
        progress(`relay ${path} (round ${round}) failed once (${(err as Error).message}); retrying`);
        await sleep(2000);
        return measureOnce(stack, gateways, path, options);
      });
      progress(`relay round ${round}/${options.repeats} ${path}: ${describeRun(run)}`);
      // The stand-in keeps one session per VM and Xvnc needs a moment to drop the last client.
      await sleep(300);
      return run;
    });
    return { seconds: options.seconds, warmupUpdates: options.warmupUpdates, repeats: options.repeats, runs };
  } finally {
    await Promise.all([gateways.tls.stop(), gateways.plain.stop()]);
  }
}
