// An RFB load client: handshake with security None, ask for 32-bit pixels and
// Raw encoding only, then request the whole screen (non-incremental) in a loop,
// one request in flight, and time each request until its FramebufferUpdate has
// fully arrived. Updates are parsed by length — pixel bytes are counted, never
// copied — so the client costs little next to what it measures.
import {
  PIXEL_FORMAT_RGB888,
  encodeFramebufferUpdateRequest,
  encodeSetEncodings,
  encodeSetPixelFormat,
} from '../../../shared/node/rfb.ts';
import type { ByteChannel } from './byte-channel.ts';
import { HandshakeReader, rfbHandshake, type Screen } from './rfb-handshake.ts';
import { summarize, type LatencySummary } from './stats.ts';

const ENCODING_RAW = 0;
const BYTES_PER_PIXEL = PIXEL_FORMAT_RGB888.bitsPerPixel / 8;
/** Warm-up and the measured seconds must fit in this much more time, or the path counts as stalled. */
const STALL_MARGIN_SECONDS = 30;

type ParseState =
  | { kind: 'header'; need: number; then: (header: Buffer) => ParseState }
  | { kind: 'skip'; remaining: number; then: () => ParseState };

/**
 * Follows the server→client message stream after ServerInit and calls
 * `onUpdate` when a FramebufferUpdate is complete. Raw rectangles only: any
 * other encoding is an error, since its length cannot be known without
 * decoding it.
 */
export class RfbUpdateCounter {
  private pending: Buffer = Buffer.alloc(0);
  private state: ParseState;

  constructor(
    private readonly bytesPerPixel: number,
    private readonly onUpdate: (rectangles: number, pixelBytes: number) => void,
  ) {
    this.state = this.messageType();
  }

  feed(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const s = this.state;
      if (s.kind === 'skip') {
        const n = Math.min(s.remaining, chunk.length - offset);
        s.remaining -= n;
        offset += n;
        if (s.remaining === 0) this.advance(s.then());
      } else {
        const take = Math.min(s.need - this.pending.length, chunk.length - offset);
        this.pending = this.pending.length === 0 ? chunk.subarray(offset, offset + take) : Buffer.concat([this.pending, chunk.subarray(offset, offset + take)]);
        offset += take;
        if (this.pending.length === s.need) {
          const header = Buffer.from(this.pending);
          this.pending = Buffer.alloc(0);
          this.advance(s.then(header));
        }
      }
    }
  }

  /** Zero-length skips complete at once, so an update ending a chunk is reported without waiting for more bytes. */
  private advance(next: ParseState): void {
    let state = next;
    while (state.kind === 'skip' && state.remaining === 0) state = state.then();
    this.state = state;
  }

  private skip(remaining: number, then: () => ParseState): ParseState {
    return { kind: 'skip', remaining, then };
  }

  private messageType(): ParseState {
    return {
      kind: 'header',
      need: 1,
      then: (h) => {
        const type = h.readUInt8(0);
        switch (type) {
          case 0: // FramebufferUpdate: padding, number of rectangles
            return { kind: 'header', need: 3, then: (u) => this.rectangles(u.readUInt16BE(1), 0, 0) };
          case 1: // SetColourMapEntries
            return { kind: 'header', need: 5, then: (c) => this.skip(6 * c.readUInt16BE(3), () => this.messageType()) };
          case 2: // Bell
            return this.messageType();
          case 3: // ServerCutText
            return { kind: 'header', need: 7, then: (t) => this.skip(t.readUInt32BE(3), () => this.messageType()) };
          default:
            throw new Error(`unexpected RFB server message type ${type}`);
        }
      },
    };
  }

  private rectangles(left: number, done: number, pixelBytes: number): ParseState {
    if (left === 0) {
      this.onUpdate(done, pixelBytes);
      return this.messageType();
    }
    return {
      kind: 'header',
      need: 12,
      then: (r) => {
        const width = r.readUInt16BE(4);
        const height = r.readUInt16BE(6);
        const encoding = r.readInt32BE(8);
        if (encoding !== ENCODING_RAW) throw new Error(`the server sent encoding ${encoding}; only Raw (0) was asked for`);
        const bytes = width * height * this.bytesPerPixel;
        return this.skip(bytes, () => this.rectangles(left - 1, done + 1, pixelBytes + bytes));
      },
    };
  }
}

export interface RfbLoadResult extends LatencySummary {
  screen: Screen;
  updates: number;
  bytes: number;
  seconds: number;
  megabytesPerSecond: number;
  updatesPerSecond: number;
}

export interface RfbLoadOptions {
  /** Updates before the clock starts (connection pools, JIT, TCP windows). */
  warmupUpdates: number;
  durationSeconds: number;
  /** Told when the measured window opens (after the warm-up) and closes (before the channel does), to read other processes over exactly that window. */
  window?: { opened(): void; closed(): void };
}

/**
 * Drives `channel` until `durationSeconds` of measured updates have passed and
 * closes it. Every update must carry exactly the full screen in Raw pixels, so
 * a relay that dropped or duplicated bytes fails the run instead of scoring.
 */
export async function runRfbLoad(channel: ByteChannel, options: RfbLoadOptions): Promise<RfbLoadResult> {
  const limitSeconds = options.durationSeconds + STALL_MARGIN_SECONDS;
  let stalled: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    stalled = setTimeout(() => {
      channel.close();
      reject(new Error(`no full run of updates within ${limitSeconds} s (handshake and warm-up included)`));
    }, limitSeconds * 1000);
  });
  try {
    return await Promise.race([load(channel, options), deadline]);
  } finally {
    clearTimeout(stalled);
  }
}

async function load(channel: ByteChannel, options: RfbLoadOptions): Promise<RfbLoadResult> {
  const reader = new HandshakeReader(channel);
  const screen = await rfbHandshake(channel, reader);
  const leftover = reader.rest();
  const fullScreen = screen.width * screen.height * BYTES_PER_PIXEL;
  const request = encodeFramebufferUpdateRequest({ incremental: false, x: 0, y: 0, width: screen.width, height: screen.height });

  return new Promise<RfbLoadResult>((resolve, reject) => {
    const samples: number[] = [];
    let completed = 0;
    let bytes = 0;
    let measuring = false;
    let measureStart = 0;
    let sentAt = 0;
    let finished = false;

    const finish = (error?: Error): void => {
      if (finished) return;
      finished = true;
      const seconds = (performance.now() - measureStart) / 1000;
      if (!error) options.window?.closed();
      channel.close();
      if (error) return reject(error);
      resolve({
        ...summarize(samples),
        screen,
        updates: samples.length,
        bytes,
        seconds,
        megabytesPerSecond: bytes / 1e6 / seconds,
        updatesPerSecond: samples.length / seconds,
      });
    };

    const next = (): void => {
      sentAt = performance.now();
      channel.write(request);
    };

    const counter = new RfbUpdateCounter(BYTES_PER_PIXEL, (_rectangles, pixelBytes) => {
      const now = performance.now();
      if (pixelBytes !== fullScreen) {
        finish(new Error(`an update carried ${pixelBytes} pixel bytes; a full ${screen.width}x${screen.height} screen is ${fullScreen}`));
        return;
      }
      completed++;
      if (measuring) {
        samples.push(now - sentAt);
        bytes += pixelBytes;
        if ((now - measureStart) / 1000 >= options.durationSeconds) return finish();
      } else if (completed >= options.warmupUpdates) {
        measuring = true;
        // No request is in flight here: what the window's readers cost is not timed.
        options.window?.opened();
        measureStart = performance.now();
      }
      next();
    });

    channel.onData((chunk) => {
      if (finished) return;
      try {
        counter.feed(chunk);
      } catch (err) {
        finish(err as Error);
      }
    });
    channel.onClose((why) => finish(new Error(`the console closed during the load: ${why}`)));

    channel.write(encodeSetPixelFormat(PIXEL_FORMAT_RGB888));
    channel.write(encodeSetEncodings([ENCODING_RAW]));
    if (leftover.length > 0) counter.feed(leftover);
    next();
  });
}
