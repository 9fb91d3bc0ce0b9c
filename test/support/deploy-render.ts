// Renders deploy/ with the real kubectl (kustomize) and turns the output into the
// stand-in's fixture: what `kubectl apply -k` would create, minus the kinds the
// stand-in does not serve (Deployments, Services…, which no RBAC decision reads).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { Fixture, FixtureUser } from '../cluster/fixture.ts';
import { defaultRegistry } from '../cluster/registry.ts';
import type { KubeObject } from '../cluster/store.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const OVERLAYS = ['openshift', 'ingress', 'minikube'] as const;
export type Overlay = (typeof OVERLAYS)[number];

export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export function parseObjects(text: string, source: string): RenderedObject[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]?.message ?? 'bad YAML'}`);
    const value = doc.toJS() as RenderedObject | null;
    return value ? [value] : [];
  });
}

/** `kubectl kustomize <dir>` (dir relative to the repository root), parsed. */
export function kustomize(dir: string): Promise<RenderedObject[]> {
  return new Promise((resolve, reject) => {
    execFile('kubectl', ['kustomize', dir], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: '/nonexistent' } }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`kubectl kustomize ${dir} failed: ${stderr || error.message}`));
      resolve(parseObjects(stdout, dir));
    });
  });
}

export function readExample(file: string): RenderedObject[] {
  return parseObjects(readFileSync(`${REPO_ROOT}deploy/examples/${file}`, 'utf8'), file);
}

const SA = (name: string): string => `system:serviceaccount:kube-gateway:${name}`;
const SA_GROUPS = ['system:serviceaccounts', 'system:serviceaccounts:kube-gateway'];

/** The identities the deploy tests act as; tokens are fixed so kubectl can be handed them. */
export const DEPLOY_USERS = {
  gateway: { context: 'gateway', username: SA('kube-gateway-sa'), groups: SA_GROUPS, token: 'gateway-sa-token' },
  keys: { context: 'keys', username: SA('gatepass-keys'), groups: SA_GROUPS, token: 'gatepass-keys-token' },
  issuer: { context: 'issuer', username: 'alice@example.com', groups: [], token: 'issuer-token' },
  stranger: { context: 'stranger', username: 'mallory', groups: [], token: 'stranger-token' },
} satisfies Record<string, FixtureUser>;

/**
 * A fixture holding exactly the rendered objects the stand-in serves (plus the
 * example issuer binding and `extra`), no default RBAC, and the deploy users.
 */
export function deployFixture(rendered: readonly RenderedObject[], extra: Partial<Fixture> = {}): Fixture {
  const registry = defaultRegistry();
  const served = rendered.filter((o) => registry.byKind(o.apiVersion, o.kind) !== undefined);
  return {
    users: [{ context: 'admin', username: 'admin', groups: ['system:masters'], auth: 'clientCertificate' }, ...Object.values(DEPLOY_USERS), ...(extra.users ?? [])],
    currentContext: 'admin',
    namespaces: ['kube-gateway', 'team-a', ...(extra.namespaces ?? [])],
    vms: extra.vms ?? [],
    objects: [...(served as unknown as KubeObject[]), ...(readExample('issuer-rolebinding.yaml') as unknown as KubeObject[]), ...(extra.objects ?? [])],
    faults: extra.faults ?? [],
  };
}
