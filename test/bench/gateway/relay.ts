// Console relay: full-screen Raw updates from Xvnc, straight over TCP, through
// the stand-in's console websocket alone, through Gatepass in front of it, and
// through websockify in front of Xvnc.
import { vncPath } from '../../../shared/kubevirt-paths.ts';
import { tcpChannel, websocketChannel, type ByteChannel } from '../lib/byte-channel.ts';
import { runRfbLoad, type RfbLoadResult } from '../lib/rfb-load.ts';
import { XVNC_VM, type Stack } from './stack.ts';

export type RelayPath = 'direct TCP' | 'stand-in websocket' | 'gatepass' | 'websockify';

export const RELAY_PATHS: readonly RelayPath[] = ['direct TCP', 'stand-in websocket', 'gatepass', 'websockify'];

export interface RelayOptions {
  seconds: number;
  warmupUpdates: number;
}

const bearerSubprotocol = (token: string): string => `base64url.bearer.authorization.k8s.io.${Buffer.from(token).toString('base64url')}`;

async function connect(stack: Stack, path: RelayPath): Promise<ByteChannel> {
  const consolePath = vncPath(XVNC_VM.namespace, XVNC_VM.name);
  switch (path) {
    case 'direct TCP':
      return tcpChannel({ host: '127.0.0.1', port: stack.xvnc.port });
    case 'stand-in websocket':
      return websocketChannel(`${stack.cluster.server.replace(/^https:/, 'wss:')}${consolePath}`, {
        protocols: ['plain.kubevirt.io'],
        headers: { authorization: `Bearer ${stack.cluster.gatewayToken}` },
        ca: stack.cluster.caPem,
      });
    case 'gatepass': {
      const link = await stack.sign({ urls: [consolePath] });
      return websocketChannel(`${stack.gateway.url.replace(/^http:/, 'ws:')}/k8s${consolePath}`, { protocols: ['plain.kubevirt.io', bearerSubprotocol(link)] });
    }
    case 'websockify':
      return websocketChannel(`${stack.websockify.url}/`, { protocols: ['binary'] });
  }
}

export async function benchRelay(stack: Stack, options: RelayOptions, progress: (line: string) => void): Promise<Record<RelayPath, RfbLoadResult>> {
  const results = {} as Record<RelayPath, RfbLoadResult>;
  const measure = async (path: RelayPath): Promise<RfbLoadResult> =>
    runRfbLoad(await connect(stack, path), { warmupUpdates: options.warmupUpdates, durationSeconds: options.seconds });
  for (const path of RELAY_PATHS) {
    // One retry: a stalled path is reported with its cause, and a second stall fails the run.
    const result = await measure(path).catch(async (err: unknown) => {
      progress(`relay ${path} failed once (${(err as Error).message}); retrying`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      return measure(path);
    });
    results[path] = result;
    progress(`relay ${path}: ${result.megabytesPerSecond.toFixed(0)} MB/s, ${result.updatesPerSecond.toFixed(1)} updates/s, p99 ${result.p99Ms.toFixed(2)} ms`);
    // The stand-in keeps one session per VM and Xvnc needs a moment to drop the last client.
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return results;
}
