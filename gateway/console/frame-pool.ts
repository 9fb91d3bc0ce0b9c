import { encodeServerFrame } from './frames.ts';

/**
 * A frame written to several viewers. Its buffer goes back to the pool once
 * the fan-out is done with it (`release`) and every write given a `written`
 * callback has left its socket.
 */
export interface SharedFrame {
  readonly bytes: Buffer;
  /** A one-shot callback for one write of `bytes` (a socket write's callback). */
  written(): () => void;
  /** The fan-out holds the frame no longer. */
  release(): void;
}

export interface FramePoolOptions {
  /** Frames smaller than this come from Node's own allocator (its small-buffer slab): pooling them saves nothing. */
  minPooled?: number;
  /** Frames larger than this are not pooled. */
  maxPooled?: number;
  /** Free buffers kept, in bytes, across all sizes. */
  maxKeptBytes?: number;
}

const defaults = { minPooled: 16 * 1024, maxPooled: 8 * 1024 * 1024, maxKeptBytes: 8 * 1024 * 1024 };

/**
 * Reused buffers for the frames a shared console writes to its viewers. A
 * streaming screen sends a few hundred KiB thirty times a second; a fresh
 * buffer each time is memory outside V8's heap that only a full collection
 * gives back, and those full collections were the tail of every viewer's
 * latency. Buffers are kept by power-of-two size, a bounded number of bytes
 * in all, so an idle gateway keeps little.
 */
export class FramePool {
  private readonly free = new Map<number, Buffer[]>();
  private keptBytes = 0;
  private readonly options: Required<FramePoolOptions>;

  constructor(options: FramePoolOptions = {}) {
    this.options = { ...defaults, ...options };
  }

  /** Bytes kept free for reuse. */
  get kept(): number {
    return this.keptBytes;
  }

  /** One unmasked binary frame whose payload is `parts` in order. */
  frame(parts: readonly Buffer[]): SharedFrame {
    const length = parts.reduce((sum, part) => sum + part.length, 0);
    const size = sizeClass(length + 14);
    if (size < this.options.minPooled || size > this.options.maxPooled) return unpooled(encodeServerFrame(parts));
    const buffer = this.take(size);
    const bytes = encodeServerFrame(parts, (n) => buffer.subarray(0, n));
    let holders = 1;
    const drop = (): void => {
      holders -= 1;
      if (holders === 0) this.give(buffer);
    };
    return {
      bytes,
      written: () => {
        holders += 1;
        let called = false;
        return () => {
          if (called) return;
          called = true;
          drop();
        };
      },
      release: drop,
    };
  }

  private take(size: number): Buffer {
    const buffer = this.free.get(size)?.pop();
    if (!buffer) return Buffer.allocUnsafeSlow(size);
    this.keptBytes -= size;
    return buffer;
  }

  private give(buffer: Buffer): void {
    if (this.keptBytes + buffer.length > this.options.maxKeptBytes) return;
    const list = this.free.get(buffer.length) ?? [];
    list.push(buffer);
    this.free.set(buffer.length, list);
    this.keptBytes += buffer.length;
  }
}

function sizeClass(length: number): number {
  return 2 ** Math.ceil(Math.log2(length));
}

function unpooled(bytes: Buffer): SharedFrame {
  const nothing = (): void => undefined;
  return { bytes, written: () => nothing, release: nothing };
}
