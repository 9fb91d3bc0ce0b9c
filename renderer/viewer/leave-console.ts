// Every key pressed in the VM console goes to the VM, Tab included, so the
// keyboard needs one way out that no VM needs: Ctrl+Alt+Shift pressed together
// (Apache Guacamole's choice, for the same reason). It moves the focus to the
// console's toolbar.

/** As aria-keyshortcuts spells it. */
export const LEAVE_CONSOLE_SHORTCUT = 'Control+Alt+Shift';

/** How a person reads it. */
export const LEAVE_CONSOLE_WORDS = 'Ctrl+Alt+Shift';

export interface ChordEvent {
  key: string;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
}

/**
 * The chord's keys on either side, as noVNC sends them (X keysym, DOM code): the
 * first two of the three reached the VM as key presses before the chord was
 * complete, and noVNC releases held keys only when the window loses focus.
 * Releasing a key that is not down is a no-op for a VNC server.
 */
export const CHORD_KEYS: ReadonlyArray<{ keysym: number; code: string }> = [
  { keysym: 0xffe3, code: 'ControlLeft' },
  { keysym: 0xffe4, code: 'ControlRight' },
  { keysym: 0xffe9, code: 'AltLeft' },
  { keysym: 0xffea, code: 'AltRight' },
  { keysym: 0xffe1, code: 'ShiftLeft' },
  { keysym: 0xffe2, code: 'ShiftRight' },
];

/** True on the key press that completes Ctrl+Alt+Shift, whichever of the three comes last. */
export function completesLeaveChord(event: ChordEvent): boolean {
  return event.ctrlKey && event.altKey && event.shiftKey && !event.metaKey && (event.key === 'Control' || event.key === 'Alt' || event.key === 'Shift');
}
