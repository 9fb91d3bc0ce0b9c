// The audit trail of console use, as the gateway writes it into Kubernetes
// Events on the VMI and the app reads it back. One contract, so the writer and
// the readers agree on every key.

export const auditReasons = {
  opened: 'ConsoleOpened',
  refused: 'ConsoleRefused',
  closed: 'ConsoleClosed',
} as const;
export type AuditReason = (typeof auditReasons)[keyof typeof auditReasons];

/** Labels select Events; annotations carry the details a message only spells out. */
export const auditLabels = {
  managedBy: 'app.kubernetes.io/managed-by',
  /** `linkKey(tokenId)` from shared/node/link-key.ts. */
  link: 'gatepass.io/link',
} as const;
export const auditManager = 'gatepass-gateway';

export const auditAnnotations = {
  linkId: 'gatepass.io/link-id',
  linkLabel: 'gatepass.io/link-label',
  issuer: 'gatepass.io/issuer',
  client: 'gatepass.io/client',
  /** `vnc` or `serial`. */
  console: 'gatepass.io/console',
  viewOnly: 'gatepass.io/view-only',
  /** One console connection: its Opened and its Closed carry the same value. */
  connection: 'gatepass.io/connection',
  /** The browser or app session a use is bound to (a hash, never the cookie). */
  session: 'gatepass.io/session',
  /** Refused: the console close code the viewer was given. */
  code: 'gatepass.io/close-code',
  /** Closed: how long, bytes each way, viewer input a view-only filter dropped. */
  durationMs: 'gatepass.io/duration-ms',
  bytesFromViewer: 'gatepass.io/bytes-from-viewer',
  bytesToViewer: 'gatepass.io/bytes-to-viewer',
  inputDropped: 'gatepass.io/input-dropped',
} as const;

export type ConsoleKind = 'vnc' | 'serial';

/** One Event of the trail, as the app shows it. */
export interface ConsoleAuditRecord {
  reason: AuditReason;
  namespace: string;
  vm: string;
  linkId?: string;
  linkLabel?: string;
  issuer?: string;
  client?: string;
  console: ConsoleKind;
  viewOnly: boolean;
  connection?: string;
  session?: string;
  closeCode?: number;
  durationMs?: number;
  bytesFromViewer?: number;
  bytesToViewer?: number;
  inputDropped?: number;
  /** How many times the API server's Event counts this (refusals aggregate). */
  count: number;
  firstSeen: string;
  lastSeen: string;
  message: string;
}

interface EventLike {
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  metadata?: { annotations?: Record<string, string>; creationTimestamp?: string };
  involvedObject?: { kind?: string; name?: string; namespace?: string };
}

const isReason = (reason: string | undefined): reason is AuditReason =>
  reason === auditReasons.opened || reason === auditReasons.refused || reason === auditReasons.closed;

function optionalNumber(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** The record an Event written by the gateway stands for, or undefined for any other Event. */
export function auditRecordOf(event: EventLike): ConsoleAuditRecord | undefined {
  if (!isReason(event.reason) || event.involvedObject?.kind !== 'VirtualMachineInstance') return undefined;
  const a = event.metadata?.annotations ?? {};
  const seen = event.lastTimestamp ?? event.eventTime ?? event.metadata?.creationTimestamp ?? '';
  const record: ConsoleAuditRecord = {
    reason: event.reason,
    namespace: event.involvedObject.namespace ?? '',
    vm: event.involvedObject.name ?? '',
    console: a[auditAnnotations.console] === 'serial' ? 'serial' : 'vnc',
    viewOnly: a[auditAnnotations.viewOnly] === 'true',
    count: event.count ?? 1,
    firstSeen: event.firstTimestamp ?? seen,
    lastSeen: seen,
    message: event.message ?? '',
  };
  const text = { linkId: auditAnnotations.linkId, linkLabel: auditAnnotations.linkLabel, issuer: auditAnnotations.issuer, client: auditAnnotations.client, connection: auditAnnotations.connection, session: auditAnnotations.session } as const;
  for (const [field, key] of Object.entries(text) as [keyof typeof text, string][]) if (a[key]) record[field] = a[key];
  const numbers = { closeCode: auditAnnotations.code, durationMs: auditAnnotations.durationMs, bytesFromViewer: auditAnnotations.bytesFromViewer, bytesToViewer: auditAnnotations.bytesToViewer, inputDropped: auditAnnotations.inputDropped } as const;
  for (const [field, key] of Object.entries(numbers) as [keyof typeof numbers, string][]) {
    const n = optionalNumber(a[key]);
    if (n !== undefined) record[field] = n;
  }
  return record;
}
