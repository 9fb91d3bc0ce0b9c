import { describe, expect, it } from 'vitest';
import { PooledReader } from './pooled-reader.ts';

type Read = { data: Buffer; into: Buffer };

/** Plays a socket's reads into `reader` as Node does: ask for a buffer, fill `length` bytes of it, call back. */
function socketFor(reader: PooledReader) {
  const nextBuffer = reader.onread.buffer as () => Buffer;
  return {
    read(length: number, fill: number, during: (chunk: Buffer) => void = () => undefined): Read {
      const into = nextBuffer();
      into.fill(fill, 0, length);
      let data!: Buffer;
      reader.onData = (chunk) => {
        data = chunk;
        during(chunk);
        return true;
      };
      reader.onread.callback(length, into);
      return { data, into };
    },
  };
}

const streamingStart = (reader: PooledReader) => socketFor(reader).read(2048, 0);

describe('PooledReader', () => {
  it('reads behind held bytes in the same buffer, and leaves them as they were', () => {
    const reader = new PooledReader();
    const socket = socketFor(reader);
    streamingStart(reader);
    const first = socket.read(16 * 1024, 1, () => reader.retain());
    const second = socket.read(16 * 1024, 2, () => reader.retain());
    expect(second.into.buffer).toBe(first.into.buffer);
    expect(second.into.byteOffset).toBe(first.into.byteOffset + 16 * 1024);
    socket.read(16 * 1024, 3);
    expect(first.data.every((b) => b === 1)).toBe(true);
    expect(second.data.every((b) => b === 2)).toBe(true);
  });

  it('reads over bytes nobody held', () => {
    const reader = new PooledReader();
    const socket = socketFor(reader);
    streamingStart(reader);
    const first = socket.read(16 * 1024, 1);
    const second = socket.read(16 * 1024, 2);
    expect(second.into.buffer).toBe(first.into.buffer);
    expect(second.into.byteOffset).toBe(first.into.byteOffset);
  });

  it('parks a buffer that has no room left behind its held bytes, and gives it back once released', () => {
    const reader = new PooledReader();
    const socket = socketFor(reader);
    streamingStart(reader);
    const reads = [1, 2, 3, 4].map((fill) => socket.read(16 * 1024, fill, () => reader.retain()));
    const next = socket.read(16 * 1024, 5, () => reader.retain());
    expect(next.into.buffer).not.toBe(reads[0]!.into.buffer);
    reads.forEach((read, i) => expect(read.data.every((b) => b === i + 1)).toBe(true));
    reader.release();
    // Released, the current buffer is read into from its start again.
    expect(socket.read(16 * 1024, 6).into.byteOffset).toBe(0);
  });

  it('frees what was held when released during a read, keeping the chunk being read if it is retained after', () => {
    const reader = new PooledReader();
    const socket = socketFor(reader);
    streamingStart(reader);
    socket.read(16 * 1024, 1, () => reader.retain());
    const second = socket.read(16 * 1024, 2, () => {
      reader.release();
      reader.retain();
    });
    const third = socket.read(8 * 1024, 3, () => reader.release());
    expect(third.into.byteOffset).toBe(second.into.byteOffset + 16 * 1024);
    expect(second.data.every((b) => b === 2)).toBe(true);
    expect(socket.read(8 * 1024, 4).into.byteOffset).toBe(0);
  });

  it('copies what lands in the small buffer idle consoles share', () => {
    const reader = new PooledReader();
    const socket = socketFor(reader);
    const read = socket.read(100, 9);
    expect(read.data.buffer).not.toBe(read.into.buffer);
    expect(read.data.every((b) => b === 9)).toBe(true);
  });
});
