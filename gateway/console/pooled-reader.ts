import type { OnReadOpts } from 'node:net';

const largeSize = 64 * 1024;
const smallSize = 2 * 1024;
const largeKeptFree = 64;
// A held buffer with less room than this left behind its held bytes is parked and a fresh one
// read into: a TLS socket hands over one record (16 KiB) per read.
const minRoom = 16 * 1024;

// Large read buffers shared by every console in the process: a console takes one
// while its screen streams and gives it back when it idles.
const freeLarge: Buffer[] = [];
const takeLarge = (): Buffer => freeLarge.pop() ?? Buffer.allocUnsafeSlow(largeSize);
const giveLarge = (buffer: Buffer): void => {
  if (freeLarge.length < largeKeptFree) freeLarge.push(buffer);
};
// And one small buffer for every idle console to read into, so an idle console owns
// no read buffer at all. A read that lands in it is copied before it is handed on
// (idle reads are few and small): the next console's read overwrites it, and a
// write may still hold the bytes.
const sharedSmall = Buffer.allocUnsafeSlow(smallSize);

/**
 * Reads a socket into reused buffers (`net.connect`'s `onread`) instead of a
 * fresh allocation per read, which is what made the garbage collector the
 * relay's biggest cost. Bytes still referenced after their read (a write that
 * did not leave at once, a message still being cut) are held: the consumer
 * says so with `retain()`, later reads go behind them in the same buffer, a
 * buffer with no room left is parked, and `release()` frees everything held.
 */
export class PooledReader {
  /** Where the bytes go; valid only during the call. Returning false stops reading until the socket is resumed. */
  onData: (chunk: Buffer) => boolean = () => true;

  private large: Buffer | undefined;
  /** Bytes of `large` before this offset are held; reads go behind them. */
  private held = 0;
  private reading = false;
  private disposed = false;
  private retained = false;
  private releasedInRead = false;
  private readonly parked: Buffer[] = [];

  readonly onread: OnReadOpts = {
    buffer: () => (this.large ? this.large.subarray(this.held) : sharedSmall),
    callback: (length, buffer) => this.read(length, buffer as Buffer),
  };

  /** The chunk just given to `onData` is still referenced (by a pending write, or a parser). */
  retain(): void {
    this.retained = true;
  }

  /** Nothing references earlier chunks any more: every buffer holding them can be read into again. */
  release(): void {
    for (const buffer of this.parked) giveLarge(buffer);
    this.parked.length = 0;
    // During a read, the chunk being read may still be retained after this.
    if (this.reading) this.releasedInRead = true;
    else this.held = 0;
  }

  /** The socket is gone: its large buffer goes back to the pool unless something holds it (parked ones stay with their holders). */
  dispose(): void {
    this.disposed = true;
    if (this.large && this.held === 0 && !this.reading) giveLarge(this.large);
    this.large = undefined;
    this.held = 0;
  }

  private read(length: number, buffer: Buffer): boolean {
    const small = buffer === sharedSmall;
    this.retained = false;
    this.releasedInRead = false;
    this.reading = true;
    let go = false;
    try {
      go = this.onData(small ? Buffer.from(buffer.subarray(0, length)) : buffer.subarray(0, length));
    } finally {
      this.reading = false;
      // Worked out even when onData threw: what it retained is held all the same.
      if (!small && this.large && buffer.buffer === this.large.buffer) {
        if (this.retained) this.held = buffer.byteOffset - this.large.byteOffset + length;
        else if (this.releasedInRead) this.held = 0;
      }
    }
    // Disposed during the read (the socket is gone): a held buffer stays with its holders, nothing new is taken.
    if (this.disposed) {
      this.large = undefined;
      return go;
    }
    // Streaming (the small buffer filled, or the large one got more than a trickle): read large; otherwise small.
    const streaming = small ? length === smallSize : length >= smallSize;
    if (this.large && (!streaming || this.large.length - this.held < minRoom)) {
      if (this.held > 0) this.parked.push(this.large);
      else giveLarge(this.large);
      this.large = undefined;
      this.held = 0;
    }
    if (streaming) this.large ??= takeLarge();
    return go;
  }
}
