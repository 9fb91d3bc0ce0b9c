// One console open, refusal or close as the core/v1 Event the gateway writes on
// the VMI, and as the message a person reads in `kubectl describe vmi`. Pure:
// the writer (console-audit-events.ts) adds the name, counts and times.
import { auditAnnotations, auditLabels, auditManager, auditReasons, type AuditReason, type ConsoleKind } from '../shared/console-audit.ts';
import { linkKey } from '../shared/node/link-key.ts';

export interface ConsoleAuditFact {
  reason: AuditReason;
  namespace: string;
  vm: string;
  console: ConsoleKind;
  viewOnly: boolean;
  /** The link's id (`jti` or `id`); absent when the request carried no valid link. */
  linkId?: string;
  linkLabel?: string;
  /** The issuer's `sub`. */
  issuer?: string;
  client?: string;
  /** One console connection: its Opened and Closed share it. */
  connection?: string;
  /** The browser or app session a use is bound to (a hash, never the cookie). */
  session?: string;
  /** Refused: the close code the viewer got, and why in words. Closed: the close code. */
  code?: number;
  why?: string;
  /** Closed: who ended it, as the relay says (`client`, `server`, `expired`, `revoked`…). */
  closedBy?: string;
  durationMs?: number;
  bytesFromViewer?: number;
  bytesToViewer?: number;
  inputDropped?: number;
}

/** What every copy of one kind of Event shares; counts and times are the writer's. */
export interface EventDraft {
  reason: AuditReason;
  type: 'Normal' | 'Warning';
  message: string;
  involvedObject: { apiVersion: string; kind: string; name: string; namespace: string; uid?: string };
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export const reportingComponent = 'gatepass.io/gateway';
/** core/v1 Event messages are cut at 1024 characters by client-go's recorder; so are these. */
const maxMessage = 1024;
const consoleNames: Record<ConsoleKind, string> = { vnc: 'VNC', serial: 'serial' };

/** Text from a token or a client, fit for one line of a message: no control characters, bounded. */
function plain(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${s}s`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** "link "for Ann" (id 42) issued by alice, from 10.0.0.7" — or "no valid link, from …". */
function whoAndFrom(fact: ConsoleAuditFact): string {
  const link = fact.linkId === undefined
    ? 'no valid link'
    : `link ${fact.linkLabel ? `${JSON.stringify(plain(fact.linkLabel))} ` : ''}(id ${plain(fact.linkId, 100)})${fact.issuer ? ` issued by ${plain(fact.issuer, 100)}` : ''}`;
  return `${link}, from ${fact.client ? plain(fact.client, 100) : 'an unknown address'}`;
}

/** How a relay's end (`RelayEnd.by`) reads in a sentence. */
const endedBy: Record<string, string> = {
  client: 'by the viewer',
  server: 'by the VM side',
  expired: 'as the link expired',
  filter: 'by the view-only filter',
  'ping-timeout': 'as a side stopped answering pings',
  shutdown: 'as the gateway shut down',
  revoked: 'as the link was revoked',
  'taken-over': 'as another viewer took the console over',
  backlog: 'as the viewer fell too far behind the console',
};

export function auditMessage(fact: ConsoleAuditFact): string {
  const kind = `${consoleNames[fact.console]} console${fact.viewOnly ? ' (view-only)' : ''}`;
  let text: string;
  if (fact.reason === auditReasons.opened) {
    text = `${kind} opened with ${whoAndFrom(fact)}`;
  } else if (fact.reason === auditReasons.refused) {
    const why = [fact.code, fact.why ? plain(fact.why) : undefined].filter((part) => part !== undefined).join(': ');
    text = `${kind} refused${why ? ` (${why})` : ''} with ${whoAndFrom(fact)}`;
  } else {
    const by = fact.closedBy ? ` ${endedBy[fact.closedBy] ?? `by ${plain(fact.closedBy, 40)}`}` : '';
    const code = fact.code !== undefined ? ` with ${fact.code}` : '';
    const traffic = `${formatBytes(fact.bytesFromViewer ?? 0)} from the viewer, ${formatBytes(fact.bytesToViewer ?? 0)} to it`;
    // A serial console's input is a byte stream, not messages: its view-only viewers' dropped input is counted in bytes.
    const unit = fact.console === 'serial' ? 'byte' : 'message';
    const dropped = fact.viewOnly ? `, ${fact.inputDropped ?? 0} input ${unit}${fact.inputDropped === 1 ? '' : 's'} dropped` : '';
    text = `${kind} closed${by}${code} after ${formatDuration(fact.durationMs ?? 0)}; ${whoAndFrom(fact)}; ${traffic}${dropped}`;
  }
  return text.length > maxMessage ? `${text.slice(0, maxMessage - 1)}…` : text;
}

export function eventDraft(fact: ConsoleAuditFact, uid: string | undefined): EventDraft {
  const annotations: Record<string, string> = {
    [auditAnnotations.console]: fact.console,
    [auditAnnotations.viewOnly]: String(fact.viewOnly),
  };
  const text = {
    [auditAnnotations.linkId]: fact.linkId,
    [auditAnnotations.linkLabel]: fact.linkLabel === undefined ? undefined : plain(fact.linkLabel, 1000),
    [auditAnnotations.issuer]: fact.issuer,
    [auditAnnotations.client]: fact.client,
    [auditAnnotations.connection]: fact.connection,
    [auditAnnotations.session]: fact.session,
  };
  for (const [key, value] of Object.entries(text)) if (value !== undefined && value !== '') annotations[key] = value;
  const numbers = {
    [auditAnnotations.code]: fact.code,
    [auditAnnotations.durationMs]: fact.reason === auditReasons.closed ? Math.round(fact.durationMs ?? 0) : undefined,
    [auditAnnotations.bytesFromViewer]: fact.bytesFromViewer,
    [auditAnnotations.bytesToViewer]: fact.bytesToViewer,
    [auditAnnotations.inputDropped]: fact.inputDropped,
  };
  for (const [key, value] of Object.entries(numbers)) if (value !== undefined) annotations[key] = String(value);
  return {
    reason: fact.reason,
    type: fact.reason === auditReasons.refused ? 'Warning' : 'Normal',
    message: auditMessage(fact),
    involvedObject: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', name: fact.vm, namespace: fact.namespace, ...(uid ? { uid } : {}) },
    labels: { [auditLabels.managedBy]: auditManager, ...(fact.linkId !== undefined ? { [auditLabels.link]: linkKey(fact.linkId) } : {}) },
    annotations,
  };
}

/**
 * The draft many different refusals of one console become once they are too
 * many to keep apart (Kubernetes' EventAggregator does the same): the latest
 * message, marked as combined, and only what all of them share.
 */
export function combinedDraft(draft: EventDraft): EventDraft {
  const shared = [auditAnnotations.console, auditAnnotations.viewOnly];
  return {
    ...draft,
    message: `(combined from similar events): ${draft.message}`.slice(0, maxMessage),
    labels: { [auditLabels.managedBy]: auditManager },
    annotations: Object.fromEntries(Object.entries(draft.annotations).filter(([key]) => shared.includes(key as (typeof shared)[number]))),
  };
}

/** Seconds, as a core/v1 Event's `metav1.Time` fields carry them. */
export function eventTimestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

export interface EventWrite {
  name: string;
  count: number;
  firstMs: number;
  lastMs: number;
  reportingInstance: string;
}

/** The Event object to create. */
export function eventBody(draft: EventDraft, write: EventWrite): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: write.name, namespace: draft.involvedObject.namespace, labels: draft.labels, annotations: draft.annotations },
    involvedObject: draft.involvedObject,
    reason: draft.reason,
    type: draft.type,
    message: draft.message,
    source: { component: auditManager, host: write.reportingInstance },
    reportingComponent,
    reportingInstance: write.reportingInstance,
    firstTimestamp: eventTimestamp(write.firstMs),
    lastTimestamp: eventTimestamp(write.lastMs),
    count: write.count,
  };
}
