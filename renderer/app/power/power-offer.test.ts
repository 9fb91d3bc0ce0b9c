import { describe, expect, it } from 'vitest';
import { confirmationText, isSettled, needsConfirmation, offeredActions } from './power-offer.ts';

const ALL = ['start', 'stop', 'restart', 'pause', 'unpause'] as const;

describe('offeredActions', () => {
  it('offers what the status makes sense of, among what is allowed', () => {
    expect(offeredActions('Stopped', ALL)).toEqual(['start']);
    expect(offeredActions('Running', ALL)).toEqual(['stop', 'restart', 'pause']);
    expect(offeredActions('Paused', ALL)).toEqual(['unpause', 'stop', 'restart']);
    expect(offeredActions('Migrating', ALL)).toEqual(['stop', 'restart']);
  });

  it('offers nothing while the VM is on its way, and nothing that is not allowed', () => {
    expect(offeredActions('Starting', ALL)).toEqual([]);
    expect(offeredActions('Stopping', ALL)).toEqual([]);
    expect(offeredActions('Running', [])).toEqual([]);
    expect(offeredActions('Running', ['start', 'restart'])).toEqual(['restart']);
    expect(offeredActions('Stopped', ['stop'])).toEqual([]);
  });
});

describe('needsConfirmation', () => {
  it('asks first for stop and restart only', () => {
    expect(ALL.filter(needsConfirmation)).toEqual(['stop', 'restart']);
  });

  it('names the VM and what happens', () => {
    expect(confirmationText('stop', 'web-1')).toMatchObject({ title: 'Stop web-1?', confirm: 'Stop VM' });
    expect(confirmationText('restart', 'web-1').body).toContain('disconnected');
  });
});

describe('isSettled', () => {
  it('ends start, stop, pause and unpause at their status', () => {
    expect(isSettled('stop', ['Running', 'Stopping'], false)).toBe(false);
    expect(isSettled('stop', ['Running', 'Stopping', 'Stopped'], false)).toBe(true);
    expect(isSettled('start', ['Stopped', 'Starting', 'Running'], false)).toBe(true);
    expect(isSettled('pause', ['Running'], true)).toBe(false);
    expect(isSettled('pause', ['Running', 'Paused'], false)).toBe(true);
    expect(isSettled('unpause', ['Paused', 'Running'], false)).toBe(true);
  });

  it('ends a restart once the VM left Running and is back, or when nothing was seen for long', () => {
    expect(isSettled('restart', ['Running'], false)).toBe(false);
    expect(isSettled('restart', ['Running', 'Stopping', 'Starting'], false)).toBe(false);
    expect(isSettled('restart', ['Running', 'Stopping', 'Starting', 'Running'], false)).toBe(true);
    expect(isSettled('restart', ['Running'], true)).toBe(true);
    expect(isSettled('restart', ['Running', 'Stopping'], true)).toBe(false);
  });
});
