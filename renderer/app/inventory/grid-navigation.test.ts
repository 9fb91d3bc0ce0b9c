import { describe, expect, it } from 'vitest';
import { followActive, gridKey } from './grid-navigation.ts';

describe('gridKey', () => {
  it('moves with the arrows within bounds', () => {
    expect(gridKey('ArrowDown', -1, 5, 10)).toEqual({ kind: 'move', index: 0 });
    expect(gridKey('ArrowDown', 2, 5, 10)).toEqual({ kind: 'move', index: 3 });
    expect(gridKey('ArrowDown', 4, 5, 10)).toEqual({ kind: 'move', index: 4 });
    expect(gridKey('ArrowUp', 0, 5, 10)).toEqual({ kind: 'move', index: 0 });
    expect(gridKey('ArrowUp', 3, 5, 10)).toEqual({ kind: 'move', index: 2 });
  });

  it('pages by one row less than is visible, and jumps to the ends', () => {
    expect(gridKey('PageDown', 0, 100, 11)).toEqual({ kind: 'move', index: 10 });
    expect(gridKey('PageUp', 15, 100, 11)).toEqual({ kind: 'move', index: 5 });
    expect(gridKey('PageUp', 3, 100, 11)).toEqual({ kind: 'move', index: 0 });
    expect(gridKey('PageDown', 95, 100, 11)).toEqual({ kind: 'move', index: 99 });
    expect(gridKey('Home', 50, 100, 11)).toEqual({ kind: 'move', index: 0 });
    expect(gridKey('End', 0, 100, 11)).toEqual({ kind: 'move', index: 99 });
  });

  it('opens the active row on Enter or Space, and nothing when none is active', () => {
    expect(gridKey('Enter', 3, 5, 10)).toEqual({ kind: 'open', index: 3 });
    expect(gridKey(' ', 3, 5, 10)).toEqual({ kind: 'open', index: 3 });
    expect(gridKey(' ', -1, 5, 10)).toEqual({ kind: 'ignore' });
    expect(gridKey('Enter', -1, 5, 10)).toEqual({ kind: 'ignore' });
    expect(gridKey('Enter', 7, 5, 10)).toEqual({ kind: 'ignore' });
  });

  it('focuses the search on "/" even in an empty grid, and ignores other keys', () => {
    expect(gridKey('/', -1, 0, 10)).toEqual({ kind: 'search' });
    expect(gridKey('ArrowDown', -1, 0, 10)).toEqual({ kind: 'ignore' });
    expect(gridKey('x', 1, 5, 10)).toEqual({ kind: 'ignore' });
  });
});

describe('followActive', () => {
  it('follows the active VM to its new position', () => {
    expect(followActive('b', 1, ['c', 'a', 'b'])).toBe(2);
  });

  it('stays near the old position when the VM is gone', () => {
    expect(followActive('gone', 5, ['a', 'b'])).toBe(1);
    expect(followActive('gone', 0, ['a', 'b'])).toBe(0);
    expect(followActive(undefined, -1, ['a'])).toBe(-1);
    expect(followActive('a', 0, [])).toBe(-1);
  });
});
