import { describe, expect, it } from 'vitest';
import { Lru } from './lru.ts';

describe('Lru', () => {
  it('never holds more than its capacity', () => {
    const lru = new Lru<number, string>(3);
    for (let i = 0; i < 100; i++) lru.set(i, `v${i}`);
    expect(lru.size).toBe(3);
    expect([97, 98, 99].map((i) => lru.get(i))).toEqual(['v97', 'v98', 'v99']);
    expect(lru.get(96)).toBeUndefined();
  });

  it('forgets the entry used least recently, counting reads as use', () => {
    const lru = new Lru<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    expect(lru.get('a')).toBe(1);
    lru.set('c', 3);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe(1);
    expect(lru.get('c')).toBe(3);
  });

  it('keeps the order right when the newest entry is read again and again', () => {
    const lru = new Lru<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    for (let i = 0; i < 3; i++) expect(lru.get('b')).toBe(2);
    expect(lru.get('a')).toBe(1);
    expect(lru.get('a')).toBe(1);
    lru.set('c', 3);
    expect(lru.get('b')).toBeUndefined();
    expect([lru.get('a'), lru.get('c')]).toEqual([1, 3]);
  });

  it('replaces a value without growing, and deletes', () => {
    const lru = new Lru<string, number>(2);
    lru.set('a', 1);
    lru.set('a', 2);
    expect(lru.size).toBe(1);
    expect(lru.get('a')).toBe(2);
    lru.delete('a');
    expect(lru.get('a')).toBeUndefined();
  });

  it('holds nothing with capacity 0', () => {
    const lru = new Lru<string, number>(0);
    lru.set('a', 1);
    expect(lru.size).toBe(0);
    expect(lru.get('a')).toBeUndefined();
  });
});
