// Audit Events written into the cluster stand-in by the gateway's own Event
// builder (gateway/console-audit-event.ts), for tests of what reads the trail
// that need Events at chosen times, addresses and counts without a console.
import { randomBytes } from 'node:crypto';
import { eventBody, eventDraft } from '../../gateway/console-audit-event.ts';
import { auditReasons } from '../../shared/console-audit.ts';
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
  const { reason, closeCode, viewOnly, count, at, ...fact } = input;
  const draft = eventDraft({ ...fact, reason: auditReasons[reason], console: 'vnc', viewOnly: viewOnly ?? false, ...(closeCode !== undefined ? { code: closeCode } : {}) }, undefined);
  const ms = (at ?? new Date()).getTime();
  return eventBody(draft, { name: `${input.vm}.${randomBytes(8).toString('hex')}`, count: count ?? 1, firstMs: ms, lastMs: ms, reportingInstance: 'test' }) as unknown as KubeObject;
}

/** Writes the Event into the stand-in, as the gateway's service account would create it. */
export function writeAuditEvent(cluster: ClusterHandle, input: AuditEventInput): KubeObject {
  return cluster.objects.put(auditEvent(input));
}
