/**
 * Bytes arriving in arbitrary chunks, read back as exact lengths: what an RFB
 * client needs, since the protocol has no framing of its own. `fail` (or `end`)
 * rejects the pending and every later read.
 */
export class ByteQueue {
  private buffered = Buffer.alloc(0);
  private waiter: { length: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  push(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    this.settle();
  }

  end(): void {
    this.fail(new Error(`stream ended with ${this.buffered.length} unread bytes`));
  }

  fail(error: Error): void {
    this.failure ??= error;
    this.settle();
  }

  read(length: number): Promise<Buffer> {
    if (this.waiter) return Promise.reject(new Error('ByteQueue supports one read at a time'));
    return new Promise((resolve, reject) => {
      this.waiter = { length, resolve, reject };
      this.settle();
    });
  }

  private settle(): void {
    const waiter = this.waiter;
    if (!waiter) return;
    if (this.buffered.length >= waiter.length) {
      this.waiter = undefined;
      const out = this.buffered.subarray(0, waiter.length);
      this.buffered = this.buffered.subarray(waiter.length);
      waiter.resolve(out);
    } else if (this.failure) {
      this.waiter = undefined;
      waiter.reject(this.failure);
    }
  }
}
