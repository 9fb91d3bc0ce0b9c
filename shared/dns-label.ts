// Kubernetes names of namespaces and KubeVirt VMs are RFC 1123 labels. Checking
// them before they reach a URL path or a link means a name can never smuggle a
// `/`, a dot segment or an encoded byte into an API path.

export class DnsLabelError extends Error {
  override name = 'DnsLabelError';
}

export const DNS_LABEL_MAX_LENGTH = 63;

/** Why `value` is not a DNS-1123 label, or undefined when it is one. */
export function dnsLabelProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'is not a string';
  if (value === '') return 'is empty';
  if (value.length > DNS_LABEL_MAX_LENGTH) return `is ${value.length} characters long (at most ${DNS_LABEL_MAX_LENGTH})`;
  if (/[A-Z]/.test(value)) return 'contains uppercase letters (Kubernetes names are lowercase)';
  const bad = /[^a-z0-9-]/.exec(value);
  if (bad) return `contains ${JSON.stringify(bad[0])} (only a-z, 0-9 and "-" are allowed)`;
  if (value.startsWith('-') || value.endsWith('-')) return 'must start and end with a letter or digit';
  return undefined;
}

export function isDnsLabel(value: unknown): value is string {
  return dnsLabelProblem(value) === undefined;
}

/** Throws a DnsLabelError naming `what` (e.g. "namespace") unless `value` is a DNS-1123 label. */
export function assertDnsLabel(value: unknown, what: string): asserts value is string {
  const problem = dnsLabelProblem(value);
  if (problem !== undefined) {
    const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
    throw new DnsLabelError(`${what} ${shown} is not a valid Kubernetes name: it ${problem}`);
  }
}
