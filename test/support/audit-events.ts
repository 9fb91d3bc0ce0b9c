// Audit Events written into the cluster stand-in exactly as the gateway writes
// them (shared/console-audit.ts): for tests of what reads the trail, without a
// gateway that writes it.
import { randomBytes } from 'node:crypto';
import { auditAnnotations, auditLabels, auditManager, auditReasons, type AuditReason } from '../../shared/console-audit.ts';
import { linkKey } from '../../shared/node/link-key.ts';
import type { ClusterHandle } from '../cluster/server.ts';
import type { KubeObject } from '../cluster/store.ts';

export interface AuditEventInput {
  reason: keyof typeof auditReasons;
  namespace: string;
  vm: string;
  linkId: string;
  linkLabel?: string;
  issuer?: string;
  client?: string;
  connection?: string;
  session?: string;
  closeCode?: number;
  durationMs?: number;
  viewOnly?: boolean;
  count?: number;
  /** Default now. */
  at?: Date;
}

export function auditEvent(input: AuditEventInput): KubeObject {
  const reason: AuditReason = auditReasons[input.reason];
  const at = (input.at ?? new Date()).toISOString();
  const annotations: Record<string, string> = { [auditAnnotations.linkId]: input.linkId, [auditAnnotations.console]: 'vnc', [auditAnnotations.viewOnly]: String(input.viewOnly ?? false) };
  const optional = {
    linkLabel: input.linkLabel, issuer: input.issuer, client: input.client, connection: input.connection, session: input.session,
    code: input.closeCode, durationMs: input.durationMs,
  } as const;
  for (const [field, value] of Object.entries(optional) as [keyof typeof optional, string | number | undefined][]) {
    if (value !== undefined) annotations[auditAnnotations[field]] = String(value);
  }
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${input.vm}.${randomBytes(8).toString('hex')}`,
      namespace: input.namespace,
      labels: { [auditLabels.managedBy]: auditManager, [auditLabels.link]: linkKey(input.linkId) },
      annotations,
    },
    involvedObject: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', name: input.vm, namespace: input.namespace },
    reason,
    message: `${reason} of ${input.namespace}/${input.vm} with link ${input.linkLabel ?? input.linkId}${input.client ? ` from ${input.client}` : ''}`,
    type: reason === auditReasons.refused ? 'Warning' : 'Normal',
    count: input.count ?? 1,
    firstTimestamp: at,
    lastTimestamp: at,
    source: { component: auditManager },
    reportingComponent: auditManager,
  } as KubeObject;
}

/** Writes the Event into the stand-in, as the gateway's service account would create it. */
export function writeAuditEvent(cluster: ClusterHandle, input: AuditEventInput): KubeObject {
  return cluster.objects.put(auditEvent(input));
}
