import { describe, expect, it } from 'vitest';
import { FramePool } from './frame-pool.ts';
import { encodeServerFrame } from './frames.ts';

const parts = (size: number, fill: number) => [Buffer.from([0, 0, 0, 1]), Buffer.alloc(size, fill)];

describe('FramePool', () => {
  it('frames exactly as encodeServerFrame does', () => {
    const pool = new FramePool();
    for (const size of [10, 200, 70_000, 300_000]) {
      const frame = pool.frame(parts(size, 7));
      expect(frame.bytes.equals(encodeServerFrame(parts(size, 7)))).toBe(true);
      frame.release();
    }
  });

  it('reuses a buffer once the fan-out released it and every write of it has left', () => {
    const pool = new FramePool();
    const first = pool.frame(parts(100_000, 1));
    const writes = [first.written(), first.written()];
    first.release();
    writes[0]!();
    expect(pool.kept).toBe(0);
    writes[1]!();
    expect(pool.kept).toBe(128 * 1024);
    const second = pool.frame(parts(90_000, 2));
    expect(second.bytes.buffer).toBe(first.bytes.buffer);
    expect(pool.kept).toBe(0);
  });

  it('never hands out a buffer a write still holds', () => {
    const pool = new FramePool();
    const first = pool.frame(parts(100_000, 1));
    const pending = first.written();
    first.release();
    const second = pool.frame(parts(100_000, 2));
    expect(second.bytes.buffer).not.toBe(first.bytes.buffer);
    expect(first.bytes.equals(encodeServerFrame(parts(100_000, 1)))).toBe(true);
    pending();
    expect(pool.kept).toBe(128 * 1024);
  });

  it('counts a write callback called twice once', () => {
    const pool = new FramePool();
    const frame = pool.frame(parts(100_000, 1));
    const one = frame.written();
    const two = frame.written();
    frame.release();
    one();
    one();
    expect(pool.kept).toBe(0);
    two();
    expect(pool.kept).toBe(128 * 1024);
  });

  it('leaves small and very large frames to Node, and keeps a bounded number of bytes free', () => {
    const pool = new FramePool({ maxPooled: 1024 * 1024, maxKeptBytes: 300 * 1024 });
    for (const size of [100, 2 * 1024 * 1024]) {
      const frame = pool.frame(parts(size, 3));
      frame.release();
      expect(pool.kept).toBe(0);
    }
    const frames = [1, 2, 3].map((fill) => pool.frame(parts(100_000, fill)));
    for (const frame of frames) frame.release();
    expect(pool.kept).toBe(256 * 1024);
  });
});
