import type { OnReadOpts } from 'node:net';

const largeSize = 64 * 1024;
const smallSize = 2 * 1024;
const largeKeptFree = 64;

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
 * relay's biggest cost. A buffer is read into again only once nothing holds
 * it: a write that did not leave at once keeps its bytes in the buffer, so the
 * consumer says so with `retain()` and that buffer is parked until `release()`.
 */
export class PooledReader {
  /** Where the bytes go; valid only during the call. Returning false stops reading until the socket is resumed. */
  onData: (chunk: Buffer) => boolean = () => true;

  private large: Buffer | undefined;
  private next: Buffer = sharedSmall;
  private retained = false;
  private readonly parked: Buffer[] = [];

  readonly onread: OnReadOpts = {
    buffer: () => this.next,
    callback: (length, buffer) => this.read(length, buffer as Buffer),
  };

  /** The chunk just given to `onData` is still referenced by a pending write. */
  retain(): void {
    this.retained = true;
  }

  /** Every pending write has left the socket: parked buffers can be read into again. */
  release(): void {
    for (const buffer of this.parked) giveLarge(buffer);
    this.parked.length = 0;
  }

  /** The socket is gone: its large buffer goes back to the pool (parked ones stay with their writes). */
  dispose(): void {
    if (this.large) giveLarge(this.large);
    this.large = undefined;
    this.next = sharedSmall;
  }

  private read(length: number, buffer: Buffer): boolean {
    this.retained = false;
    const small = buffer === sharedSmall;
    const go = this.onData(small ? Buffer.from(buffer.subarray(0, length)) : buffer.subarray(0, length));
    if (this.retained && buffer === this.large) {
      this.parked.push(buffer);
      this.large = undefined;
    }
    // Streaming (the small buffer filled, or the large one got more than a trickle): read large; otherwise small.
    const streaming = small ? length === smallSize : length >= smallSize;
    if (streaming) {
      this.large ??= takeLarge();
      this.next = this.large;
    } else {
      if (this.large) giveLarge(this.large);
      this.large = undefined;
      this.next = sharedSmall;
    }
    return go;
  }
}
