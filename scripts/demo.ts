// The README's first command: the embedded demo. It runs the local cluster
// stand-in in the foreground with a kubeconfig in .demo/, and says how to use it.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startCluster } from '../test/cluster/server.ts';

const dir = resolve(process.env.GATEPASS_DEMO_DIR ?? '.demo');
mkdirSync(dir, { recursive: true });
const kubeconfigPath = join(dir, 'kubeconfig');

const cluster = await startCluster({ kubeconfigPath });

console.log(`
Gatepass demo — the local cluster stand-in is running at ${cluster.server}

  export KUBECONFIG=${kubeconfigPath}
  kubectl get vms -A                                  # VMs in team-a, team-b and kube-gateway
  kubectl get vmi -n team-a                           # the running instances
  kubectl --context viewer get secrets -n kube-gateway   # denied: the viewer may only list VMs
  kubectl --context operator auth can-i get secret/kube-gateway-jwt-private -n kube-gateway

Contexts: admin (client certificate), operator, viewer, gateway (bearer tokens).
Each VM's console is a real RFB server behind the KubeVirt VNC subresource.
Press Ctrl-C to stop.
`);

async function stop(): Promise<void> {
  await cluster.close();
  process.exit(0);
}
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
