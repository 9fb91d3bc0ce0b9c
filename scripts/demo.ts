// The README's first command: the embedded demo. It runs the local cluster
// stand-in, the gateway in front of it and the desktop app — Electron where its
// binary exists, otherwise the same app in the browser over the development
// bridge — signs a console link the way the app does, and says how to use all
// of it. Ctrl-C stops everything.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Conf from 'conf';
import { createDesktopApi } from '../main/desktop-api-impl.ts';
import { bridgePlatform } from '../main/dev-bridge/platform.ts';
import { startDevBridge } from '../main/dev-bridge/server.ts';
import { buildClaims } from '../shared/claims.ts';
import { consolePath, vncPath } from '../shared/kubevirt-paths.ts';
import { buildGatewayLink } from '../shared/links.ts';
import { importPrivateKey } from '../shared/node/keys.ts';
import { signToken } from '../shared/node/sign-token.ts';
import { parseCommandLine } from '../gateway/config.ts';
import { startGateway } from '../gateway/start.ts';
import { startCluster } from '../test/cluster/server.ts';

const dir = resolve(process.env.GATEPASS_DEMO_DIR ?? '.demo');
const port = process.env.GATEPASS_DEMO_PORT ?? '8080';
mkdirSync(dir, { recursive: true });
const kubeconfigPath = join(dir, 'kubeconfig');

// VMs pass through Starting and Stopping for half a second each, as they visibly do in KubeVirt.
const cluster = await startCluster({ kubeconfigPath, fixture: { base: 'default', objects: [] }, vmStepMs: 500 });
writeFileSync(join(dir, 'ca.crt'), cluster.caPem);
writeFileSync(join(dir, 'gateway-token'), cluster.credentials.gateway?.token ?? '', { mode: 0o600 });

const parsed = parseCommandLine([
  '--gateway-listen', `http://127.0.0.1:${port}`,
  '--api-server', cluster.server,
  '--api-server-ca-file', join(dir, 'ca.crt'),
  '--api-server-bearer-token-file', join(dir, 'gateway-token'),
  '--log-level', 'warn',
], process.env);
if (parsed.help) throw new Error('unexpected --help');
const gateway = await startGateway(parsed.config);
// Where the app finds the gateway, as in a real cluster (deploy/ publishes it the same way).
const gatepassConfigMap = cluster.objects.get('ConfigMap', 'kube-gateway', 'gatepass')!;
cluster.objects.put({ ...gatepassConfigMap, data: { gatewayURL: gateway.url } } as never);

/**
 * The Electron binary, when this machine has one. Never `require('electron')`:
 * that starts a download whenever the binary is missing, on every start, and
 * prints the failure as a stack trace. `npm run setup -- --for demo` tries the
 * download once per Electron version.
 */
function electronBinary(): string | undefined {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return join(process.env.ELECTRON_OVERRIDE_DIST_PATH, 'electron');
  const pathFile = resolve('node_modules/electron/path.txt');
  if (!existsSync(pathFile)) return undefined;
  const binary = resolve('node_modules/electron/dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : undefined;
}

let app: { describe: string; stop(): Promise<void> };
const binary = electronBinary();
if (binary && existsSync('out/main/index.js')) {
  const child: ChildProcess = spawn(binary, ['out/main/index.js'], { stdio: 'inherit', env: { ...process.env, KUBECONFIG: kubeconfigPath } });
  app = { describe: 'the Gatepass desktop app is open (Electron)', stop: async () => void child.kill('SIGTERM') };
} else {
  const store = new Conf<Record<string, unknown>>({ cwd: join(dir, 'app-profile'), configName: 'gatepass' });
  const api = createDesktopApi({
    platform: bridgePlatform(() => undefined),
    store: { get: (key) => store.get(key), set: (key, value) => store.set(key, value), delete: (key) => store.delete(key) },
    kubeconfigPaths: [kubeconfigPath],
  });
  const bridge = await startDevBridge({ api, staticDir: resolve('dist/app'), port: Number(process.env.GATEPASS_DEMO_APP_PORT ?? 0) });
  app = {
    describe: `no Electron binary here; open the app in your browser:\n\n  ${bridge.url}`,
    stop: async () => {
      await bridge.close();
      await api.dispose();
    },
  };
}

// What the desktop app does when an operator shares a console: read the key with
// the operator's rights (here: straight from the stand-in), sign, build the link.
const secret = cluster.objects.get('Secret', 'kube-gateway', 'kube-gateway-jwt-private') as unknown as { data: Record<string, string> };
const key = importPrivateKey(Buffer.from(secret.data['tls.key'] ?? '', 'base64').toString('utf8'));
const claims = buildClaims({ urls: [vncPath('team-a', 'web-1')], duration: '1h', now: Date.now(), randomId: randomUUID, sub: 'demo', restrictions: { label: 'demo link' } });
const link = buildGatewayLink({ gateway: gateway.url, token: await signToken(claims, key), name: 'web-1', namespace: 'team-a', form: 'fragment' });
const serialClaims = buildClaims({ urls: [consolePath('team-a', 'web-1')], duration: '1h', now: Date.now(), randomId: randomUUID, sub: 'demo', restrictions: { label: 'demo serial link' } });
const serialLink = buildGatewayLink({ gateway: gateway.url, token: await signToken(serialClaims, key), name: 'web-1', namespace: 'team-a', form: 'fragment' });

console.log(`
Gatepass demo

  local cluster   ${cluster.server}   (kubeconfig: ${kubeconfigPath})
  gateway         ${gateway.url}
  desktop app     ${app.describe}

In the app: pick a VM, "Share console", "Create link" — then paste the link into "Open link".

Or open the console of VM team-a/web-1 in a browser — this link is valid for one hour:

  ${link}

and its serial console (a text terminal; type a line at the login prompt):

  ${serialLink}

Try the cluster with kubectl:

  export KUBECONFIG=${kubeconfigPath}
  kubectl get vms -A                                      # VMs in team-a, team-b and kube-gateway
  kubectl get vmi -n team-a                               # the running instances
  kubectl --context viewer get secrets -n kube-gateway    # denied: the viewer may only list VMs
  kubectl --context operator auth can-i get secret/kube-gateway-jwt-private -n kube-gateway

Ask the gateway for a token the way kube-gateway's API clients do, with the operator's own rights:
  (start the gateway with --jwt-request-enable; see \`npm run --silent gateway -- --help\`)

Press Ctrl-C to stop.
`);
console.log(JSON.stringify({ ready: true, gateway: gateway.url, cluster: cluster.server, link, serialLink, app: app.describe }));

async function stop(): Promise<void> {
  await app.stop();
  await gateway.shutdown();
  await cluster.close();
  process.exit(0);
}
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
