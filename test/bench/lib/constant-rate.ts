// An open-loop HTTP client: requests leave on a fixed schedule whether or not
// earlier ones have answered, so a slow server shows up as latency rather than
// as a lower send rate (wrk's closed loop hides that).
import http from 'node:http';
import https from 'node:https';
import { summarize, type LatencySummary } from './stats.ts';

export interface ConstantRateOptions {
  url: string;
  ratePerSecond: number;
  durationSeconds: number;
  /** Sent at the same rate first and not counted: fills the connection pools. */
  warmupSeconds: number;
  headers?: Record<string, string>;
  /** CA to trust for an https URL. */
  ca?: string;
}

export interface ConstantRateResult extends LatencySummary {
  achievedPerSecond: number;
  errors: number;
}

export async function runConstantRate(options: ConstantRateOptions): Promise<ConstantRateResult> {
  const url = new URL(options.url);
  const secure = url.protocol === 'https:';
  const agent = secure
    ? new https.Agent({ keepAlive: true, maxSockets: 64, ...(options.ca ? { ca: options.ca } : {}) })
    : new http.Agent({ keepAlive: true, maxSockets: 64 });
  const transport = secure ? https : http;
  const samples: number[] = [];
  let errors = 0;
  let inFlight = 0;

  const fire = (measured: boolean): void => {
    inFlight++;
    const started = performance.now();
    const req = transport.request(url, { agent, headers: options.headers ?? {} }, (res) => {
      res.resume();
      res.on('end', () => {
        inFlight--;
        if (res.statusCode !== 200) errors++;
        else if (measured) samples.push(performance.now() - started);
      });
    });
    req.on('error', () => {
      inFlight--;
      errors++;
    });
    req.end();
  };

  const run = async (seconds: number, measured: boolean): Promise<number> => {
    const total = Math.round(seconds * options.ratePerSecond);
    const start = performance.now();
    let sent = 0;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * options.ratePerSecond) + 1);
      while (sent < due) {
        fire(measured);
        sent++;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return performance.now() - start;
  };

  try {
    await run(options.warmupSeconds, false);
    const elapsedMs = await run(options.durationSeconds, true);
    const measuredSent = Math.round(options.durationSeconds * options.ratePerSecond);
    const deadline = Date.now() + 10_000;
    while (inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    if (samples.length === 0) throw new Error(`no successful responses from ${options.url} (${errors} errors)`);
    return { ...summarize(samples), achievedPerSecond: (measuredSent * 1000) / elapsedMs, errors };
  } finally {
    agent.destroy();
  }
}
