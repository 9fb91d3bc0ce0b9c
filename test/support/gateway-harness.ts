// Starts the local cluster stand-in and a real gateway in front of it, in this
// process, and signs tokens with the stand-in's own private key — the setup
// every gateway test shares. Nothing here is faked: the gateway talks HTTPS to
// the stand-in with the gateway service account's token.
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { SignJWT } from 'jose';
import { buildClaims, type BuildClaimsInput, type TokenClaims } from '../../shared/claims.ts';
import { vncPath } from '../../shared/kubevirt-paths.ts';
import { importPrivateKey, type PrivateKeyWithKid } from '../../shared/node/keys.ts';
import { parseCommandLine } from '../../gateway/config.ts';
import { startGateway, type RunningGateway, type StartOptions } from '../../gateway/start.ts';
import { startCluster, type ClusterHandle, type StartClusterOptions } from '../cluster/server.ts';

export interface Harness {
  cluster: ClusterHandle;
  gateway: RunningGateway;
  /** The files the gateway reads: the API server CA and its service-account token. */
  files: { caFile: string; tokenFile: string };
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The stand-in's signing key (kube-gateway/kube-gateway-jwt-private). */
  key: PrivateKeyWithKid;
  /** Every request that reached the stand-in, as `METHOD /path?query as user`. */
  upstream: string[];
  /** Every JSON log line the gateway wrote. */
  logs: string[];
  /** A token for one VM console (default team-a/web-1), signed with the stand-in's key. */
  consoleToken(overrides?: Partial<BuildClaimsInput> & { namespace?: string; name?: string }): Promise<string>;
  sign(claims: Record<string, unknown>, options?: { key?: KeyObject; kid?: string; alg?: string }): Promise<string>;
  close(): Promise<void>;
}

let idCounter = 0;

export interface HarnessOptions {
  flags?: string[];
  cluster?: StartClusterOptions;
  tuning?: StartOptions['tuning'];
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const upstream: string[] = [];
  const cluster = await startCluster({ ...options.cluster, log: (line) => upstream.push(line) });
  const dir = await mkdtemp(join(tmpdir(), 'gatepass-gw-'));
  const caFile = join(dir, 'ca.crt');
  const tokenFile = join(dir, 'token');
  await writeFile(caFile, cluster.caPem);
  await writeFile(tokenFile, cluster.credentials.gateway?.token ?? '');

  const parsed = parseCommandLine([
    '--gateway-listen', 'http://127.0.0.1:0',
    '--api-server', cluster.server,
    '--api-server-ca-file', caFile,
    '--api-server-bearer-token-file', tokenFile,
    '--log-level', 'debug',
    '--shutdown-grace-period', '2s',
    // Its Lease renewals would mix into the request log tests read; the tests of the janitor turn it on.
    '--janitor-enable=false',
    ...(options.flags ?? []),
  ], {});
  if (parsed.help) throw new Error('unexpected --help');
  const logs: string[] = [];
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => logs.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const gateway = await startGateway(parsed.config, { logDestination: sink, ...(options.tuning ? { tuning: options.tuning } : {}) });
  await gateway.ready;

  const secret = cluster.objects.get('Secret', 'kube-gateway', 'kube-gateway-jwt-private') as unknown as { data: Record<string, string> };
  const key = importPrivateKey(Buffer.from(secret.data['tls.key'] ?? '', 'base64').toString('utf8'));

  const sign: Harness['sign'] = (claims, signOptions = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: signOptions.alg ?? 'RS256', typ: 'JWT', ...(signOptions.kid === undefined ? { kid: key.kid } : signOptions.kid ? { kid: signOptions.kid } : {}) })
      .sign(signOptions.key ?? key.key);

  return {
    cluster,
    gateway,
    files: { caFile, tokenFile },
    url: gateway.url,
    key,
    upstream,
    logs,
    consoleToken: async ({ namespace = 'team-a', name = 'web-1', ...input } = {}) => {
      const claims: TokenClaims = buildClaims({ urls: [vncPath(namespace, name)], now: Date.now(), id: `test-${++idCounter}`, ...input });
      return sign({ ...claims });
    },
    sign,
    async close() {
      await gateway.shutdown();
      await cluster.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function waitFor(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await condition()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A second, unrelated RSA key: what an attacker without the cluster's key would sign with. */
export function strangerKey(): KeyObject {
  return createPrivateKey(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
}
