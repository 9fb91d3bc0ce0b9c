import { describe, expect, it } from 'vitest';
import { ReadArena } from '../bench/lib/read-arena.ts';

/** A fixed sequence of read sizes from 0 to `max`, short and full reads among them. */
function readSizes(count: number, max: number): number[] {
  let seed = 12345;
  return Array.from({ length: count }, () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % (max + 1);
  });
}

describe('the bench read arena', () => {
  it('leaves every byte as it was read while the next `keepsBytes` bytes are read, and reads into the same memory again', () => {
    const readSize = 16;
    const arena = new ReadArena(80, readSize);
    expect(arena.keepsBytes).toBe(64);
    /** Each read so far: where it went, and the stream offset of its first byte (each byte holds its offset, mod 251). */
    const reads: Array<{ view: Buffer; streamStart: number }> = [];
    const memory = new Set<ArrayBufferLike>();
    let total = 0;
    const overwritten: number[] = [];
    // First the worst case: back to the front with as little left behind as allowed (65 of 80 bytes filled),
    // then reads from the front, the last of which ends on the 65th byte: 65 bytes after it, counting that read.
    const worst = [16, 16, 16, 16, 1, 16, 16, 16, 1, 16];
    for (const size of [...worst, ...readSizes(5000, readSize)]) {
      const target = arena.next();
      expect(target.length).toBe(readSize);
      memory.add(target.buffer);
      for (let i = 0; i < size; i++) target[i] = (total + i) % 251;
      arena.filled(size);
      reads.push({ view: target.subarray(0, size), streamStart: total });
      total += size;
      // Every byte after which at most `keepsBytes` bytes have been read is still the one read there.
      const oldestKept = total - 1 - arena.keepsBytes;
      for (let r = reads.length - 1; r >= 0 && reads[r]!.streamStart + reads[r]!.view.length > oldestKept; r--) {
        const { view, streamStart } = reads[r]!;
        for (let i = Math.max(0, oldestKept - streamStart); i < view.length; i++) {
          if (view[i] !== (streamStart + i) % 251) overwritten.push(streamStart + i);
        }
      }
    }
    expect(overwritten).toEqual([]);
    // 5,000 reads went into the one allocation, and earlier bytes were indeed read over.
    expect(memory.size).toBe(1);
    const first = reads.find((r) => r.view.length > 0)!;
    expect(first.view.equals(Buffer.from(first.view.map((_, i) => (first.streamStart + i) % 251)))).toBe(false);
  });

  it('refuses a read longer than its read buffer, and a size that does not hold two reads', () => {
    const arena = new ReadArena(32, 16);
    expect(() => arena.filled(17)).toThrow('a read of 17 bytes into a 16-byte read buffer');
    expect(() => new ReadArena(31, 16)).toThrow('a read arena must hold at least two reads (32 bytes), not 31');
    expect(() => new ReadArena(32, 0)).toThrow("a read arena's read size must be a positive whole number, not 0");
  });
});
