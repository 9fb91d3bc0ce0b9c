import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import type { FaultRule } from './faults.ts';
import type { VmSpec } from './kubevirt.ts';
import type { ResourceRegistry } from './registry.ts';
import type { KubeObject, ObjectStore } from './store.ts';
import { virtualMachine, VM_KEY } from './kubevirt.ts';
import { typeKey } from './registry.ts';

/** One kubeconfig context and the identity behind it. */
export interface FixtureUser {
  /** Name of the kubeconfig context (and of its user entry). */
  context: string;
  username: string;
  groups?: string[];
  /** How the kubeconfig authenticates: a bearer token (default) or a client certificate with CN=username, O=groups. */
  auth?: 'token' | 'clientCertificate';
  /** A fixed bearer token; a random one is generated when absent. */
  token?: string;
}

export interface Fixture {
  /** `default`: lay this fixture over the default one (users, namespaces, VMs, keys, RBAC). */
  base?: 'default';
  users?: FixtureUser[];
  currentContext?: string;
  namespaces?: string[];
  vms?: VmSpec[];
  /** Any Kubernetes objects the stand-in serves (RBAC, Secrets, ConfigMaps, VMs…); `kind: List` is unpacked. */
  objects?: KubeObject[];
  faults?: FaultRule[];
}

const NAMESPACES_KEY = typeKey('', 'namespaces');

export function namespaceObject(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
}

/** Later fixtures add to earlier ones; scalar settings of the later one win. */
export function mergeFixtures(under: Fixture, over: Fixture): Fixture {
  const users = new Map((under.users ?? []).map((u) => [u.context, u]));
  for (const u of over.users ?? []) users.set(u.context, u);
  const currentContext = over.currentContext ?? under.currentContext;
  return {
    users: [...users.values()],
    ...(currentContext !== undefined ? { currentContext } : {}),
    namespaces: [...new Set([...(under.namespaces ?? []), ...(over.namespaces ?? [])])],
    vms: [...(under.vms ?? []), ...(over.vms ?? [])],
    objects: [...(under.objects ?? []), ...(over.objects ?? [])],
    faults: [...(under.faults ?? []), ...(over.faults ?? [])],
  };
}

function describe(object: unknown, index: number): string {
  const o = object as Partial<KubeObject> | null;
  return `fixture object #${index} (${String(o?.kind ?? '?')} ${String(o?.apiVersion ?? '?')} "${String(o?.metadata?.name ?? '')}")`;
}

function flattenLists(objects: readonly unknown[]): unknown[] {
  return objects.flatMap((o) => {
    const list = o as { kind?: unknown; items?: unknown };
    return typeof list?.kind === 'string' && list.kind.endsWith('List') && Array.isArray(list.items) ? flattenLists(list.items) : [o];
  });
}

/** Puts a fixture's objects into an empty store; namespaces that objects live in are created on the way. */
export function loadFixture(fixture: Fixture, registry: ResourceRegistry, store: ObjectStore): void {
  const ensureNamespace = (name: string): void => {
    if (!store.get(NAMESPACES_KEY, undefined, name)) store.create(NAMESPACES_KEY, namespaceObject(name));
  };
  for (const ns of fixture.namespaces ?? []) ensureNamespace(ns);
  for (const vm of fixture.vms ?? []) {
    ensureNamespace(vm.namespace);
    store.create(VM_KEY, virtualMachine(vm));
  }
  flattenLists(fixture.objects ?? []).forEach((raw, index) => {
    const object = raw as KubeObject;
    if (object === null || typeof object !== 'object' || typeof object.kind !== 'string' || typeof object.apiVersion !== 'string') {
      throw new Error(`${describe(raw, index)}: needs apiVersion and kind`);
    }
    if (typeof object.metadata?.name !== 'string' || object.metadata.name === '') throw new Error(`${describe(raw, index)}: needs metadata.name`);
    const type = registry.byKind(object.apiVersion, object.kind);
    if (!type) throw new Error(`${describe(raw, index)}: this kind is not served by the cluster stand-in`);
    const copy = structuredClone(object);
    if (type.namespaced) {
      copy.metadata.namespace ??= 'default';
      ensureNamespace(copy.metadata.namespace);
    } else {
      delete copy.metadata.namespace;
    }
    if (type.kind === 'Namespace' && store.get(NAMESPACES_KEY, undefined, copy.metadata.name)) return;
    delete copy.metadata.resourceVersion;
    const key = typeKey(type.group, type.resource);
    if (store.get(key, copy.metadata.namespace, copy.metadata.name)) {
      throw new Error(`${describe(raw, index)}: an object with this name is already in the fixture`);
    }
    store.create(key, copy);
  });
}

function isKubeObject(value: unknown): value is KubeObject {
  return value !== null && typeof value === 'object' && typeof (value as { kind?: unknown }).kind === 'string';
}

const FIXTURE_KEYS = new Set(['base', 'users', 'currentContext', 'namespaces', 'vms', 'objects', 'faults']);

/**
 * A fixture from JSON or YAML text: either the Fixture shape, or a stream of
 * Kubernetes objects (e.g. `kustomize build` output), which becomes `objects`
 * laid over the default fixture.
 */
export function parseFixture(text: string, source = 'fixture'): Fixture {
  const docs = parseAllDocuments(text);
  const values: unknown[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]!.message}`);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) values.push(value);
  }
  if (values.length === 1 && !isKubeObject(values[0]) && !Array.isArray(values[0])) {
    const fixture = values[0] as Record<string, unknown>;
    if (typeof fixture !== 'object') throw new Error(`${source}: expected a fixture object or Kubernetes objects`);
    const unknownKeys = Object.keys(fixture).filter((k) => !FIXTURE_KEYS.has(k));
    if (unknownKeys.length > 0) throw new Error(`${source}: unknown fixture field(s) ${unknownKeys.join(', ')}; expected ${[...FIXTURE_KEYS].join(', ')}`);
    if (fixture['base'] !== undefined && fixture['base'] !== 'default') throw new Error(`${source}: base must be "default" when given`);
    for (const list of ['users', 'namespaces', 'vms', 'objects', 'faults']) {
      if (fixture[list] !== undefined && !Array.isArray(fixture[list])) throw new Error(`${source}: ${list} must be a list`);
    }
    return fixture as Fixture;
  }
  const objects = values.flatMap((v) => (Array.isArray(v) ? v : [v]));
  const bad = objects.findIndex((o) => !isKubeObject(o));
  if (bad >= 0) throw new Error(`${source}: document item #${bad} is not a Kubernetes object (no kind)`);
  return { base: 'default', objects };
}

export async function loadFixtureFile(path: string): Promise<Fixture> {
  return parseFixture(await readFile(path, 'utf8'), path);
}
