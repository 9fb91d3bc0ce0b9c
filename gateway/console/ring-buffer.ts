/**
 * The last `capacity` bytes written, for a viewer that joins a serial console
 * late: it sees the current screen (the prompt, the last lines), not a blank
 * one. A fixed allocation, overwritten in place, so a chatty console costs no
 * garbage per write.
 */
export class RingBuffer {
  private readonly bytes: Buffer;
  /** Where the next byte goes. */
  private end = 0;
  private filled = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new RangeError(`a ring buffer needs a positive whole capacity, not ${capacity}`);
    this.bytes = Buffer.alloc(capacity);
  }

  get length(): number {
    return this.filled;
  }

  /** Copies `data` in (the caller may reuse its buffer at once); only its last `capacity` bytes are kept. */
  append(data: Buffer): void {
    const kept = data.length > this.capacity ? data.subarray(data.length - this.capacity) : data;
    const first = Math.min(kept.length, this.capacity - this.end);
    kept.copy(this.bytes, this.end, 0, first);
    kept.copy(this.bytes, 0, first);
    this.end = (this.end + kept.length) % this.capacity;
    this.filled = Math.min(this.capacity, this.filled + kept.length);
  }

  /** What is kept, oldest byte first, as a copy. */
  contents(): Buffer {
    const start = (this.end - this.filled + this.capacity) % this.capacity;
    if (start + this.filled <= this.capacity) return Buffer.from(this.bytes.subarray(start, start + this.filled));
    return Buffer.concat([this.bytes.subarray(start), this.bytes.subarray(0, this.end)]);
  }
}
