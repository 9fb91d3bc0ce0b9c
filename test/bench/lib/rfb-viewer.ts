// A lightweight RFB viewer that behaves as noVNC does towards a busy screen:
// 32-bit pixels, Hextile (then CopyRect, Raw, DesktopSize) asked for, one
// non-incremental request, then an incremental request after each update it
// receives. It reads everything, cuts it into messages with the gateway's own
// framer (so a stream cut wrongly fails the run) and, while its window is open,
// counts the bytes and each stamped update's latency from the upstream's send.
// It keeps no chunk past its feed but the few bytes the framer holds of a
// header split across chunks and the stamp it copies, so a channel may read
// into a reused buffer (`leanWebsocketChannel`).
import { PIXEL_FORMAT_RGB888, encodeFramebufferUpdateRequest, encodeSetEncodings, encodeSetPixelFormat } from '../../../shared/node/rfb.ts';
import { Encoding, RfbServerMessageParser } from '../../../shared/node/rfb-server-messages.ts';
import type { ByteChannel } from './byte-channel.ts';
import { HandshakeReader, rfbHandshake, type Screen } from './rfb-handshake.ts';
import { StampCatcher } from './stamped-frames.ts';

const ENCODINGS = [Encoding.Hextile, Encoding.CopyRect, Encoding.Raw, Encoding.DesktopSize];

export interface ViewerWindow {
  /** Server→client message bytes received while the window was open. */
  bytes: number;
  /** FramebufferUpdates completed while the window was open. */
  updates: number;
  /** Upstream send → last byte here, in ms, of each stamped update in the window. */
  latenciesMs: number[];
}

/** Rejects with `what` when `promise` has not settled after `ms`, after running `onTimeout`. */
function within<T>(promise: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`${what} within ${ms} ms`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export class StreamViewer {
  private readonly parser = new RfbServerMessageParser(PIXEL_FORMAT_RGB888);
  private readonly stamps = new StampCatcher();
  /** Bytes fed to the parser so far: where the next chunk begins in the stream. */
  private fedBytes = 0;
  private readonly request: Buffer;
  private totalUpdates = 0;
  private window: ViewerWindow | undefined;
  /** Why the console ended (closed by the gateway, or a stream this viewer could not cut), once it has. */
  private ended: string | undefined;
  private waiters: Array<{ updates: number; resolve: () => void; reject: (err: Error) => void }> = [];

  /** Handshake, then the viewer's opening messages; fails with the gateway's close reason if it refuses. */
  static async open(channel: ByteChannel, timeoutMs: number): Promise<StreamViewer> {
    const reader = new HandshakeReader(channel);
    const screen = await within(rfbHandshake(channel, reader), timeoutMs, 'no RFB handshake', () => channel.close())
      .catch((err: unknown) => {
        throw new Error(`${(err as Error).message} (${reader.received} bytes of it received)`);
      });
    return new StreamViewer(channel, screen, reader.rest());
  }

  private constructor(private readonly channel: ByteChannel, readonly screen: Screen, leftover: Buffer) {
    this.request = encodeFramebufferUpdateRequest({ incremental: true, x: 0, y: 0, width: screen.width, height: screen.height });
    channel.onData((chunk) => this.receive(chunk));
    channel.onClose((why) => this.end(why));
    channel.write(encodeSetPixelFormat(PIXEL_FORMAT_RGB888));
    channel.write(encodeSetEncodings(ENCODINGS));
    channel.write(encodeFramebufferUpdateRequest({ incremental: false, x: 0, y: 0, width: screen.width, height: screen.height }));
    if (leftover.length > 0) this.receive(leftover);
  }

  /** Set when the console ended, with why. */
  get endedBecause(): string | undefined {
    return this.ended;
  }

  /** Resolves once `updates` updates have arrived in all; rejects if the console ends first or the time runs out. */
  updatesArrived(updates: number, timeoutMs: number): Promise<void> {
    if (this.ended !== undefined) return Promise.reject(new Error(this.ended));
    if (this.totalUpdates >= updates) return Promise.resolve();
    const waiting = new Promise<void>((resolve, reject) => this.waiters.push({ updates, resolve, reject }));
    return within(waiting, timeoutMs, `fewer than ${updates} updates arrived`, () => undefined);
  }

  openWindow(): void {
    this.window = { bytes: 0, updates: 0, latenciesMs: [] };
  }

  closeWindow(): ViewerWindow {
    const window = this.window ?? { bytes: 0, updates: 0, latenciesMs: [] };
    this.window = undefined;
    return window;
  }

  close(): void {
    this.end('closed by the benchmark');
    this.channel.close();
  }

  private receive(chunk: Buffer): void {
    if (this.ended !== undefined) return;
    const chunkStart = this.fedBytes;
    this.fedBytes += chunk.length;
    const { messages, error } = this.parser.feed(chunk);
    const now = process.hrtime.bigint();
    for (const message of messages) {
      const stamp = this.stamps.stampOf(message, chunk, chunkStart);
      if (this.window) this.window.bytes += message.end - message.start;
      if (message.type !== 'FramebufferUpdate') continue;
      if (this.window) {
        this.window.updates++;
        if (stamp !== undefined) this.window.latenciesMs.push(Number(now - stamp) / 1e6);
      }
      this.totalUpdates++;
      this.channel.write(this.request);
    }
    this.stamps.fed(chunk, chunkStart);
    if (this.waiters.length > 0) this.waiters = this.waiters.filter((w) => (this.totalUpdates >= w.updates ? (w.resolve(), false) : true));
    if (error !== undefined) {
      this.end(`the viewer could not cut the server's stream: ${error}`);
      this.channel.close();
    }
  }

  private end(why: string): void {
    if (this.ended !== undefined) return;
    this.ended = why;
    for (const waiter of this.waiters) waiter.reject(new Error(why));
    this.waiters = [];
  }
}
