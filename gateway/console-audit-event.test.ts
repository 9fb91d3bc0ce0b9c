import { describe, expect, it } from 'vitest';
import { auditAnnotations, auditLabels, auditReasons, auditRecordOf } from '../shared/console-audit.ts';
import { linkKey } from '../shared/node/link-key.ts';
import { auditMessage, eventBody, eventDraft, formatBytes, formatDuration, type ConsoleAuditFact } from './console-audit-event.ts';

const link = { linkId: 'c0ffee-17', linkLabel: 'for Ann (support)', issuer: 'alice', client: '203.0.113.9' };
const closed: ConsoleAuditFact = {
  reason: auditReasons.closed, namespace: 'team-a', vm: 'web-1', console: 'vnc', viewOnly: true, ...link,
  connection: 'conn-1', closedBy: 'client', code: 1000, durationMs: 754_000, bytesFromViewer: 2_400, bytesToViewer: 5_800_000, inputDropped: 37,
};

describe('the message a person reads', () => {
  it('names the link, its issuer, the client and the console; a close adds how long, bytes each way and dropped input', () => {
    expect(auditMessage(closed)).toBe(
      'VNC console (view-only) closed by the viewer with 1000 after 12m34s; link "for Ann (support)" (id c0ffee-17) issued by alice, from 203.0.113.9; '
      + '2.3 KiB from the viewer, 5.5 MiB to it, 37 input messages dropped',
    );
    expect(auditMessage({ ...closed, reason: auditReasons.opened })).toBe('VNC console (view-only) opened with link "for Ann (support)" (id c0ffee-17) issued by alice, from 203.0.113.9');
  });

  it('counts a serial console’s dropped input in bytes, and says who ended a viewer the console was taken from', () => {
    expect(auditMessage({ ...closed, console: 'serial', closedBy: 'taken-over', code: 4409, inputDropped: 12 })).toBe(
      'serial console (view-only) closed as another viewer took the console over with 4409 after 12m34s; link "for Ann (support)" (id c0ffee-17) issued by alice, from 203.0.113.9; '
      + '2.3 KiB from the viewer, 5.5 MiB to it, 12 input bytes dropped',
    );
  });

  it('says why a refusal happened, also without a valid link', () => {
    expect(auditMessage({ reason: auditReasons.refused, namespace: 'team-a', vm: 'web-1', console: 'vnc', viewOnly: false, ...link, code: 4409, why: 'someone else is using this console' }))
      .toBe('VNC console refused (4409: someone else is using this console) with link "for Ann (support)" (id c0ffee-17) issued by alice, from 203.0.113.9');
    expect(auditMessage({ reason: auditReasons.refused, namespace: 'team-a', vm: 'web-1', console: 'vnc', viewOnly: false, code: 4401, why: 'this link has expired' }))
      .toBe('VNC console refused (4401: this link has expired) with no valid link, from an unknown address');
  });

  it('keeps what a token carries on one bounded line', () => {
    const message = auditMessage({ ...closed, linkLabel: `evil\n\u001b[31mLabel${'x'.repeat(5000)}`, issuer: 'mallory\r\nFAKE LINE' });
    for (const control of ['\r', '\n', '\u001b']) expect(message).not.toContain(control);
    expect(message.length).toBeLessThanOrEqual(1024);
    expect(message).toContain('issued by mallory FAKE LINE');
  });

  it('formats durations and sizes', () => {
    expect([formatDuration(0), formatDuration(59_400), formatDuration(3_600_000 * 2 + 60_000 * 5)]).toEqual(['0s', '59s', '2h05m']);
    expect([formatBytes(0), formatBytes(1023), formatBytes(1536), formatBytes(3 * 1024 ** 3)]).toEqual(['0 B', '1023 B', '1.5 KiB', '3.0 GiB']);
  });
});

describe('the Event', () => {
  it('is a core/v1 Event on the VMI that the app reads back field for field', () => {
    const body = eventBody(eventDraft(closed, 'vmi-uid'), { name: 'web-1.abc', count: 1, firstMs: Date.UTC(2026, 0, 2, 3, 4, 5, 678), lastMs: Date.UTC(2026, 0, 2, 3, 4, 9), reportingInstance: 'gw-0' });
    expect(body).toMatchObject({
      apiVersion: 'v1', kind: 'Event', type: 'Normal', reason: 'ConsoleClosed', count: 1,
      metadata: { name: 'web-1.abc', namespace: 'team-a', labels: { [auditLabels.managedBy]: 'gatepass-gateway', [auditLabels.link]: linkKey('c0ffee-17') } },
      involvedObject: { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', name: 'web-1', namespace: 'team-a', uid: 'vmi-uid' },
      source: { component: 'gatepass-gateway', host: 'gw-0' }, reportingComponent: 'gatepass.io/gateway', reportingInstance: 'gw-0',
      firstTimestamp: '2026-01-02T03:04:05Z', lastTimestamp: '2026-01-02T03:04:09Z',
    });
    expect(auditRecordOf(body)).toMatchObject({
      reason: 'ConsoleClosed', namespace: 'team-a', vm: 'web-1', console: 'vnc', viewOnly: true, ...link,
      connection: 'conn-1', closeCode: 1000, durationMs: 754_000, bytesFromViewer: 2_400, bytesToViewer: 5_800_000, inputDropped: 37, count: 1,
    });
  });

  it('is a Warning for a refusal, and carries no uid or link it does not know', () => {
    const draft = eventDraft({ reason: auditReasons.refused, namespace: 'team-b', vm: 'build-7', console: 'vnc', viewOnly: false, code: 4401 }, undefined);
    expect(draft.type).toBe('Warning');
    expect(draft.involvedObject).not.toHaveProperty('uid');
    expect(draft.labels).toEqual({ [auditLabels.managedBy]: 'gatepass-gateway' });
    expect(Object.keys(draft.annotations).sort()).toEqual([auditAnnotations.code, auditAnnotations.console, auditAnnotations.viewOnly].sort());
  });
});
