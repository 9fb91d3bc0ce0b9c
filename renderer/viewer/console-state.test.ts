import { describe, expect, it } from 'vitest';
import { closeOutcome, initialConsoleState, isFinal, MAX_AUTO_RETRIES, nextConsoleState, retryDelayMs } from './console-state.ts';
import type { ConsoleEvent, ConsoleState } from './console-state.ts';

const run = (events: ConsoleEvent[], from: ConsoleState = initialConsoleState) => events.reduce(nextConsoleState, from);
const connect = (takeOver = false, auto = false): ConsoleEvent => ({ type: 'connect', takeOver, auto });
const closed = (code: number, reason = ''): ConsoleEvent => ({ type: 'closed', code, reason });

describe('closeOutcome', () => {
  it.each([
    [4401, 'no-link'],
    [4403, 'forbidden'],
    [4404, 'not-running'],
    [4409, 'in-use'],
    [4410, 'expired'],
    [1000, 'disconnected'],
    [1005, 'disconnected'],
    [4000, 'disconnected'],
  ])('maps %i to %s', (code, kind) => {
    expect(closeOutcome(code).kind).toBe(kind);
  });

  it('retries when the gateway is unreachable or restarting, and says which', () => {
    expect(closeOutcome(1006)).toEqual({ kind: 'retry', cause: 'unreachable' });
    expect(closeOutcome(1011)).toEqual({ kind: 'retry', cause: 'unreachable' });
    expect(closeOutcome(1001)).toEqual({ kind: 'retry', cause: 'restarting' });
  });
});

describe('retryDelayMs', () => {
  it('doubles from one second up to thirty, then gives up', () => {
    const delays = Array.from({ length: MAX_AUTO_RETRIES + 1 }, (_, i) => retryDelayMs(i + 1));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, undefined]);
  });

  it('rejects a count that is not a positive integer', () => {
    expect(() => retryDelayMs(0)).toThrow(/positive integer/);
    expect(() => retryDelayMs(1.5)).toThrow(/positive integer/);
  });
});

describe('nextConsoleState', () => {
  it('connects', () => {
    expect(run([connect(), { type: 'connected' }])).toEqual({ kind: 'connected' });
  });

  it('offers take-over when the console is in use, and takes over on request', () => {
    const inUse = run([closed(4409, 'someone else is using this console')]);
    expect(inUse).toEqual({ kind: 'in-use' });
    expect(run([connect(true)], inUse)).toEqual({ kind: 'connecting', attempt: 1, takeOver: true });
  });

  it('keeps the gateway reason as detail', () => {
    expect(run([closed(4403, 'the link opens another VM')])).toEqual({ kind: 'forbidden', detail: 'the link opens another VM' });
    expect(run([closed(4401)])).toEqual({ kind: 'no-link', detail: undefined });
  });

  it('backs off over automatic retries and starts again at 1 after a click', () => {
    let state = run([closed(1006)]);
    expect(state).toEqual({ kind: 'unreachable', cause: 'unreachable', attempt: 1, retryInMs: 1000 });
    state = run([connect(false, true), closed(1006)], state);
    expect(state).toMatchObject({ attempt: 2, retryInMs: 2000 });
    state = run([connect(false, true), closed(1006)], state);
    expect(state).toMatchObject({ attempt: 3, retryInMs: 4000 });
    expect(run([connect(false, false)], state)).toEqual({ kind: 'connecting', attempt: 1, takeOver: false });
  });

  it('gives up after the last automatic retry, which makes the state final', () => {
    let state = run([closed(1006)]);
    for (let i = 0; i < MAX_AUTO_RETRIES; i += 1) state = run([connect(false, true), closed(1006)], state);
    expect(state).toMatchObject({ kind: 'unreachable', retryInMs: undefined });
    expect(isFinal(state)).toBe(true);
  });

  it('restarts the backoff when a live console drops', () => {
    const dropped = run([connect(false, true), closed(1006)], { kind: 'unreachable', cause: 'unreachable', attempt: 5, retryInMs: 16000 });
    expect(dropped).toMatchObject({ attempt: 6 });
    const live = run([{ type: 'connected' }, closed(1001)], { kind: 'connecting', attempt: 6, takeOver: false });
    expect(live).toEqual({ kind: 'unreachable', cause: 'restarting', attempt: 1, retryInMs: 1000 });
  });

  it('stays expired: reconnecting cannot revive a link', () => {
    const expired = run([{ type: 'connected' }, closed(4410, 'link expired')]);
    expect(expired).toEqual({ kind: 'expired', detail: 'link expired' });
    expect(run([connect(), connect(true)], expired)).toBe(expired);
  });

  it('ignores closes once the console has settled', () => {
    const inUse = run([closed(4409)]);
    expect(run([closed(1006)], inUse)).toBe(inUse);
    const expired = run([{ type: 'expired' }]);
    expect(run([closed(1000)], expired)).toBe(expired);
  });

  it('ignores a late "connected" from a console that already failed', () => {
    const notRunning = run([closed(4404)]);
    expect(run([{ type: 'connected' }], notRunning)).toBe(notRunning);
  });

  it('says why a connection could not even be attempted', () => {
    expect(run([{ type: 'failed', detail: 'no channel' }])).toEqual({ kind: 'disconnected', detail: 'no channel' });
    const connected = run([{ type: 'connected' }]);
    expect(run([{ type: 'failed', detail: 'late' }], connected)).toBe(connected);
  });

  it('records when a not-yet-valid link opens', () => {
    expect(run([{ type: 'not-yet-valid', from: 5000 }])).toEqual({ kind: 'not-yet-valid', from: 5000, detail: undefined });
  });
});
