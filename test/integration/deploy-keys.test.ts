// `gatepass-gateway keys`: init and every rotation step against the stand-in loaded
// with the rendered deploy/ RBAC, as the key Job's own service account; and a real
// gateway that follows the rotation without a restart.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClaims } from '../../shared/claims.ts';
import { screenshotPath } from '../../shared/kubevirt-paths.ts';
import { importPrivateKey, importPublicKeys, type PrivateKeyWithKid } from '../../shared/node/keys.ts';
import { signToken } from '../../shared/node/sign-token.ts';
import { parseCommandLine } from '../../gateway/config.ts';
import { runKeysCommand } from '../../gateway/keys-command.ts';
import { SIGNING_SINCE } from '../../gateway/key-secrets.ts';
import { startGateway, type RunningGateway } from '../../gateway/start.ts';
import { startCluster, type ClusterHandle } from '../cluster/server.ts';
import { DEPLOY_USERS, deployFixture, kustomize, REPO_ROOT } from '../support/deploy-render.ts';
import { waitFor } from '../support/gateway-harness.ts';

let cluster: ClusterHandle;
let dir: string;
let caFile: string;
const tokenFiles: Record<string, string> = {};

beforeAll(async () => {
  const rendered = await kustomize('deploy/overlays/minikube');
  cluster = await startCluster({ fixture: deployFixture(rendered, { vms: [{ namespace: 'team-a', name: 'web-1', running: true }] }) });
  dir = await mkdtemp(join(tmpdir(), 'gatepass-keys-'));
  caFile = join(dir, 'ca.crt');
  await writeFile(caFile, cluster.caPem);
  for (const user of Object.values(DEPLOY_USERS)) {
    tokenFiles[user.context] = join(dir, `${user.context}.token`);
    await writeFile(tokenFiles[user.context]!, user.token);
  }
});

afterAll(async () => {
  await cluster?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return { stream: new Writable({ write: (c: Buffer, _e, done) => (chunks.push(c.toString()), done()) }), text: () => chunks.join('') };
}

/** `keys …` as the gateway's flags would run it in the Job: as `who`'s service-account token. */
async function keys(who: keyof typeof DEPLOY_USERS, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = sink();
  const err = sink();
  const [sub = '', ...rest] = argv;
  const code = await runKeysCommand([sub, ...rest, '--api-server', cluster.server, '--api-server-ca-file', caFile, '--api-server-bearer-token-file', tokenFiles[who]!], {
    env: {}, stdout: out.stream, stderr: err.stream,
  });
  return { code, out: out.text(), err: err.text() };
}

type Secret = { metadata: { annotations?: Record<string, string>; resourceVersion?: string }; data: Record<string, string> };
const secret = (name: string): Secret | undefined => cluster.objects.get('Secret', 'kube-gateway', name) as unknown as Secret | undefined;
const field = (name: string, key: string): string => Buffer.from(secret(name)?.data[key] ?? '', 'base64').toString('utf8');
const publicKids = (): string[] => importPublicKeys(field('kube-gateway-jwt', 'tls.crt')).map((k) => k.kid);
const signingKey = (): PrivateKeyWithKid => importPrivateKey(field('kube-gateway-jwt-private', 'tls.key'));

describe('keys init', () => {
  it('is refused to the gateway and issuer accounts, which may not write key secrets', async () => {
    for (const who of ['gateway', 'issuer'] as const) {
      const r = await keys(who, 'init');
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/forbidden/);
    }
    expect(secret('kube-gateway-jwt')).toBeUndefined();
  });

  it('creates a matching certificate and PKCS#1 key as the key Job account', async () => {
    const r = await keys('keys', 'init', '--bits', '2048');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(/^created kube-gateway\/kube-gateway-jwt and kube-gateway\/kube-gateway-jwt-private \(RSA 2048/);
    expect(field('kube-gateway-jwt', 'tls.crt')).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(field('kube-gateway-jwt-private', 'tls.key')).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
    expect(publicKids()).toEqual([signingKey().kid]);
    expect(Date.parse(secret('kube-gateway-jwt-private')?.metadata.annotations?.[SIGNING_SINCE] ?? '')).toBeGreaterThan(Date.now() - 60_000);
  });

  it('never overwrites: a second run changes nothing and exits 0', async () => {
    const before = [secret('kube-gateway-jwt')?.metadata.resourceVersion, secret('kube-gateway-jwt-private')?.metadata.resourceVersion];
    const r = await keys('keys', 'init');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/exist .*nothing changed/);
    expect([secret('kube-gateway-jwt')?.metadata.resourceVersion, secret('kube-gateway-jwt-private')?.metadata.resourceVersion]).toEqual(before);
  });

  it('runs from the command line with an operator kubeconfig (the real cli.ts dispatch)', async () => {
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', 'gateway/cli.ts', 'keys', 'init', '--kubeconfig', cluster.kubeconfigPath, '--context', 'keys'], { cwd: REPO_ROOT }, (error, stdout, stderr) => {
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout, stderr });
      });
    });
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toMatch(/nothing changed/);
  });
});

describe('keys usage errors', () => {
  it.each([
    [['rotate'], /exactly one of --publish, --activate, --retire/],
    [['rotate', '--publish', '--activate'], /exactly one/],
    [['rotate', '--retire'], /--older-than/],
    [['rotate', '--retire', '--older-than', 'soon'], /duration/i],
    [['init', '--bits', '1024'], /--bits "1024": expected one of 2048, 3072, 4096/],
    [['init', '--publish'], /belongs to keys rotate/],
    [['init', '--nope'], /unknown flag --nope/],
    [['generate'], /unknown keys command "generate"/],
  ])('%j exits 2 with a clear message', async (argv, message) => {
    const r = await keys('keys', ...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});

describe('keys rotate, followed by a running gateway', () => {
  let gateway: RunningGateway;
  const shot = screenshotPath('team-a', 'web-1');
  const statusWith = async (key: PrivateKeyWithKid): Promise<number> => {
    const token = await signToken(buildClaims({ urls: [shot], now: Date.now(), id: `rotation-${key.kid.slice(0, 8)}-${Math.random()}` }), key);
    const res = await fetch(`${gateway.url}/k8s${shot}`, { headers: { authorization: `Bearer ${token}` } });
    await res.arrayBuffer();
    return res.status;
  };

  beforeAll(async () => {
    const parsed = parseCommandLine([
      '--gateway-listen', 'http://127.0.0.1:0', '--api-server', cluster.server, '--api-server-ca-file', caFile,
      '--api-server-bearer-token-file', tokenFiles['gateway']!, '--log-level', 'warn', '--shutdown-grace-period', '1s',
    ], {});
    if (parsed.help) throw new Error('unexpected --help');
    gateway = await startGateway(parsed.config, { logDestination: new PassThrough().resume() });
    await gateway.ready;
  });
  afterAll(async () => {
    await gateway?.shutdown();
  });

  it('publishes, activates and retires, and the gateway trusts exactly the published keys throughout', async () => {
    const first = signingKey();
    expect(await statusWith(first)).toBe(200);

    const publish = await keys('keys', 'rotate', '--publish', '--bits', '2048');
    expect(publish.code).toBe(0);
    const next = importPrivateKey(field('kube-gateway-jwt-next', 'tls.key'));
    expect(publicKids()).toEqual([next.kid, first.kid]);
    expect(signingKey().kid).toBe(first.kid);
    await waitFor(async () => (await statusWith(next)) === 200, 'the gateway to trust the published key');
    expect(await statusWith(first)).toBe(200);

    const again = await keys('keys', 'rotate', '--publish');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/rotation is in progress/);

    const activate = await keys('keys', 'rotate', '--activate');
    expect(activate.code).toBe(0);
    expect(signingKey().kid).toBe(next.kid);
    expect(secret('kube-gateway-jwt-next')).toBeUndefined();

    const early = await keys('keys', 'rotate', '--retire', '--older-than', '1h');
    expect(early.code).toBe(0);
    expect(early.out).toMatch(/kept/);
    expect(publicKids()).toEqual([next.kid, first.kid]);

    const retire = await keys('keys', 'rotate', '--retire', '--older-than', '0s');
    expect(retire.code).toBe(0);
    expect(publicKids()).toEqual([next.kid]);
    await waitFor(async () => (await statusWith(first)) === 401, 'the gateway to refuse the retired key');
    expect(await statusWith(next)).toBe(200);
  });

  it('refuses to activate without a staged key', async () => {
    const r = await keys('keys', 'rotate', '--activate');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/nothing to activate/);
  });
});

describe('keys init on inconsistent secrets', () => {
  it('refuses to guess when only the public key exists', async () => {
    const saved = cluster.objects.get('Secret', 'kube-gateway', 'kube-gateway-jwt-private');
    cluster.objects.delete('Secret', 'kube-gateway', 'kube-gateway-jwt-private');
    try {
      const r = await keys('keys', 'init');
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/exists without kube-gateway\/kube-gateway-jwt-private/);
    } finally {
      if (saved) cluster.objects.put(saved);
    }
  });

  it('publishes the certificate of an existing private key whose public secret is missing', async () => {
    const saved = cluster.objects.get('Secret', 'kube-gateway', 'kube-gateway-jwt');
    cluster.objects.delete('Secret', 'kube-gateway', 'kube-gateway-jwt');
    expect(saved).toBeDefined();
    const r = await keys('keys', 'init');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/created kube-gateway\/kube-gateway-jwt with its certificate/);
    expect(publicKids()).toEqual([signingKey().kid]);
  });
});
