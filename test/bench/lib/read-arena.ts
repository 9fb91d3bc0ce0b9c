// Where a socket read with `onread` puts its bytes: one buffer, allocated once,
// filled from front to back and then from the front again. A reader that
// receives 150 MB/s into fresh 64 KiB buffers makes that much garbage; this
// makes none, and each read's bytes stay as they are for a known while after
// it — long enough for a parser that holds the last few bytes of a stream
// across reads (a header split between two reads).

export class ReadArena {
  private readonly arena: Buffer;
  private offset = 0;

  /** `size` bytes in all, at most `readSize` of them for one read. */
  constructor(size: number, private readonly readSize: number) {
    if (!Number.isInteger(readSize) || readSize <= 0) throw new Error(`a read arena's read size must be a positive whole number, not ${readSize}`);
    if (!Number.isInteger(size) || size < 2 * readSize) throw new Error(`a read arena must hold at least two reads (${2 * readSize} bytes), not ${size}`);
    this.arena = Buffer.allocUnsafe(size);
  }

  /**
   * A byte stays as it was read while at most this many bytes are read after it (the read that would
   * overwrite it included): the front is read into again only once fewer than `readSize` bytes are left behind.
   */
  get keepsBytes(): number {
    return this.arena.length - this.readSize;
  }

  /** Where the next read goes (`onread`'s `buffer`). */
  next(): Buffer {
    return this.arena.subarray(this.offset, this.offset + this.readSize);
  }

  /** The read into `next()` took `count` bytes: the next one goes behind them, or to the front when too little room is left behind. */
  filled(count: number): void {
    if (!Number.isInteger(count) || count < 0 || count > this.readSize) throw new Error(`a read of ${count} bytes into a ${this.readSize}-byte read buffer`);
    this.offset += count;
    if (this.offset + this.readSize > this.arena.length) this.offset = 0;
  }
}
