import { describe, expect, it } from 'vitest';
import { completesLeaveChord } from './leave-console.ts';

const press = (key: string, mods: { ctrl?: boolean; alt?: boolean; shift?: boolean; meta?: boolean }) => ({
  key, ctrlKey: mods.ctrl ?? false, altKey: mods.alt ?? false, shiftKey: mods.shift ?? false, metaKey: mods.meta ?? false,
});

describe('completesLeaveChord', () => {
  it('fires on the last of Ctrl, Alt and Shift, in any order', () => {
    expect(completesLeaveChord(press('Shift', { ctrl: true, alt: true, shift: true }))).toBe(true);
    expect(completesLeaveChord(press('Control', { ctrl: true, alt: true, shift: true }))).toBe(true);
    expect(completesLeaveChord(press('Alt', { ctrl: true, alt: true, shift: true }))).toBe(true);
  });

  it('leaves every other key to the VM, Ctrl-Alt-Del and Tab included', () => {
    expect(completesLeaveChord(press('Alt', { ctrl: true, alt: true }))).toBe(false);
    expect(completesLeaveChord(press('Delete', { ctrl: true, alt: true }))).toBe(false);
    expect(completesLeaveChord(press('Tab', {}))).toBe(false);
    expect(completesLeaveChord(press('T', { ctrl: true, alt: true, shift: true }))).toBe(false);
    expect(completesLeaveChord(press('Shift', { ctrl: true, alt: true, shift: true, meta: true }))).toBe(false);
  });
});
