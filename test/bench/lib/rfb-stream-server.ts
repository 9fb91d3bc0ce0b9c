// A VNC server whose screen keeps changing, for measuring a console relay under a
// steady stream of framebuffer updates: RFB 3.8, security None, 32 bpp. Like a
// real server it answers requests: the screen changes `fps` times a second, an
// incremental request is answered as soon as there is a change it has not seen
// (at once, or at the next change), a non-incremental one at once with the whole
// screen. Updates are Hextile when the client asked for it, Raw otherwise, and
// each starts with a stamp (`stamped-frames.ts`) taken as it is written.
import net from 'node:net';
import { encodeServerInit } from '../../../gateway/console/rfb-upstream-handshake.ts';
import { PIXEL_FORMAT_RGB888, RfbClientHandshake, RfbClientMessageParser } from '../../../shared/node/rfb.ts';
import type { ClientMessage } from '../../../shared/node/rfb.ts';
import { buildFrames, stampedHead, type Frame, type FrameSet } from './stamped-frames.ts';

const ENCODING_HEXTILE = 5;
/** A client this far behind gets no new update until its socket drains: the server is not what falls over. */
const BACKLOG_LIMIT_BYTES = 8 * 1024 * 1024;

export interface StreamServerOptions {
  width: number;
  height: number;
  /** Screen changes per second. */
  fps: number;
  name: string;
}

export class RfbStreamServer {
  private readonly frames: FrameSet;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(options: StreamServerOptions) {
    if (!(options.fps > 0 && options.fps <= 1000)) throw new Error(`fps must be in (0, 1000], got ${options.fps}`);
    this.frames = buildFrames(options.width, options.height, PIXEL_FORMAT_RGB888);
    const init = encodeServerInit({ width: options.width, height: options.height, pixelFormat: PIXEL_FORMAT_RGB888, name: Buffer.from(options.name, 'utf8') });
    this.server = net.createServer((socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      new StreamSession(socket, this.frames, options, init);
    });
  }

  /** Bytes of one change as a viewer receives it (Hextile, stamp included). */
  get changeBytes(): number {
    return this.frames.changeBytes;
  }

  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve((this.server.address() as net.AddressInfo).port));
    });
  }

  close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** One client: its handshake, what it asked for, and whether the screen changed since its last update. */
class StreamSession {
  private readonly handshake = new RfbClientHandshake();
  private readonly parser = new RfbClientMessageParser();
  private hextile = false;
  private requested: 'incremental' | 'full' | undefined;
  private changed = true;
  private change = 0;
  private readonly ticker: NodeJS.Timeout;

  constructor(private readonly socket: net.Socket, private readonly frames: FrameSet, options: StreamServerOptions, private readonly init: Buffer) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('drain', () => this.answer());
    // A client that drops is routine; 'close' follows.
    socket.on('error', () => undefined);
    this.ticker = setInterval(() => {
      this.changed = true;
      this.change = (this.change + 1) % frames.changes.length;
      this.answer();
    }, 1000 / options.fps);
    socket.once('close', () => clearInterval(this.ticker));
    socket.write('RFB 003.008\n', 'latin1');
  }

  private receive(chunk: Buffer): void {
    let messagePhase = chunk;
    if (!this.handshake.done) {
      const progress = this.handshake.feed(chunk);
      if (progress.error !== undefined) return void this.socket.destroy();
      for (const { step } of progress.steps) {
        // Security types [None]; for 3.8 a SecurityResult of OK; then ServerInit.
        if (step === 'version') this.socket.write(Buffer.from([1, 1]));
        else if (step === 'security') this.socket.write(Buffer.alloc(4));
        else this.socket.write(this.init);
      }
      messagePhase = progress.rest;
    }
    if (messagePhase.length === 0) return;
    const { messages, error } = this.parser.feed(messagePhase);
    for (const message of messages) this.handle(message);
    if (error !== undefined) this.socket.destroy();
  }

  private handle(message: ClientMessage): void {
    if (message.type === 'SetPixelFormat' && (message.pixelFormat.bitsPerPixel !== 32 || !message.pixelFormat.trueColour)) {
      this.socket.destroy();
    } else if (message.type === 'SetEncodings') {
      this.hextile = message.encodings.includes(ENCODING_HEXTILE);
    } else if (message.type === 'FramebufferUpdateRequest') {
      // A full request outstanding stays full until answered.
      this.requested = !message.incremental || this.requested === 'full' ? 'full' : 'incremental';
      this.answer();
    }
  }

  private answer(): void {
    if (this.requested === undefined || this.socket.destroyed || this.socket.writableLength > BACKLOG_LIMIT_BYTES) return;
    if (this.requested === 'incremental' && !this.changed) return;
    this.send(this.requested === 'full' ? this.frames.full : this.frames.changes[this.change]!);
    this.requested = undefined;
    this.changed = false;
  }

  private send(frame: Frame): void {
    const rectangles = this.hextile ? frame.hextile : frame.raw;
    this.socket.cork();
    this.socket.write(stampedHead(rectangles.length, process.hrtime.bigint()));
    for (const rectangle of rectangles) this.socket.write(rectangle);
    this.socket.uncork();
  }
}
