import type { ResourceRegistry, ResourceType } from './registry.ts';
import { apiVersionOf } from './registry.ts';

export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-gatepass-test',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

function resourceEntries(type: ResourceType): object[] {
  const entries: object[] = [];
  if (type.verbs.length > 0) {
    entries.push({
      name: type.resource,
      singularName: type.singular,
      namespaced: type.namespaced,
      kind: type.kind,
      verbs: type.verbs,
      ...(type.shortNames ? { shortNames: type.shortNames } : {}),
      ...(type.categories ? { categories: type.categories } : {}),
    });
  }
  for (const sub of type.subresources ?? []) {
    entries.push({ name: `${type.resource}/${sub.name}`, singularName: '', namespaced: type.namespaced, kind: type.kind, verbs: sub.verbs });
  }
  return entries;
}

function groupEntry(registry: ResourceRegistry, group: string): object {
  const versions = registry.versionsOf(group).map((version) => ({ groupVersion: apiVersionOf(group, version), version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

/**
 * Legacy (unaggregated) discovery documents. Clients that ask for aggregated
 * discovery get these with `application/json` and fall back, as they do with
 * older API servers.
 */
export function discoveryDocument(registry: ResourceRegistry, path: string, serverAddress: string): object | undefined {
  if (path === '/version' || path === '/version/') return SERVER_VERSION;
  if (path === '/api') {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
  }
  if (path === '/apis') {
    const groups = registry.groups().filter((g) => g !== '').map((g) => groupEntry(registry, g));
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  const core = /^\/api\/([^/]+)$/.exec(path);
  const named = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  const group = core ? '' : named?.[1];
  const version = core ? core[1] : named?.[2];
  if (group === undefined) return undefined;
  if (version === undefined) {
    return registry.groups().includes(group) ? { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(registry, group) } : undefined;
  }
  const types = registry.inGroupVersion(group, version);
  if (types.length === 0) return undefined;
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(group, version), resources: types.flatMap(resourceEntries) };
}
