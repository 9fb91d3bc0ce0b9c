import { describe, expect, it } from 'vitest';
import { auditAnnotations, auditRecordOf, auditReasons } from './console-audit.ts';

const event = (reason: string, annotations: Record<string, string>, extra: Record<string, unknown> = {}) => ({
  reason,
  message: 'm',
  count: 3,
  firstTimestamp: '2026-12-05T10:00:00Z',
  lastTimestamp: '2026-12-05T10:05:00Z',
  metadata: { annotations },
  involvedObject: { kind: 'VirtualMachineInstance', name: 'web-1', namespace: 'team-a' },
  ...extra,
});

describe('auditRecordOf', () => {
  it('reads a close with its figures', () => {
    const record = auditRecordOf(event(auditReasons.closed, {
      [auditAnnotations.linkId]: 'abc',
      [auditAnnotations.client]: '203.0.113.9',
      [auditAnnotations.durationMs]: '61000',
      [auditAnnotations.bytesToViewer]: '1048576',
      [auditAnnotations.viewOnly]: 'true',
      [auditAnnotations.console]: 'serial',
    }));
    expect(record).toMatchObject({ reason: 'ConsoleClosed', vm: 'web-1', namespace: 'team-a', linkId: 'abc', client: '203.0.113.9', durationMs: 61000, bytesToViewer: 1048576, viewOnly: true, console: 'serial', count: 3, firstSeen: '2026-12-05T10:00:00Z', lastSeen: '2026-12-05T10:05:00Z' });
    expect(record).not.toHaveProperty('bytesFromViewer');
  });

  it('ignores Events of other reasons and other objects, and numbers that are not numbers', () => {
    expect(auditRecordOf(event('Started', {}))).toBeUndefined();
    expect(auditRecordOf(event(auditReasons.opened, {}, { involvedObject: { kind: 'Pod', name: 'p' } }))).toBeUndefined();
    expect(auditRecordOf(event(auditReasons.refused, { [auditAnnotations.code]: 'x' }))).not.toHaveProperty('closeCode');
    expect(auditRecordOf(event(auditReasons.refused, { [auditAnnotations.code]: '4409' }))?.closeCode).toBe(4409);
  });

  it('reads the session a use is bound to', () => {
    expect(auditRecordOf(event(auditReasons.opened, { [auditAnnotations.session]: 'h1' }))?.session).toBe('h1');
    expect(auditRecordOf(event(auditReasons.opened, {}))).not.toHaveProperty('session');
  });
});
