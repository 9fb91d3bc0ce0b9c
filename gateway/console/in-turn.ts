/**
 * `items` starting at the `turn`-th (counted round) and wrapping: called with
 * 0, 1, 2… each item is first once in every `items.length` turns, and last as
 * often. A shared console writes an update to its viewers one after the other,
 * and whoever is written to last reads it latest; no viewer should always be
 * that one.
 */
export function inTurn<T>(items: readonly T[], turn: number): T[] {
  if (items.length === 0) return [];
  const first = turn % items.length;
  return [...items.slice(first), ...items.slice(0, first)];
}
