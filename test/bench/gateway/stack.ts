// What the gateway benchmark measures against, each in its own process: the
// cluster stand-in (with many VMs, one of them backed by Xvnc, over HTTPS and
// plain HTTP), Xvnc, `kubectl proxy` and websockify — and, per phase, fresh
// built gateways in front of the stand-in. Loopback only.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { buildClaims, type BuildClaimsInput } from '../../../shared/claims.ts';
import { importPrivateKey, importPublicKeys, type PrivateKeyWithKid, type PublicKeyWithKid } from '../../../shared/node/keys.ts';
import { signToken } from '../../../shared/node/sign-token.ts';
import { generateFixture, GATEWAY_NAMESPACE, GATEWAY_SERVICE_ACCOUNT } from '../../cluster/default-fixture.ts';
import { generateJwtKeyPair } from '../../cluster/jwt-keys.ts';
import { freePort, ProcessGroup, waitForLine, waitForPort, type Child } from '../lib/processes.ts';
import { startBuiltGateway, type GatewayProcess } from './gateway-process.ts';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The VM whose console is Xvnc, for the relay measurements. */
export const XVNC_VM = { namespace: 'bench-console', name: 'xvnc' } as const;
/** The VM whose console is the streaming VNC server, for shared consoles. */
export const STREAM_VM = { namespace: 'bench-console', name: 'stream' } as const;
/** The small object every API measurement GETs. */
export const API_OBJECT_PATH = '/apis/kubevirt.io/v1/namespaces/team-a/virtualmachines/web-1';

export interface StackOptions {
  /** Running VMs on the built-in RFB server, for idle consoles (every fifth generated VM is stopped, so more are generated). */
  idleVms: number;
  screen: { width: number; height: number };
  /** The folder holding the built dist/gateway/cli.js. */
  builtGateway: string;
  /** Write a V8 CPU profile of each gateway into this folder when it exits. */
  profileDir?: string;
  /** Start the streaming VNC server behind STREAM_VM, its screen changing this often a second. */
  streamFps?: number;
}

/** How a gateway reaches the stand-in: TLS as deployed, or plain HTTP to see the relay's own cost. */
export type Upstream = 'tls' | 'plain';

export interface Stack {
  dir: string;
  processes: ProcessGroup;
  cluster: { server: string; plainServer: string; caPem: string; gatewayToken: string; pid: number };
  kubectlProxy: { url: string };
  xvnc: { port: number };
  /** The streaming VNC server, when asked for: its process and the bytes of one screen change. */
  stream?: { pid: number; fps: number; changeBytes: number };
  websockify: { url: string; pid: number };
  /** Running VMs on the built-in RFB server, as namespace/name. */
  idleVms: { namespace: string; name: string }[];
  publicKeys: PublicKeyWithKid[];
  sign(input: Omit<BuildClaimsInput, 'now' | 'id'>): Promise<string>;
  /**
   * A fresh built gateway in front of the stand-in, for one phase (which stops
   * it): no phase measures memory that another phase's load has grown. `builtRoot`
   * runs another build than the run's (an older relay, for comparison).
   */
  startGateway(label: string, upstream: Upstream, builtRoot?: string): Promise<GatewayProcess>;
  /** Every gateway started so far, for the CPU profiles. */
  gateways: GatewayProcess[];
  close(): Promise<void>;
}

const tsxNode = (script: string, args: readonly string[]): [string, string[]] => [process.execPath, ['--import', 'tsx', join(repoRoot, script), ...args]];

function freeDisplay(): number {
  for (let n = 40; n < 100; n++) {
    if (!existsSync(`/tmp/.X11-unix/X${n}`) && !existsSync(`/tmp/.X${n}-lock`)) return n;
  }
  throw new Error('no free X display number between :40 and :99 for Xvnc');
}

interface Kubeconfig {
  clusters: { cluster: { 'certificate-authority-data': string } }[];
  users: { name: string; user: { token?: string } }[];
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const dir = await mkdtemp(join(tmpdir(), 'gatepass-bench-'));
  const processes = new ProcessGroup();
  try {
    return await startIn(dir, processes, options);
  } catch (err) {
    await processes.stopAll();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function startIn(dir: string, processes: ProcessGroup, options: StackOptions): Promise<Stack> {
  const xvncPort = await freePort();
  const display = freeDisplay();
  const xvnc = processes.spawn('Xvnc', 'Xvnc', [
    `:${display}`, '-SecurityTypes', 'None', '-geometry', `${options.screen.width}x${options.screen.height}`, '-depth', '24',
    '-rfbport', String(xvncPort), '-localhost', '-nolisten', 'tcp',
    // Probes and idle consoles close before authenticating; TigerVNC would count those as failures and lock loopback out.
    '-BlacklistThreshold', '1000000',
  ]);
  await waitForPort(xvncPort, 'Xvnc');

  const stream = options.streamFps === undefined ? undefined : await startStream(processes, options.streamFps, options.screen);

  const keys = await generateJwtKeyPair();
  // Four in five generated VMs run; generate enough that `idleVms` of them do.
  const fixture = await generateFixture({ vms: Math.ceil((options.idleVms * 5) / 4), namespaces: 10, keys });
  fixture.vms = [
    ...(fixture.vms ?? []),
    { ...XVNC_VM, running: true, vncBackend: `tcp://127.0.0.1:${xvncPort}` },
    ...(stream ? [{ ...STREAM_VM, running: true, vncBackend: `tcp://127.0.0.1:${stream.port}` }] : []),
  ];
  // kube-gateway's service account may not read VMs; for the API comparison it may, so every path does the same upstream work.
  fixture.objects = [
    ...(fixture.objects ?? []),
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'bench-vm-reader', namespace: 'team-a' }, rules: [{ apiGroups: ['kubevirt.io'], resources: ['virtualmachines'], verbs: ['get'] }] },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'bench-vm-reader', namespace: 'team-a' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'bench-vm-reader' },
      subjects: [{ kind: 'ServiceAccount', name: GATEWAY_SERVICE_ACCOUNT, namespace: GATEWAY_NAMESPACE }],
    },
  ];
  const idleVms = (fixture.vms ?? []).filter((vm) => vm.running && vm.namespace.startsWith('bench-0')).slice(0, options.idleVms);
  if (idleVms.length < options.idleVms) throw new Error(`the fixture has only ${idleVms.length} running generated VMs, ${options.idleVms} wanted`);
  const fixturePath = join(dir, 'fixture.json');
  await writeFile(fixturePath, JSON.stringify(fixture));

  const kubeconfigPath = join(dir, 'kubeconfig');
  const cluster = processes.spawn('cluster stand-in', ...tsxNode('test/cluster/cli.ts', ['--kubeconfig', kubeconfigPath, '--fixture', fixturePath, '--plain-http']));
  const ready = await waitForLine(cluster, /^\{"ready":true.*\}$/, 60_000);
  const { server, plainServer } = JSON.parse(ready[0]) as { server: string; plainServer: string };
  const kubeconfig = parse(await readFile(kubeconfigPath, 'utf8')) as Kubeconfig;
  const caPem = Buffer.from(kubeconfig.clusters[0]?.cluster['certificate-authority-data'] ?? '', 'base64').toString('utf8');
  const gatewayToken = kubeconfig.users.find((u) => u.name === 'gateway')?.user.token;
  if (!gatewayToken || !caPem) throw new Error('the stand-in kubeconfig has no CA or no token for context gateway');

  const caFile = join(dir, 'ca.crt');
  const tokenFile = join(dir, 'token');
  await writeFile(caFile, caPem);
  await writeFile(tokenFile, gatewayToken);
  const gateways: GatewayProcess[] = [];
  const startGateway = async (label: string, upstream: Upstream, builtRoot = options.builtGateway): Promise<GatewayProcess> => {
    const gateway = await startBuiltGateway(processes, {
      label,
      builtRoot,
      apiServer: upstream === 'tls' ? server : plainServer,
      caFile,
      tokenFile,
      port: await freePort(),
      metricsPort: await freePort(),
      logFile: join(dir, `gateway-${gateways.length + 1}.log`),
      ...(options.profileDir ? { profileDir: options.profileDir } : {}),
    });
    gateways.push(gateway);
    return gateway;
  };

  const kubectlHome = join(dir, 'kubectl-home');
  await mkdir(kubectlHome);
  const kubectl = processes.spawn('kubectl proxy', 'kubectl', ['proxy', '--port=0', '--kubeconfig', kubeconfigPath, '--context', 'gateway', '--cache-dir', join(kubectlHome, 'cache')], {
    env: { ...process.env, HOME: kubectlHome },
  });
  const proxyLine = await waitForLine(kubectl, /Starting to serve on 127\.0\.0\.1:(\d+)/);

  const websockifyPort = await freePort();
  const websockify = processes.spawn('websockify', 'websockify', [`127.0.0.1:${websockifyPort}`, `127.0.0.1:${xvncPort}`]);
  await waitForPort(websockifyPort, 'websockify');

  const key: PrivateKeyWithKid = importPrivateKey(keys.privateKeyPem);
  let counter = 0;
  const stack: Stack = {
    dir,
    processes,
    cluster: { server, plainServer, caPem, gatewayToken, pid: cluster.pid },
    kubectlProxy: { url: `http://127.0.0.1:${proxyLine[1]}` },
    xvnc: { port: xvncPort },
    ...(stream ? { stream: { pid: stream.pid, fps: stream.fps, changeBytes: stream.changeBytes } } : {}),
    websockify: { url: `ws://127.0.0.1:${websockifyPort}`, pid: websockify.pid },
    idleVms: idleVms.map(({ namespace, name }) => ({ namespace, name })),
    publicKeys: importPublicKeys(keys.certificatePem),
    sign: (input) => signToken(buildClaims({ duration: '1h', ...input, now: Date.now(), id: `bench-${++counter}` }), key),
    startGateway,
    gateways,
    async close() {
      await processes.stopAll(8000);
      await rm(dir, { recursive: true, force: true });
    },
  };
  assertAlive([xvnc, cluster, kubectl, websockify]);
  return stack;
}

async function startStream(processes: ProcessGroup, fps: number, screen: StackOptions['screen']): Promise<{ pid: number; port: number; fps: number; changeBytes: number }> {
  const child = processes.spawn('streaming VNC server', ...tsxNode('test/bench/lib/rfb-stream-server-cli.ts', [
    '--fps', String(fps), '--width', String(screen.width), '--height', String(screen.height),
  ]));
  const ready = await waitForLine(child, /^\{"ready":true.*\}$/);
  const { port, changeBytes } = JSON.parse(ready[0]) as { port: number; changeBytes: number };
  return { pid: child.pid, port, fps, changeBytes };
}

function assertAlive(children: readonly Child[]): void {
  for (const c of children) {
    if (c.process.exitCode !== null) throw new Error(`${c.name} exited early (${c.process.exitCode}): ${c.output().slice(-2000)}`);
  }
}
