// Kubeconfig handling against the stand-in: kubectl's merge of several files,
// per-context errors (malformed file, missing user, unreachable cluster,
// rejected credentials), changes picked up while running, exec plugins found on
// the login shell's PATH, the namespace fallback of the VM list, and proxies.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContextInfo, DesktopEvent, InventoryEvent } from '../../shared/desktop-api.ts';
import { createDesktopApi, type DesktopApiImpl } from '../../main/desktop-api-impl.ts';
import { startCluster, type ClusterHandle } from '../cluster/server.ts';
import { waitFor } from '../support/gateway-harness.ts';
import { memoryStore, fakePlatform } from '../support/desktop-doubles.ts';

const { platform } = fakePlatform();

interface Kubeconfig {
  clusters: { name: string; cluster: Record<string, unknown> }[];
  users: { name: string; user: Record<string, unknown> }[];
  contexts: { name: string; context: Record<string, unknown> }[];
  'current-context'?: string;
}

/** A CONNECT proxy that counts the tunnels it opened. */
async function startCountingProxy(): Promise<{ url: string; tunnels: string[]; close(): Promise<void> }> {
  const tunnels: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, client: net.Socket) => {
    tunnels.push(req.url ?? '');
    const [host = '', port = ''] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

let cluster: ClusterHandle;
let dir: string;
let base: Kubeconfig;
let api: DesktopApiImpl;
let proxy: Awaited<ReturnType<typeof startCountingProxy>>;
const events: DesktopEvent[] = [];
const files = { main: '', broken: '', extra: '' };

beforeAll(async () => {
  cluster = await startCluster({
    fixture: {
      base: 'default',
      users: [{ context: 'carol', username: 'carol' }],
      objects: [
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'vm-reader', namespace: 'team-a' }, rules: [{ apiGroups: ['kubevirt.io'], resources: ['virtualmachines', 'virtualmachineinstances'], verbs: ['get', 'list', 'watch'] }] },
        { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'carol-vm-reader', namespace: 'team-a' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'vm-reader' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'carol' }] },
      ],
    },
  });
  proxy = await startCountingProxy();
  dir = mkdtempSync(join(tmpdir(), 'gatepass-kc-'));
  base = parse(cluster.kubeconfig) as Kubeconfig;
  const clusterEntry = base.clusters[0]!;
  const operatorToken = base.users.find((u) => u.name === 'operator')!.user.token as string;

  // An exec plugin that lives outside PATH, as ones installed by a shell profile do.
  const plugin = join(dir, 'gp-credential');
  writeFileSync(plugin, `#!/bin/sh\nprintf '%s' '${JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: operatorToken } })}'\n`);
  chmodSync(plugin, 0o755);

  const main: Kubeconfig = {
    ...base,
    clusters: [clusterEntry, { name: 'dead', cluster: { server: 'https://127.0.0.1:1', 'certificate-authority-data': clusterEntry.cluster['certificate-authority-data'] } }, { name: 'proxied', cluster: { ...clusterEntry.cluster, 'proxy-url': proxy.url } }],
    users: [...base.users, { name: 'expired', user: { token: 'no-longer-valid' } }, { name: 'exec-user', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'gp-credential', interactiveMode: 'Never' } } }],
    contexts: [
      ...base.contexts.map((c) => (c.name === 'carol' ? { ...c, context: { ...c.context, namespace: 'team-a' } } : c)),
      { name: 'dead', context: { cluster: 'dead', user: 'operator' } },
      { name: 'expired', context: { cluster: clusterEntry.name, user: 'expired' } },
      { name: 'via-exec', context: { cluster: clusterEntry.name, user: 'exec-user' } },
      { name: 'via-proxy', context: { cluster: 'proxied', user: 'operator' } },
    ],
  };
  files.main = join(dir, 'main.yaml');
  files.broken = join(dir, 'broken.yaml');
  files.extra = join(dir, 'extra.yaml');
  writeFileSync(files.main, stringify(main));
  writeFileSync(files.broken, 'clusters: [\n  - name: x\n   bad: indentation\n');
  writeFileSync(files.extra, stringify({
    clusters: [],
    users: [],
    contexts: [
      { name: 'admin', context: { cluster: clusterEntry.name, user: 'admin', namespace: 'shadowed' } },
      { name: 'lonely', context: { cluster: clusterEntry.name, user: 'nobody' } },
    ],
    'current-context': 'lonely',
  }));
  api = createDesktopApi({
    platform,
    store: memoryStore(),
    kubeconfigPaths: [files.main, files.broken, files.extra],
    env: {},
    loginPath: async () => dir,
    kubeconfigPollMs: 100,
    inventory: { batchMs: 20 },
  });
  api.onEvent((e) => events.push(e));
});

afterAll(async () => {
  await api?.dispose();
  await proxy?.close();
  await cluster?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const byName = (contexts: ContextInfo[], name: string) => contexts.find((c) => c.name === name);

async function stateOf(name: string): Promise<ContextInfo | undefined> {
  return byName(await api.listContexts(), name);
}

describe('kubeconfig', () => {
  it('merges the files as kubectl does and keeps problems per context', async () => {
    const contexts = await api.listContexts();
    expect(contexts.filter((c) => c.state !== 'error' || c.error?.code !== 'kubeconfig').map((c) => c.name)).toEqual(
      expect.arrayContaining(['admin', 'operator', 'viewer', 'gateway', 'carol', 'dead', 'expired', 'via-exec', 'via-proxy']),
    );
    expect(byName(contexts, 'admin')?.namespace).toBeUndefined();
    expect(byName(contexts, 'admin')?.current).toBe(true);
    expect(byName(contexts, 'carol')).toMatchObject({ namespace: 'team-a', server: cluster.server, user: 'carol' });
    expect(byName(contexts, files.broken)).toMatchObject({ state: 'error', error: { code: 'kubeconfig', message: expect.stringContaining('not valid YAML') } });
    expect(byName(contexts, 'lonely')).toMatchObject({ state: 'error', error: { code: 'kubeconfig', message: expect.stringContaining('user "nobody"') } });
    expect(await api.selectContext('lonely').catch((e: unknown) => e)).toMatchObject({ code: 'kubeconfig', context: 'lonely' });
  });

  it('picks up a rewritten file', async () => {
    const before = events.length;
    writeFileSync(files.extra, stringify({ contexts: [{ name: 'added-later', context: { cluster: base.clusters[0]!.name, user: 'viewer' } }] }));
    await waitFor(() => events.slice(before).some((e) => e.kind === 'contexts' && byName(e.contexts, 'added-later') !== undefined), 'a contexts event with the new context');
    const contexts = await api.listContexts();
    expect(byName(contexts, 'lonely')).toBeUndefined();
    expect(byName(contexts, 'added-later')).toMatchObject({ state: expect.not.stringMatching('error') });
  });

  it('says which cluster is unreachable and whose credentials were refused', async () => {
    await api.selectContext('dead');
    await waitFor(async () => (await stateOf('dead'))?.state === 'error', 'dead in error');
    expect((await stateOf('dead'))?.error).toMatchObject({ code: 'unreachable', context: 'dead' });
    await api.selectContext('expired');
    await waitFor(async () => (await stateOf('expired'))?.state === 'error', 'expired in error');
    expect((await stateOf('expired'))?.error).toMatchObject({ code: 'unauthorized', message: expect.stringContaining('did not accept its credentials') });
    expect((await stateOf('operator'))?.state).not.toBe('error');
  });

  it("finds exec credential plugins on the login shell's PATH", async () => {
    await api.selectContext('via-exec');
    await waitFor(async () => (await stateOf('via-exec'))?.state === 'connected', 'via-exec connected');
  });
});

describe('inventory scope', () => {
  it("falls back to the context's namespace when a cluster-wide list is forbidden", async () => {
    await api.watchInventory('carol');
    await waitFor(() => events.some((e) => e.kind === 'inventory' && e.event.context === 'carol' && e.event.kind === 'reset'), "carol's rows");
    const mine = events.flatMap((e): InventoryEvent[] => (e.kind === 'inventory' && e.event.context === 'carol' ? [e.event] : []));
    const reset = mine.find((e) => e.kind === 'reset');
    expect(reset?.kind === 'reset' && reset.rows.map((r) => r.key).sort()).toEqual(['team-a/db-1', 'team-a/web-1']);
    expect(mine.find((e) => e.kind === 'state' && e.state === 'live')).toMatchObject({ scope: { kind: 'namespace', namespace: 'team-a' } });
    cluster.setVmRunning('team-a', 'db-1', false);
    await waitFor(() => events.some((e) => e.kind === 'inventory' && e.event.context === 'carol' && e.event.kind === 'upsert' && e.event.rows.some((r) => r.key === 'team-a/db-1' && r.status === 'Stopped')), 'db-1 stopped for carol');
  });

  it('tells a person who may not list VMs at all', async () => {
    await api.watchInventory('gateway');
    await waitFor(() => events.some((e) => e.kind === 'inventory' && e.event.context === 'gateway' && e.event.kind === 'state' && e.event.state === 'error'), 'an error state');
    const error = events.flatMap((e) => (e.kind === 'inventory' && e.event.context === 'gateway' && e.event.kind === 'state' ? [e.event.error] : [])).find(Boolean);
    expect(error).toMatchObject({ code: 'forbidden', message: expect.stringContaining('you may not list virtual machines') });
  });
});

describe('proxies', () => {
  it("honours the kubeconfig cluster's proxy-url", async () => {
    const before = proxy.tunnels.length;
    await api.selectContext('via-proxy');
    await waitFor(async () => (await stateOf('via-proxy'))?.state === 'connected', 'via-proxy connected');
    expect(proxy.tunnels.slice(before)).toContain(`127.0.0.1:${cluster.port}`);
  });

  it('sends gateway connections through HTTP(S)_PROXY unless NO_PROXY names the host', async () => {
    const fakeGateway = http.createServer((_req, res) => res.writeHead(404).end('not here'));
    await new Promise<void>((resolve) => fakeGateway.listen(0, '127.0.0.1', resolve));
    const gatewayUrl = `http://127.0.0.1:${(fakeGateway.address() as AddressInfo).port}`;
    const make = (env: NodeJS.ProcessEnv) => createDesktopApi({ platform, store: memoryStore(), kubeconfigPaths: [files.main], env, loginPath: async () => undefined });
    const settings = { gatewayURL: gatewayUrl, keySecret: { namespace: 'kube-gateway', name: 'kube-gateway-jwt-private', key: 'tls.key' }, defaultLifetime: '1h', defaultViewOnly: false, defaultSingleUse: false };
    const viaProxy = make({ HTTP_PROXY: proxy.url });
    const direct = make({ HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.0/8' });
    try {
      const before = proxy.tunnels.length;
      await viaProxy.saveClusterSettings('operator', settings);
      expect(await viaProxy.getGateway('operator')).toMatchObject({ kind: 'kube-gateway', enforces: [], source: 'settings' });
      expect(proxy.tunnels.slice(before)).toContain(new URL(gatewayUrl).host);
      const after = proxy.tunnels.length;
      await direct.saveClusterSettings('operator', settings);
      expect(await direct.getGateway('operator')).toMatchObject({ kind: 'kube-gateway' });
      expect(proxy.tunnels.length).toBe(after);
    } finally {
      await viaProxy.dispose();
      await direct.dispose();
      await new Promise((resolve) => fakeGateway.close(resolve));
    }
  });
});
