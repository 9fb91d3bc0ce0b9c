import { describe, expect, it } from 'vitest';
import { parsePresenceMessage, presenceText, type PresenceMessage } from './console-presence.ts';

const viewer = (id: string, control = false) => ({ id, name: `viewer ${id}`, control, since: '2026-12-05T20:00:00.000Z' });

describe('presence messages', () => {
  it('round-trips what the gateway sends', () => {
    const message: PresenceMessage = { gatepass: 'presence', you: 'a', viewers: [viewer('a', true), viewer('b')], change: { kind: 'joined', viewer: viewer('b') } };
    expect(parsePresenceMessage(presenceText(message))).toEqual(message);
  });

  it.each([
    ['not JSON', 'RFB 003.008'],
    ['another kind of message', JSON.stringify({ gatepass: 'other', you: 'a', viewers: [] })],
    ['a viewer without control', JSON.stringify({ gatepass: 'presence', you: 'a', viewers: [{ id: 'a', name: 'x', since: 's' }] })],
    ['an unknown change', JSON.stringify({ gatepass: 'presence', you: 'a', viewers: [], change: { kind: 'kicked', viewer: viewer('a') } })],
    ['an oversized frame', JSON.stringify({ gatepass: 'presence', you: 'a', viewers: Array.from({ length: 2000 }, (_, i) => viewer(String(i))) })],
  ])('ignores %s', (_what, text) => {
    expect(parsePresenceMessage(text)).toBeUndefined();
  });
});
