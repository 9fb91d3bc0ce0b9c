// Unlike the upstream operator, a GateToken grants only paths in its own
// namespace: being allowed to create a GateToken in a namespace must never
// grant more than that namespace's consoles and objects.

import { checkPattern } from '../../shared/url-policy.ts';

const API_ROOTS = ['/apis/subresources.kubevirt.io/v1', '/apis/kubevirt.io/v1', '/api/v1'] as const;

/** The path prefixes a GateToken in `namespace` may grant, each ending in `/`. */
export function namespacePrefixes(namespace: string): string[] {
  return API_ROOTS.map((root) => `${root}/namespaces/${namespace}/`);
}

export interface ScopeProblem {
  /** `invalid`: refused by the URL policy; `outside`: a valid pattern beyond the namespace. */
  kind: 'invalid' | 'outside';
  message: string;
}

/**
 * Why a GateToken in `namespace` may not carry `pattern`, or undefined when it
 * may: the shared URL policy first (no dot segments, no encoded separators, a
 * `*` only at the end), then the namespace scope.
 */
export function scopeProblem(pattern: unknown, namespace: string): ScopeProblem | undefined {
  if (typeof pattern !== 'string') return { kind: 'invalid', message: 'is not a string' };
  const policy = checkPattern(pattern, 'url');
  if (policy !== undefined) return { kind: 'invalid', message: `is not a valid URL pattern: it ${policy}` };
  if (/\/namespaces\/\*$/.test(pattern)) {
    return { kind: 'outside', message: 'has a "*" in place of the namespace, which would reach every namespace' };
  }
  const prefixes = namespacePrefixes(namespace);
  if (!prefixes.some((prefix) => pattern.startsWith(prefix))) {
    return { kind: 'outside', message: `is outside the GateToken's namespace "${namespace}": it must start with one of ${prefixes.join(', ')}` };
  }
  return undefined;
}
