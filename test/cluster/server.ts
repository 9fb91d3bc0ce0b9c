import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createPlainServer } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from './api-server.ts';
import { Authenticator } from './authn.ts';
import { bootstrapPolicy } from './bootstrap-policy.ts';
import { defaultFixture } from './default-fixture.ts';
import { FaultInjector } from './faults.ts';
import type { Fixture } from './fixture.ts';
import { loadFixture, mergeFixtures } from './fixture.ts';
import { renderKubeconfig } from './kubeconfig.ts';
import type { KubeconfigUser } from './kubeconfig.ts';
import { VMI_KEY, VmController, type PowerAction } from './kubevirt.ts';
import { createPki } from './pki.ts';
import { RbacAuthorizer } from './rbac.ts';
import type { ResourceRegistry } from './registry.ts';
import { defaultRegistry, typeKey } from './registry.ts';
import type { KubeObject } from './store.ts';
import { ObjectStore } from './store.ts';
import { SerialHub } from './serial/serial-hub.ts';
import { ConsoleHub } from './vnc/console-hub.ts';

export interface StartClusterOptions {
  /** The default fixture when absent. */
  fixture?: Fixture;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Where to write the kubeconfig; a temporary file (removed on close) when absent. */
  kubeconfigPath?: string;
  /** How many events watches can resume across (older resourceVersions get 410 Expired); 20000 by default. */
  watchHistory?: number;
  /** Per-request log lines; silent when absent. */
  log?: (line: string) => void;
  /**
   * Also serve the same API, console websocket included, over plain HTTP on a
   * free loopback port: benchmarks use it to see a relay's own cost without TLS.
   */
  plainHttp?: boolean;
  /** How long each intermediate state of a VM power action lasts (Starting, Stopping…); 0 by default. */
  vmStepMs?: number;
}

export interface ContextCredentials {
  context: string;
  username: string;
  groups: string[];
  token?: string;
  clientCertificate?: { certPem: string; keyPem: string };
}

/** Objects addressed by kind (each stored kind is unique in the registry), for tests that poke at cluster state. */
export interface ClusterObjects {
  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(kind: string, namespace?: string): KubeObject[];
  /** Creates or replaces (ignoring resourceVersion) and returns the stored copy. */
  put(object: KubeObject): KubeObject;
  delete(kind: string, namespace: string | undefined, name: string): void;
}

export interface ClusterHandle {
  server: string;
  port: number;
  /** `http://127.0.0.1:PORT` when started with `plainHttp`. */
  plainServer?: string;
  caPem: string;
  kubeconfigPath: string;
  /** The kubeconfig YAML written to kubeconfigPath. */
  kubeconfig: string;
  credentials: Record<string, ContextCredentials>;
  objects: ClusterObjects;
  store: ObjectStore;
  registry: ResourceRegistry;
  faults: FaultInjector;
  vnc: ConsoleHub;
  /** The serial consoles: received(ns, name), write, disconnect, connections, opened, requestUrls. */
  serial: SerialHub;
  /** What the start/stop subresources do. */
  setVmRunning(namespace: string, name: string, running: boolean): void;
  /** What the start/stop/restart and pause/unpause subresources do. */
  powerVm(namespace: string, name: string, action: PowerAction): void;
  close(): Promise<void>;
}

function resolveFixture(fixture: Fixture | undefined): Promise<Fixture> | Fixture {
  if (!fixture) return defaultFixture();
  if (fixture.base === 'default') return defaultFixture().then((base) => mergeFixtures(base, fixture));
  return fixture;
}

function objectsFacade(registry: ResourceRegistry, store: ObjectStore): ClusterObjects {
  const keyOf = (kind: string): string => {
    const type = registry.all().find((t) => t.kind === kind && t.storage === 'stored');
    if (!type) throw new Error(`no stored resource has kind ${kind}`);
    return typeKey(type.group, type.resource);
  };
  return {
    get: (kind, namespace, name) => structuredClone(store.get(keyOf(kind), namespace, name)),
    list: (kind, namespace) => structuredClone(store.list(keyOf(kind), namespace)),
    put: (object) => {
      const key = keyOf(object.kind);
      const exists = store.get(key, object.metadata.namespace, object.metadata.name);
      const copy = { ...object, metadata: { ...object.metadata, resourceVersion: '' } };
      return structuredClone(exists ? store.update(key, copy) : store.create(key, copy));
    },
    delete: (kind, namespace, name) => {
      store.delete(keyOf(kind), namespace, name);
    },
  };
}

/** Deleting a namespace deletes what is in it (immediately; there is no Terminating phase here). */
function cascadeNamespaceDeletes(registry: ResourceRegistry, store: ObjectStore): void {
  const namespacesKey = typeKey('', 'namespaces');
  store.onChange((e) => {
    if (e.key !== namespacesKey || e.type !== 'DELETED') return;
    queueMicrotask(() => {
      for (const type of registry.all().filter((t) => t.namespaced && t.storage === 'stored')) {
        const key = typeKey(type.group, type.resource);
        for (const o of store.list(key, e.object.metadata.name)) store.delete(key, o.metadata.namespace, o.metadata.name);
      }
    });
  });
}

/** Listens on loopback and resolves with the port (a free one for 0). */
async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

export async function startCluster(options: StartClusterOptions = {}): Promise<ClusterHandle> {
  const fixture = await resolveFixture(options.fixture);
  const log = options.log ?? ((): void => undefined);
  const registry = defaultRegistry();
  const store = new ObjectStore(options.watchHistory);
  loadFixture({ objects: bootstrapPolicy() }, registry, store);
  loadFixture(fixture, registry, store);
  const vms = new VmController(store, options.vmStepMs === undefined ? {} : { stepMs: options.vmStepMs });
  vms.reconcileAll();
  const controller = vms.watchStore();
  cascadeNamespaceDeletes(registry, store);

  const hub = new ConsoleHub();
  const serial = new SerialHub();
  store.onChange((e) => {
    if (e.key !== VMI_KEY || e.type !== 'DELETED') return;
    hub.disconnect(e.object.metadata.namespace ?? '', e.object.metadata.name);
    serial.disconnect(e.object.metadata.namespace ?? '', e.object.metadata.name);
  });

  const faults = new FaultInjector();
  for (const rule of fixture.faults ?? []) faults.add(rule);

  const pki = await createPki();
  const authn = new Authenticator();
  const credentials: Record<string, ContextCredentials> = {};
  const kubeUsers: KubeconfigUser[] = [];
  for (const u of fixture.users ?? []) {
    const groups = u.groups ?? [];
    if (u.auth === 'clientCertificate') {
      const clientCertificate = await pki.issueClient(u.username, groups);
      credentials[u.context] = { context: u.context, username: u.username, groups, clientCertificate };
      kubeUsers.push({ context: u.context, clientCertificate });
    } else {
      const token = u.token ?? randomBytes(24).toString('base64url');
      authn.addToken(token, { username: u.username, groups });
      credentials[u.context] = { context: u.context, username: u.username, groups, token };
      kubeUsers.push({ context: u.context, token });
    }
  }

  let port = 0;
  const api = new ApiServer({ registry, store, authn, authz: new RbacAuthorizer(store), faults, vms, hub, serial, serverAddress: () => `127.0.0.1:${port}`, log });
  const server = createServer(
    { key: pki.server.keyPem, cert: pki.server.certPem, ca: [pki.ca.certPem], requestCert: true, rejectUnauthorized: false },
    api.handleRequest,
  );
  server.on('upgrade', api.handleUpgrade);
  port = await listen(server, options.port ?? 0);
  const url = `https://127.0.0.1:${port}`;
  const plain = options.plainHttp ? createPlainServer(api.handleRequest) : undefined;
  plain?.on('upgrade', api.handleUpgrade);
  const plainServer = plain ? `http://127.0.0.1:${await listen(plain, 0)}` : undefined;

  const tempDir = options.kubeconfigPath ? undefined : await mkdtemp(join(tmpdir(), 'gatepass-cluster-'));
  const kubeconfigPath = options.kubeconfigPath ?? join(tempDir!, 'kubeconfig');
  const currentContext = fixture.currentContext ?? kubeUsers[0]?.context ?? '';
  const kubeconfig = renderKubeconfig(url, pki.ca.certPem, kubeUsers, currentContext);
  await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });

  let closing: Promise<void> | undefined;
  return {
    server: url, port, ...(plainServer ? { plainServer } : {}), caPem: pki.ca.certPem, kubeconfigPath, kubeconfig, credentials,
    objects: objectsFacade(registry, store), store, registry, faults, vnc: hub, serial,
    setVmRunning: (namespace, name, running) => vms.setRunning(namespace, name, running),
    powerVm: (namespace, name, action) => vms.power(namespace, name, action),
    close: () => {
      closing ??= (async () => {
        const closed = Promise.all([server, plain].map((s) => s && new Promise<void>((resolve) => s.close(() => resolve()))));
        controller.stop();
        server.closeAllConnections();
        plain?.closeAllConnections();
        await Promise.all([hub.close(), serial.close()]);
        await closed;
        if (tempDir) await rm(tempDir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
