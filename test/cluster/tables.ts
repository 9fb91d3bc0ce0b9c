import type { KubeObject } from './store.ts';

/** Server-side printing (`Accept: …;as=Table`), with the columns kubectl shows against a real cluster. */

interface Column {
  name: string;
  type: 'string' | 'integer' | 'boolean' | 'date';
  cell: (o: KubeObject) => unknown;
  priority?: number;
}

const nameColumn: Column = { name: 'Name', type: 'string', cell: (o) => o.metadata.name };
const ageColumn: Column = { name: 'Age', type: 'date', cell: (o) => o.metadata.creationTimestamp };

function path(o: KubeObject, ...keys: (string | number)[]): unknown {
  let v: unknown = o;
  for (const k of keys) v = (v as Record<string | number, unknown> | undefined)?.[k];
  return v;
}

function condition(o: KubeObject, type: string): string {
  const conditions = (path(o, 'status', 'conditions') ?? []) as { type: string; status: string }[];
  return conditions.find((c) => c.type === type)?.status ?? '';
}

/** kubectl's own rendering of an Event's source (`formatEventSource`). */
function eventSource(o: KubeObject): string {
  const source = (o['source'] ?? {}) as { component?: string; host?: string };
  const component = source.component || (o['reportingComponent'] as string | undefined) || '';
  const host = source.host || (o['reportingInstance'] as string | undefined) || '';
  return host ? `${component}, ${host}` : component;
}

function eventObject(o: KubeObject): string {
  const involved = (o['involvedObject'] ?? {}) as { kind?: string; name?: string };
  const kind = (involved.kind ?? '').toLowerCase();
  return involved.name ? `${kind}/${involved.name}` : kind;
}

const COLUMNS: Record<string, Column[]> = {
  // printers.go printEvent: the API server always sends the wide cells; kubectl hides priority 1 unless -o wide.
  Event: [
    { name: 'Last Seen', type: 'date', cell: (o) => o['lastTimestamp'] ?? o['firstTimestamp'] ?? o['eventTime'] },
    { name: 'Type', type: 'string', cell: (o) => o['type'] ?? '' },
    { name: 'Reason', type: 'string', cell: (o) => o['reason'] ?? '' },
    { name: 'Object', type: 'string', cell: eventObject },
    { name: 'Subobject', type: 'string', priority: 1, cell: (o) => path(o, 'involvedObject', 'fieldPath') ?? '' },
    { name: 'Source', type: 'string', priority: 1, cell: eventSource },
    { name: 'Message', type: 'string', cell: (o) => String(o['message'] ?? '').trim() },
    { name: 'First Seen', type: 'date', priority: 1, cell: (o) => o['firstTimestamp'] ?? o['eventTime'] },
    { name: 'Count', type: 'integer', priority: 1, cell: (o) => (typeof o['count'] === 'number' && o['count'] > 0 ? o['count'] : 1) },
    { ...nameColumn, priority: 1 },
  ],
  VirtualMachine: [
    nameColumn, ageColumn,
    { name: 'Status', type: 'string', cell: (o) => path(o, 'status', 'printableStatus') ?? '' },
    { name: 'Ready', type: 'string', cell: (o) => condition(o, 'Ready') },
  ],
  VirtualMachineInstance: [
    nameColumn, ageColumn,
    { name: 'Phase', type: 'string', cell: (o) => path(o, 'status', 'phase') ?? '' },
    { name: 'IP', type: 'string', cell: (o) => path(o, 'status', 'interfaces', 0, 'ipAddress') ?? '' },
    { name: 'NodeName', type: 'string', cell: (o) => path(o, 'status', 'nodeName') ?? '' },
    { name: 'Ready', type: 'string', cell: (o) => condition(o, 'Ready') },
  ],
  Secret: [
    nameColumn,
    { name: 'Type', type: 'string', cell: (o) => o['type'] ?? 'Opaque' },
    { name: 'Data', type: 'integer', cell: (o) => Object.keys((o['data'] ?? {}) as object).length },
    ageColumn,
  ],
  ConfigMap: [
    nameColumn,
    { name: 'Data', type: 'integer', cell: (o) => Object.keys((o['data'] ?? {}) as object).length + Object.keys((o['binaryData'] ?? {}) as object).length },
    ageColumn,
  ],
  Namespace: [nameColumn, { name: 'Status', type: 'string', cell: () => 'Active' }, ageColumn],
};

export function wantsTable(accept: string | undefined): boolean {
  return accept !== undefined && /as=Table/.test(accept);
}

/** Cells of type date are ages; kubectl computes the age text from the timestamp itself only for known types, so send text. */
function age(timestamp: unknown): string {
  if (typeof timestamp !== 'string') return '<unknown>';
  const seconds = Math.max(0, Math.floor((Date.now() - Date.parse(timestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

export function toTable(kind: string, items: KubeObject[], listMeta: object): object {
  const columns = COLUMNS[kind] ?? [nameColumn, ageColumn];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: columns.map((c) => ({
      name: c.name, type: c.type === 'date' ? 'string' : c.type, format: c.name === 'Name' ? 'name' : '', description: '', priority: c.priority ?? 0,
    })),
    rows: items.map((o) => ({
      cells: columns.map((c) => (c.type === 'date' ? age(c.cell(o)) : c.cell(o))),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
