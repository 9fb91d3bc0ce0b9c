// A second gateway process on the same cluster stand-in as a harness's: what a
// Deployment with two replicas is, for rules that must hold across replicas.
import { PassThrough } from 'node:stream';
import { parseCommandLine } from '../../gateway/config.ts';
import { startGateway, type RunningGateway } from '../../gateway/start.ts';
import type { Harness } from './gateway-harness.ts';

export interface Replica {
  gateway: RunningGateway;
  url: string;
  /** Every JSON log line this replica wrote. */
  logs: string[];
}

export async function startReplica(h: Harness, flags: string[] = []): Promise<Replica> {
  const parsed = parseCommandLine([
    '--gateway-listen', 'http://127.0.0.1:0',
    '--api-server', h.cluster.server,
    '--api-server-ca-file', h.files.caFile,
    '--api-server-bearer-token-file', h.files.tokenFile,
    '--log-level', 'debug',
    '--shutdown-grace-period', '2s',
    ...flags,
  ], {});
  if (parsed.help) throw new Error('unexpected --help');
  const logs: string[] = [];
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => logs.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const gateway = await startGateway(parsed.config, { logDestination: sink });
  await gateway.ready;
  return { gateway, url: gateway.url, logs };
}
