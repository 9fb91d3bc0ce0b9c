// The README's first command: the embedded demo. It runs the local cluster
// stand-in and the gateway in front of it, signs a console link the way the
// desktop app does, and says how to use all of it. Ctrl-C stops everything.
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildClaims } from '../shared/claims.ts';
import { vncPath } from '../shared/kubevirt-paths.ts';
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

const cluster = await startCluster({ kubeconfigPath, fixture: { base: 'default', objects: [] } });
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

// What the desktop app does when an operator shares a console: read the key with
// the operator's rights (here: straight from the stand-in), sign, build the link.
const secret = cluster.objects.get('Secret', 'kube-gateway', 'kube-gateway-jwt-private') as unknown as { data: Record<string, string> };
const key = importPrivateKey(Buffer.from(secret.data['tls.key'] ?? '', 'base64').toString('utf8'));
const claims = buildClaims({ urls: [vncPath('team-a', 'web-1')], duration: '1h', now: Date.now(), randomId: randomUUID, sub: 'demo', restrictions: { label: 'demo link' } });
const link = buildGatewayLink({ gateway: gateway.url, token: await signToken(claims, key), name: 'web-1', namespace: 'team-a', form: 'fragment' });

console.log(`
Gatepass demo

  local cluster   ${cluster.server}   (kubeconfig: ${kubeconfigPath})
  gateway         ${gateway.url}

Open the console of VM team-a/web-1 in a browser — this link is valid for one hour:

  ${link}

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
console.log(JSON.stringify({ ready: true, gateway: gateway.url, cluster: cluster.server, link }));

async function stop(): Promise<void> {
  await gateway.shutdown();
  await cluster.close();
  process.exit(0);
}
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
