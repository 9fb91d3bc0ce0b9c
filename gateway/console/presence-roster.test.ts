import { describe, expect, it } from 'vitest';
import { parsePresenceMessage, type PresenceMessage } from '../../shared/console-presence.ts';
import { PresenceRoster, presenceName, viewerInfo } from './presence-roster.ts';

describe('presence names', () => {
  it('names a viewer by its link label, else its issuer, else "someone"', () => {
    expect(presenceName({ label: 'support call', sub: 'alice' })).toBe('support call');
    expect(presenceName({ label: '  ', sub: 'alice' })).toBe('alice');
    expect(presenceName({})).toBe('someone');
  });

  it('gives each viewer an id of its own and says when it joined', () => {
    const a = viewerInfo('alice', true, new Date('2026-12-05T20:00:00Z'));
    const b = viewerInfo('alice', true, new Date('2026-12-05T20:00:00Z'));
    expect(a.id).not.toBe(b.id);
    expect(a).toMatchObject({ name: 'alice', control: true, since: '2026-12-05T20:00:00.000Z' });
  });
});

describe('the presence roster', () => {
  function listener() {
    const heard: PresenceMessage[] = [];
    return { heard, tell: (text: string) => heard.push(parsePresenceMessage(text)!) };
  }

  it('tells a joiner everyone, and those who asked each join and leave; a viewer that did not ask hears nothing', () => {
    const roster = new PresenceRoster();
    const alice = viewerInfo('alice', true);
    const bob = viewerInfo('bob', false);
    const carol = viewerInfo('carol', false);
    const a = listener();
    const c = listener();
    roster.join(alice, a.tell);
    roster.join(bob, undefined);
    roster.join(carol, c.tell);
    roster.leave(bob.id);
    expect(a.heard).toEqual([
      { gatepass: 'presence', you: alice.id, viewers: [alice] },
      { gatepass: 'presence', you: alice.id, viewers: [alice, bob], change: { kind: 'joined', viewer: bob } },
      { gatepass: 'presence', you: alice.id, viewers: [alice, bob, carol], change: { kind: 'joined', viewer: carol } },
      { gatepass: 'presence', you: alice.id, viewers: [alice, carol], change: { kind: 'left', viewer: bob } },
    ]);
    expect(c.heard.map((m) => [m.you, m.viewers.length, m.change?.kind])).toEqual([[carol.id, 3, undefined], [carol.id, 2, 'left']]);
    expect(roster.size).toBe(2);
  });

  it('ignores a second leave of the same viewer', () => {
    const roster = new PresenceRoster();
    const a = listener();
    const alice = viewerInfo('alice', true);
    const bob = viewerInfo('bob', true);
    roster.join(alice, a.tell);
    roster.join(bob, undefined);
    roster.leave(bob.id);
    roster.leave(bob.id);
    expect(a.heard).toHaveLength(3);
  });
});
