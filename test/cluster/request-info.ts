/** What a request addresses, parsed from its path the way the Kubernetes API server does. */
export type RequestInfo =
  | { kind: 'nonResource'; path: string; verb: string }
  | {
      kind: 'resource';
      verb: string;
      group: string;
      version: string;
      resource: string;
      namespace?: string;
      name?: string;
      /** Everything after the name, joined: `vnc` or `vnc/screenshot`. */
      subresource?: string;
    };

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

function isWatch(query: URLSearchParams): boolean {
  const value = query.get('watch');
  return value === 'true' || value === '1';
}

export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const nonResourceVerb = method === 'GET' || method === 'HEAD' ? 'get' : method.toLowerCase();
  const parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  let rest: string[];
  let group: string;
  let version: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else {
    return { kind: 'nonResource', path, verb: nonResourceVerb };
  }

  let namespace: string | undefined;
  const addressesNamespaceItself = rest[0] === 'namespaces' && (rest.length <= 2 || NAMESPACE_SUBRESOURCES.has(rest[2]!));
  if (rest[0] === 'namespaces' && !addressesNamespaceItself) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const resource = rest[0]!;
  const name = rest[1];
  const subresource = rest.length > 2 ? rest.slice(2).join('/') : undefined;

  let verb: string;
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = name !== undefined ? 'get' : isWatch(query) ? 'watch' : 'list';
      break;
    case 'POST': verb = 'create'; break;
    case 'PUT': verb = 'update'; break;
    case 'PATCH': verb = 'patch'; break;
    case 'DELETE': verb = name !== undefined ? 'delete' : 'deletecollection'; break;
    default: verb = method.toLowerCase();
  }
  return {
    kind: 'resource', verb, group, version, resource,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  };
}
