import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inTurn } from './in-turn.ts';

describe('inTurn', () => {
  it('starts one further along each turn and wraps round', () => {
    expect([0, 1, 2, 3, 4].map((turn) => inTurn(['a', 'b', 'c'], turn).join(''))).toEqual(['abc', 'bca', 'cab', 'abc', 'bca']);
    expect(inTurn([], 7)).toEqual([]);
  });

  it('keeps every item once, and over as many turns as items puts each in every place once', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.integer(), { minLength: 1, maxLength: 30 }), fc.nat(1000), (items, start) => {
      const rounds = items.map((_, i) => inTurn(items, start + i));
      for (const round of rounds) expect([...round].sort()).toEqual([...items].sort());
      for (let place = 0; place < items.length; place++) expect(new Set(rounds.map((round) => round[place])).size).toBe(items.length);
    }));
  });
});
