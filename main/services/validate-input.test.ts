import { describe, expect, it } from 'vitest';
import { DesktopFailure } from './errors.ts';
import { requireConsoleKind, requireConsoleKinds } from './validate-input.ts';

const failure = (run: () => unknown): DesktopFailure => {
  try {
    run();
  } catch (error) {
    if (error instanceof DesktopFailure) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('requireConsoleKind', () => {
  it('takes the two consoles a VM has', () => {
    expect(requireConsoleKind('vnc', 'the console')).toBe('vnc');
    expect(requireConsoleKind('serial', 'the console')).toBe('serial');
  });

  it('refuses anything else in words, naming what is allowed', () => {
    for (const value of ['console', 'VNC', '', 'usbredir', 1, null, undefined, ['vnc']]) {
      const refusal = failure(() => requireConsoleKind(value, 'the console'));
      expect(refusal.code).toBe('invalid-input');
      expect(refusal.message).toMatch(/^the console must be "vnc" or "serial", not /);
    }
  });

  it('does not echo a long value back', () => {
    expect(failure(() => requireConsoleKind('x'.repeat(5000), 'the console')).message.length).toBeLessThan(120);
  });
});

describe('requireConsoleKinds', () => {
  it('returns the kinds screen first, whatever order they came in', () => {
    expect(requireConsoleKinds(['vnc'], 'the consoles')).toEqual(['vnc']);
    expect(requireConsoleKinds(['serial'], 'the consoles')).toEqual(['serial']);
    expect(requireConsoleKinds(['serial', 'vnc'], 'the consoles')).toEqual(['vnc', 'serial']);
  });

  it('refuses an empty list', () => {
    const refusal = failure(() => requireConsoleKinds([], 'the consoles'));
    expect(refusal).toMatchObject({ code: 'invalid-input' });
    expect(refusal.message).toMatch(/the consoles is empty: a link must open at least one console/);
  });

  it('refuses an unknown kind, a repeated kind, too many and a non-list', () => {
    expect(failure(() => requireConsoleKinds(['vnc', 'rdp'], 'the consoles')).message).toMatch(/"rdp"/);
    expect(failure(() => requireConsoleKinds(['serial', 'serial'], 'the consoles')).message).toBe('the consoles lists "serial" twice');
    expect(failure(() => requireConsoleKinds(['vnc', 'serial', 'vnc'], 'the consoles')).message).toMatch(/lists 3 consoles; a VM has 2/);
    expect(failure(() => requireConsoleKinds('vnc', 'the consoles')).message).toMatch(/must be a list/);
    expect(failure(() => requireConsoleKinds({ 0: 'vnc', length: 1 }, 'the consoles')).code).toBe('invalid-input');
  });
});
