import type { VmRow } from '../../../shared/desktop-api.ts';

/** A VM row for tests; every field derived from the name and namespace unless overridden. */
export function vmRow(name: string, namespace: string, overrides: Partial<VmRow> = {}): VmRow {
  return {
    key: `${namespace}/${name}`,
    namespace,
    name,
    status: 'Running',
    ready: true,
    running: true,
    node: `node-${name.length % 3}`,
    ips: [`10.0.${namespace.length}.${name.length}`],
    guestOS: 'Fedora Linux',
    createdAt: '2024-01-01T00:00:00Z',
    labels: { app: name },
    agentConnected: true,
    ...overrides,
  };
}
