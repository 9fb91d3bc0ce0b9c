import { describe, expect, it } from 'vitest';
import { RingBuffer } from './ring-buffer.ts';

const bytes = (from: number, count: number): Buffer => Buffer.from(Array.from({ length: count }, (_, i) => (from + i) & 0xff));

describe('the serial console ring buffer', () => {
  it('keeps everything while it fits, in order', () => {
    const ring = new RingBuffer(16);
    ring.append(Buffer.from('login: '));
    ring.append(Buffer.from('root'));
    expect(ring.contents().toString()).toBe('login: root');
    expect(ring.length).toBe(11);
  });

  it('keeps only the newest bytes once it wraps, across many writes of every size', () => {
    const ring = new RingBuffer(10);
    const all: Buffer[] = [];
    let next = 0;
    for (const size of [3, 7, 1, 9, 10, 4, 25, 2, 0, 6]) {
      const chunk = bytes(next, size);
      next += size;
      all.push(chunk);
      ring.append(chunk);
      const written = Buffer.concat(all);
      expect(ring.contents()).toEqual(written.subarray(Math.max(0, written.length - 10)));
    }
  });

  it('copies what it is given: a buffer reused by the caller does not change what is kept', () => {
    const ring = new RingBuffer(8);
    const reused = Buffer.from('abcd');
    ring.append(reused);
    reused.fill(0x7a);
    expect(ring.contents().toString()).toBe('abcd');
    const out = ring.contents();
    out.fill(0x7a);
    expect(ring.contents().toString()).toBe('abcd');
  });

  it('refuses a capacity that could hold nothing', () => {
    expect(() => new RingBuffer(0)).toThrow(/positive whole capacity/);
    expect(() => new RingBuffer(2.5)).toThrow(/positive whole capacity/);
  });
});
