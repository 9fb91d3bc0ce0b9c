import { describe, expect, it } from 'vitest';
import { PooledReader } from './pooled-reader.ts';

type Read = { data: Buffer; into: Buffer };

/** Plays a socket's reads into `reader` as Node does: fill `length` bytes of the buffer it gave, call back, then ask for the next buffer. */
function socketFor(reader: PooledReader) {
  const nextBuffer = reader.onread.buffer as () => Buffer;
  let next = nextBuffer();
  return {
    read(length: number, fill: number, during: (chunk: Buffer) => void = () => undefined): Read {
      const into = next;
      into.fill(fill, 0, length);
      let data!: Buffer;
      reader.onData = (chunk) => {
        data = chunk;
        during(chunk);
        return true;
      };
      reader.onread.callback(length, into);
      next = nextBuffer();
      return { data, into };
    },
  };
}

/** A socket whose first read filled the small buffer: the reader now reads into a large one. */
function streamingSocket(reader: PooledReader) {
  const socket = socketFor(reader);
  socket.read(2048, 0);
  return socket;
}

describe('PooledReader', () => {
  it('reads behind held bytes in the same buffer, and leaves them as they were', () => {
    const reader = new PooledReader();
    const socket = streamingSocket(reader);
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
    const socket = streamingSocket(reader);
    const first = socket.read(16 * 1024, 1);
    const second = socket.read(16 * 1024, 2);
    expect(second.into.buffer).toBe(first.into.buffer);
    expect(second.into.byteOffset).toBe(first.into.byteOffset);
  });

  it('parks a buffer that has no room left behind its held bytes, and gives it back once released', () => {
    const reader = new PooledReader();
    const socket = streamingSocket(reader);
    const reads = [1, 2, 3, 4].map((fill) => socket.read(16 * 1024, fill, () => reader.retain()));
    const next = socket.read(16 * 1024, 5, () => reader.retain());
    expect(next.into.buffer).not.toBe(reads[0]!.into.buffer);
    reads.forEach((read, i) => expect(read.data.every((b) => b === i + 1)).toBe(true));
    reader.release();
    // Released (outside a read: the next read already has its place), the buffer is read into from its start after that read.
    expect(socket.read(16 * 1024, 6).into.byteOffset).toBe(16 * 1024);
    expect(socket.read(16 * 1024, 7).into.byteOffset).toBe(0);
  });

  it('frees what was held when released during a read, keeping the chunk being read if it is retained after', () => {
    const reader = new PooledReader();
    const socket = streamingSocket(reader);
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

  it('takes no buffer for a reader disposed during a read, and keeps what was retained then', () => {
    const reader = new PooledReader();
    const socket = streamingSocket(reader);
    const last = socket.read(16 * 1024, 1, () => {
      reader.retain();
      reader.dispose();
    });
    expect((reader.onread.buffer as () => Buffer)()).not.toBe(last.into);
    expect(last.data.every((b) => b === 1)).toBe(true);
  });

  it('holds what was retained even when the consumer throws', () => {
    const reader = new PooledReader();
    const socket = streamingSocket(reader);
    expect(() => socket.read(16 * 1024, 1, () => {
      reader.retain();
      throw new Error('consumer failed');
    })).toThrow('consumer failed');
    expect((reader.onread.buffer as () => Buffer)().byteOffset).toBe(16 * 1024);
  });
});
