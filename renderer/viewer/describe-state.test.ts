import { describe, expect, it } from 'vitest';
import type { ConsoleState } from './console-state.ts';
import { describeState } from './describe-state.ts';

const options = { formatTime: (ms: number) => new Date(ms).toISOString() };

describe('describeState', () => {
  it('offers "Take over" only when the console is in use', () => {
    const states: ConsoleState[] = [
      { kind: 'connecting', attempt: 1, takeOver: false },
      { kind: 'connected' },
      { kind: 'unreachable', cause: 'unreachable', attempt: 1, retryInMs: 1000 },
      { kind: 'not-yet-valid', from: undefined, detail: undefined },
      { kind: 'expired', detail: undefined },
      { kind: 'not-running' },
      { kind: 'forbidden', detail: undefined },
      { kind: 'no-link', detail: undefined },
      { kind: 'disconnected', detail: undefined },
    ];
    for (const state of states) expect(describeState(state, options).actions).not.toContain('take-over');
    expect(describeState({ kind: 'in-use' }, options).actions).toEqual(['take-over', 'reconnect']);
  });

  it('uses an alert for problems and a status while things go well', () => {
    expect(describeState({ kind: 'connecting', attempt: 1, takeOver: false }, options).role).toBe('status');
    expect(describeState({ kind: 'connected' }, options).role).toBe('status');
    expect(describeState({ kind: 'not-running' }, options).role).toBe('alert');
  });

  it('says when a not-yet-valid link opens', () => {
    const text = describeState({ kind: 'not-yet-valid', from: Date.UTC(2030, 0, 2, 3, 4), detail: undefined }, options).detail;
    expect(text).toContain('valid from 2030-01-02T03:04:00.000Z');
  });

  it('says why the gateway is unreachable and when it retries', () => {
    const restarting = describeState({ kind: 'unreachable', cause: 'restarting', attempt: 2, retryInMs: 4000 }, options);
    expect(restarting.title).toBe('Gateway unreachable');
    expect(restarting.detail).toMatch(/restarting.*Retrying in 0:04/);
    const gaveUp = describeState({ kind: 'unreachable', cause: 'unreachable', attempt: 9, retryInMs: undefined }, options);
    expect(gaveUp.detail).toMatch(/cannot be reached.*Gave up/);
    expect(gaveUp.actions).toEqual(['reconnect']);
  });

  it('offers nothing to do for an expired link', () => {
    const expired = describeState({ kind: 'expired', detail: undefined }, options);
    expect(expired.title).toBe('This link has expired');
    expect(expired.actions).toEqual([]);
  });

  it('keeps the gateway’s or the cluster’s own words for Details, never as the explanation', () => {
    for (const state of [
      { kind: 'forbidden', detail: 'only web-1' },
      { kind: 'no-link', detail: 'only web-1' },
      { kind: 'disconnected', detail: 'only web-1' },
      { kind: 'expired', detail: 'only web-1' },
      { kind: 'not-yet-valid', from: undefined, detail: 'only web-1' },
    ] as const) {
      const description = describeState(state, options);
      expect(description.reason, state.kind).toBe('only web-1');
      expect(description.detail ?? '', state.kind).not.toContain('only web-1');
    }
    expect(describeState({ kind: 'forbidden', detail: undefined }, options)).not.toHaveProperty('reason');
  });

  it('words a refusal of the person’s own console as their access, not as a link', () => {
    const forbidden = describeState({ kind: 'forbidden', detail: 'virtualmachineinstances/vnc is forbidden' }, { ...options, access: 'own' });
    expect(forbidden.title).toBe('You may not open this VM’s console');
    expect(forbidden.reason).toBe('virtualmachineinstances/vnc is forbidden');
    expect(describeState({ kind: 'no-link', detail: undefined }, { ...options, access: 'own' }).title).toBe('The cluster did not accept your credentials');
    expect(describeState({ kind: 'forbidden', detail: undefined }, options).title).toBe('This link does not open this console');
  });
});
