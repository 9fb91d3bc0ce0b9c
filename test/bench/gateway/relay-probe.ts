// What one relay run cost the processes in its path, read from /proc over
// exactly the measured window (after the warm-up, until the last update):
// CPU time of each, and for a gateway its RSS (idle just before the run, peak
// during it) and the garbage collections its --trace-gc log gained.
import { collectionsBetween, logOffset } from '../lib/gc-trace.ts';
import { treeCpuMs, treeRssKiB } from '../lib/proc-stats.ts';
import type { RelayRoute, Watched } from './relay-paths.ts';

/** RSS is sampled this often during the window; its peak is what "under full load" means. */
const RSS_SAMPLE_MS = 100;

export interface GatewayCost {
  idleRssKiB: number;
  loadRssKiB: number;
  markCompacts: number;
  scavenges: number;
}

export interface RunCost {
  /** CPU-seconds per GB (10⁹ bytes) of pixels carried, for each watched process. */
  cpuSecondsPerGB: Partial<Record<Watched, number>>;
  gateway?: GatewayCost;
}

export class RelayProbe {
  private readonly idleRssKiB: number;
  private cpuAtOpen: Partial<Record<Watched, number>> = {};
  private cpuAtClose: Partial<Record<Watched, number>> = {};
  private logAtOpen = 0;
  private logAtClose = 0;
  private peakRssKiB = 0;
  private sampler: NodeJS.Timeout | undefined;

  /** Construct just before connecting: the gateway's RSS now is its idle RSS. */
  constructor(private readonly route: RelayRoute) {
    this.idleRssKiB = route.gateway ? treeRssKiB(route.gateway.pid) : 0;
  }

  readonly window = {
    opened: (): void => {
      this.cpuAtOpen = this.cpu();
      const gateway = this.route.gateway;
      if (!gateway) return;
      this.logAtOpen = logOffset(gateway.logFile);
      this.peakRssKiB = treeRssKiB(gateway.pid);
      this.sampler = setInterval(() => (this.peakRssKiB = Math.max(this.peakRssKiB, treeRssKiB(gateway.pid))), RSS_SAMPLE_MS);
    },
    closed: (): void => {
      this.cpuAtClose = this.cpu();
      const gateway = this.route.gateway;
      if (!gateway) return;
      this.stopSampling();
      this.peakRssKiB = Math.max(this.peakRssKiB, treeRssKiB(gateway.pid));
      this.logAtClose = logOffset(gateway.logFile);
    },
  };

  /** Ends sampling whether or not the run completed. */
  stopSampling(): void {
    clearInterval(this.sampler);
    this.sampler = undefined;
  }

  async cost(bytes: number): Promise<RunCost> {
    const gigabytes = bytes / 1e9;
    const cpuSecondsPerGB: Partial<Record<Watched, number>> = {};
    for (const [name, atClose] of Object.entries(this.cpuAtClose) as [Watched, number][]) {
      cpuSecondsPerGB[name] = (atClose - (this.cpuAtOpen[name] ?? atClose)) / 1000 / gigabytes;
    }
    const gateway = this.route.gateway;
    if (!gateway) return { cpuSecondsPerGB };
    const collections = await collectionsBetween(gateway.logFile, this.logAtOpen, this.logAtClose);
    return {
      cpuSecondsPerGB,
      gateway: { idleRssKiB: this.idleRssKiB, loadRssKiB: this.peakRssKiB, markCompacts: collections.full, scavenges: collections.minor },
    };
  }

  private cpu(): Partial<Record<Watched, number>> {
    const out: Partial<Record<Watched, number>> = {};
    for (const [name, pid] of Object.entries(this.route.watched) as [Watched, number][]) out[name] = treeCpuMs(pid);
    return out;
  }
}
