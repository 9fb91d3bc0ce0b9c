import type { ResourceRegistry } from './registry.ts';

/**
 * Just enough OpenAPI v3 for kubectl: its index, and per group version the
 * PATCH operations advertising the `fieldValidation` parameter, which makes
 * `kubectl apply/create -f` leave validation to the server instead of
 * downloading schemas. No schemas are served.
 */
export function openApiDocument(registry: ResourceRegistry, path: string): object | undefined {
  if (path === '/openapi/v3' || path === '/openapi/v3/') {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const group of registry.groups()) {
      for (const version of registry.versionsOf(group)) {
        const gv = group ? `apis/${group}/${version}` : `api/${version}`;
        paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=gatepass` };
      }
    }
    return { paths };
  }
  const match = /^\/openapi\/v3\/(?:api\/([^/]+)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (!match) return undefined;
  const group = match[1] !== undefined ? '' : match[2]!;
  const version = match[1] ?? match[3]!;
  const types = registry.inGroupVersion(group, version).filter((t) => t.verbs.includes('patch'));
  if (registry.inGroupVersion(group, version).length === 0) return undefined;
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const paths: Record<string, object> = {};
  for (const t of types) {
    const item = `${prefix}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.resource}/{name}`;
    paths[item] = {
      patch: {
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group, version, kind: t.kind },
        parameters: ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((name) => ({ name, in: 'query', schema: { type: 'string' } })),
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0-gatepass-test' }, paths };
}
