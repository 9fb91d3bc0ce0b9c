import { Opcode } from './frames.ts';

/** Where the frames of one direction go. Every call happens inside `FrameTracker.feed`. */
export interface FrameSink {
  /** `chunk[start, end)`: bytes of binary data frames, headers included, to pass on exactly as they are. */
  pass(chunk: Buffer, start: number, end: number): void;
  /** Payload mode: the payload of binary data frames, unmasked (in place), for a policy that reads it. */
  payload(data: Buffer): void;
  /** A whole control frame (close, ping, pong), its payload unmasked. Never passed on. */
  control(opcode: number, payload: Buffer): void;
  /** The passed stream is between frames, so the owner may write frames of its own; asked for with `wantsBoundary`. */
  boundary(): void;
}

export interface FrameTrackerOptions {
  /** Whether this peer must mask its frames: clients must, servers must not (RFC 6455 §5.1). */
  masked: boolean;
  /** `pass`: data frames go on byte for byte. `payload`: their payload is unmasked and handed over to be re-framed. */
  mode: 'pass' | 'payload';
  /** Frames announcing a longer payload are a protocol error. */
  maxPayload: number;
  /** Text messages go on like binary ones (a replica relaying another's presence frames); dropped otherwise. */
  keepText?: boolean;
}

type FrameKind = 'pass' | 'payload' | 'drop' | 'control';

const maxHeader = 14;

/**
 * Walks a websocket byte stream frame by frame without copying it: only the
 * 2–14 header bytes of each frame are read, payloads are skipped by length
 * (or, in payload mode, unmasked where they lie). So the relay always knows
 * whether the stream it passes on is between frames — where it may put a ping,
 * a pong or a close of its own — and text frames (which KubeVirt drops) and
 * control frames never go further.
 */
export class FrameTracker {
  /** Set by the owner to be called back at the next end of a passed frame. */
  wantsBoundary = false;
  /** Why the stream is broken; once set, `feed` does nothing. */
  error: string | undefined;

  /** A header split across chunks is gathered here; allocated the first time one is (most trackers never see one). */
  private header: Buffer | undefined;
  private fin = false;
  private rsv = false;
  private isMasked = false;
  private headerFill = 0;
  private kind: FrameKind | undefined;
  private remaining = 0;
  private opcode = 0;
  /** The frame's masking key as a number: a Buffer would be an ArrayBuffer of its own in each tracker. */
  private mask = 0;
  private maskOffset = 0;
  private control: Buffer | undefined;
  private controlFill = 0;
  /** Inside a fragmented data message: whether its frames are kept (binary) or dropped (text). */
  private messageKept: boolean | undefined;

  constructor(private readonly options: FrameTrackerOptions) {}

  /** Whether part of a passed frame has gone out and the rest has not, so nothing else may be written there yet. */
  get midFrame(): boolean {
    return this.kind === 'pass';
  }

  /** Walks `chunk`; returns false when the stream broke the protocol (see `error`). */
  feed(chunk: Buffer, sink: FrameSink): boolean {
    if (this.error !== undefined) return false;
    const length = chunk.length;
    let at = 0;
    // A passed frame that began in an earlier chunk goes on from this chunk's start.
    let passFrom = this.kind === 'pass' ? 0 : -1;
    while (at < length) {
      if (this.kind === undefined) {
        const frameStart = at;
        const taken = this.readHeader(chunk, at);
        if (taken < 0) {
          // The header goes on in the next chunk; it is kept, not passed, until it is whole.
          if (passFrom >= 0) sink.pass(chunk, passFrom, frameStart);
          return true;
        }
        at += taken;
        if (!this.startFrame()) {
          if (passFrom >= 0) sink.pass(chunk, passFrom, frameStart);
          return false;
        }
        if (this.kind === 'pass') {
          if (this.headerFill > 0) {
            if (passFrom >= 0) sink.pass(chunk, passFrom, frameStart);
            // The header began in an earlier chunk: pass a copy of it (a write may hold
            // on to it, and the next split header reuses this.header), then this chunk from here.
            const held = Buffer.from(this.header!.subarray(0, this.headerFill));
            sink.pass(held, 0, held.length);
            passFrom = at;
          } else if (passFrom < 0) {
            passFrom = frameStart;
          }
        } else if (passFrom >= 0) {
          sink.pass(chunk, passFrom, frameStart);
          passFrom = -1;
        }
        this.headerFill = 0;
      } else {
        const take = Math.min(this.remaining, length - at);
        if (this.kind === 'payload') this.payloadBytes(chunk, at, take, sink);
        else if (this.kind === 'control') this.controlBytes(chunk, at, take);
        at += take;
        this.remaining -= take;
      }
      if (this.remaining === 0 && this.kind !== undefined) {
        const ended = this.kind;
        this.kind = undefined;
        if (ended === 'control') {
          sink.control(this.opcode, this.control!.subarray(0, this.controlFill));
          this.control = undefined;
        } else if (ended === 'pass' && this.wantsBoundary) {
          if (passFrom >= 0) sink.pass(chunk, passFrom, at);
          passFrom = -1;
          sink.boundary();
        }
      }
    }
    if (passFrom >= 0) sink.pass(chunk, passFrom, length);
    return true;
  }

  /**
   * Reads the header at `chunk[at]`, from the chunk itself when it is whole there,
   * else byte by byte into `this.header`. Returns how many bytes of `chunk` it
   * took, or -1 when the header goes on in the next chunk.
   */
  private readHeader(chunk: Buffer, at: number): number {
    const available = chunk.length - at;
    if (this.headerFill === 0 && available >= 2) {
      const needed = headerLength(chunk[at + 1]!);
      if (available >= needed) {
        this.parseHeader(chunk, at);
        return needed;
      }
    }
    const header = (this.header ??= Buffer.allocUnsafe(maxHeader));
    let used = 0;
    while (used < available) {
      header[this.headerFill++] = chunk[at + used++]!;
      if (this.headerFill >= 2 && this.headerFill === headerLength(header[1]!)) {
        this.parseHeader(header, 0);
        return used;
      }
    }
    return -1;
  }

  private parseHeader(bytes: Buffer, at: number): void {
    const first = bytes[at]!;
    const second = bytes[at + 1]!;
    this.opcode = first & 0x0f;
    this.fin = (first & 0x80) !== 0;
    this.rsv = (first & 0x70) !== 0;
    this.isMasked = (second & 0x80) !== 0;
    const short = second & 0x7f;
    let offset = at + 2;
    if (short === 126) {
      this.remaining = bytes.readUInt16BE(offset);
      offset += 2;
    } else if (short === 127) {
      const high = bytes.readUInt32BE(offset);
      // Payloads past 2^53 cannot be counted exactly; none is legitimate.
      this.remaining = high >= 0x200000 ? Number.POSITIVE_INFINITY : high * 0x100000000 + bytes.readUInt32BE(offset + 4);
      offset += 8;
    } else {
      this.remaining = short;
    }
    if (this.isMasked) this.mask = bytes.readInt32BE(offset);
    this.maskOffset = 0;
  }

  /** Decides what becomes of the frame whose header was just read; false on a protocol error. */
  private startFrame(): boolean {
    const fail = (message: string): boolean => {
      this.error = message;
      return false;
    };
    if (this.rsv) return fail('a frame has reserved bits set, but no extension was agreed');
    if (this.isMasked !== this.options.masked) return fail(this.options.masked ? 'frames from a client must be masked' : 'frames from a server must not be masked');
    if (this.remaining > this.options.maxPayload) return fail('a frame is larger than a console accepts');
    const opcode = this.opcode;
    if (opcode >= Opcode.close) {
      if (opcode > Opcode.pong) return fail(`unknown opcode ${opcode}`);
      if (!this.fin || this.remaining > 125) return fail('a control frame must be whole and at most 125 bytes');
      this.kind = 'control';
      this.control = Buffer.allocUnsafe(this.remaining);
      this.controlFill = 0;
      return true;
    }
    if (opcode === Opcode.continuation) {
      if (this.messageKept === undefined) return fail('a continuation frame without a message to continue');
    } else if (opcode === Opcode.text || opcode === Opcode.binary) {
      if (this.messageKept !== undefined) return fail('a new message began before the last one ended');
      this.messageKept = opcode === Opcode.binary || this.options.keepText === true;
    } else {
      return fail(`unknown opcode ${opcode}`);
    }
    this.kind = this.messageKept ? this.options.mode : 'drop';
    if (this.fin) this.messageKept = undefined;
    return true;
  }

  private payloadBytes(chunk: Buffer, at: number, count: number, sink: FrameSink): void {
    if (count === 0) return;
    if (this.isMasked) {
      const mask = this.mask;
      let offset = this.maskOffset;
      for (let i = at; i < at + count; i++) chunk[i] = chunk[i]! ^ maskByte(mask, offset++);
      this.maskOffset = offset & 3;
    }
    sink.payload(chunk.subarray(at, at + count));
  }

  private controlBytes(chunk: Buffer, at: number, count: number): void {
    const target = this.control!;
    for (let i = 0; i < count; i++) {
      const byte = chunk[at + i]!;
      target[this.controlFill] = this.isMasked ? byte ^ maskByte(this.mask, this.controlFill) : byte;
      this.controlFill += 1;
    }
  }
}

/** The byte of masking key `mask` that masks payload byte `index` (RFC 6455 §5.3). */
function maskByte(mask: number, index: number): number {
  return (mask >>> (24 - 8 * (index & 3))) & 0xff;
}

/** A frame header's length, from its second byte. */
function headerLength(second: number): number {
  const short = second & 0x7f;
  return 2 + (short === 126 ? 2 : short === 127 ? 8 : 0) + ((second & 0x80) !== 0 ? 4 : 0);
}
