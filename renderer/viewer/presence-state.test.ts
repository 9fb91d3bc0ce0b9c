import { describe, expect, it } from 'vitest';
import type { ConsoleViewerInfo, PresenceMessage } from '../../shared/console-presence.ts';
import { headcount, NO_PRESENCE, nextPresence } from './presence-state.ts';
import type { PresenceState } from './presence-state.ts';

const viewer = (id: string, name: string, control: boolean): ConsoleViewerInfo => ({ id, name, control, since: '2026-12-05T20:00:00Z' });
const me = viewer('v1', 'ops@example', true);
const ann = viewer('v2', 'Ann (support)', false);

const message = (viewers: ConsoleViewerInfo[], change?: PresenceMessage['change']): PresenceMessage => ({
  gatepass: 'presence',
  you: me.id,
  viewers,
  ...(change ? { change } : {}),
});

const apply = (state: PresenceState, ...messages: PresenceMessage[]) => messages.reduce((s, m) => nextPresence(s, { type: 'message', message: m }), state);

describe('nextPresence', () => {
  it('takes who is there from the first message without a notice', () => {
    const state = apply(NO_PRESENCE, message([me, ann]));
    expect(state.viewers.map((v) => v.name)).toEqual(['ops@example', 'Ann (support)']);
    expect(state.you).toBe('v1');
    expect(state.notice).toBeUndefined();
  });

  it('tells of someone else joining, with their access, and of them leaving', () => {
    const joined = apply(NO_PRESENCE, message([me]), message([me, ann], { kind: 'joined', viewer: ann }));
    expect(joined.notice?.text).toBe('Ann (support) joined the console (view only)');
    const left = apply(joined, message([me], { kind: 'left', viewer: ann }));
    expect(left.notice?.text).toBe('Ann (support) left the console');
    expect(left.notice?.serial).not.toBe(joined.notice?.serial);
    expect(left.viewers).toEqual([me]);
  });

  it('does not tell the viewer of its own arrival', () => {
    const state = apply(NO_PRESENCE, message([ann, me], { kind: 'joined', viewer: me }));
    expect(state.notice).toBeUndefined();
    expect(state.viewers).toHaveLength(2);
  });

  it('clears a notice once seen, but not a newer one', () => {
    const first = apply(NO_PRESENCE, message([me, ann], { kind: 'joined', viewer: ann }));
    const second = apply(first, message([me], { kind: 'left', viewer: ann }));
    expect(nextPresence(second, { type: 'notice-seen', serial: first.notice!.serial }).notice).toEqual(second.notice);
    expect(nextPresence(second, { type: 'notice-seen', serial: second.notice!.serial }).notice).toBeUndefined();
  });

  it('forgets everything when the connection ends', () => {
    const state = apply(NO_PRESENCE, message([me, ann], { kind: 'joined', viewer: ann }));
    expect(nextPresence(state, { type: 'reset' })).toEqual(NO_PRESENCE);
  });
});

describe('headcount', () => {
  it.each([[1, '1 person here'], [2, '2 people here'], [20, '20 people here']])('%i → %s', (count, words) => {
    expect(headcount(count)).toBe(words);
  });
});
