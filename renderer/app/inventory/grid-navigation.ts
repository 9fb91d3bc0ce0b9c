// Keyboard movement through the VM grid: which row is active after a key press.
// The active row is an index into the shown rows; -1 means none.

export type GridMove = { kind: 'move'; index: number } | { kind: 'open'; index: number } | { kind: 'search' } | { kind: 'ignore' };

/** What a key does in a grid of `count` rows with `pageSize` rows visible. */
export function gridKey(key: string, active: number, count: number, pageSize: number): GridMove {
  if (key === '/') return { kind: 'search' };
  if (count === 0) return { kind: 'ignore' };
  const page = Math.max(1, pageSize - 1);
  const clamp = (index: number) => Math.min(count - 1, Math.max(0, index));
  const from = active < 0 || active >= count ? -1 : active;
  switch (key) {
    case 'ArrowDown': return { kind: 'move', index: from < 0 ? 0 : clamp(from + 1) };
    case 'ArrowUp': return { kind: 'move', index: from < 0 ? 0 : clamp(from - 1) };
    case 'PageDown': return { kind: 'move', index: clamp(from + page) };
    case 'PageUp': return { kind: 'move', index: clamp(from - page) };
    case 'Home': return { kind: 'move', index: 0 };
    case 'End': return { kind: 'move', index: count - 1 };
    // Space as well: on the focused grid it would only scroll the page, and it is how a grid row is chosen.
    case 'Enter':
    case ' ':
      return from < 0 ? { kind: 'ignore' } : { kind: 'open', index: from };
    default: return { kind: 'ignore' };
  }
}

/** Keeps the same VM active when the shown rows change, else the nearest position. */
export function followActive(previousKey: string | undefined, previousIndex: number, keys: readonly string[]): number {
  if (keys.length === 0) return -1;
  if (previousKey !== undefined) {
    const found = keys.indexOf(previousKey);
    if (found >= 0) return found;
  }
  return previousIndex < 0 ? -1 : Math.min(previousIndex, keys.length - 1);
}
