// A VNC viewer over a console websocket, for tests of shared consoles: the RFB
// 3.8 handshake with security None, then every server message cut with the
// gateway's own framer's reference (`rfb-server-messages.ts`), Raw rectangles
// painted into a framebuffer so pictures can be compared pixel for pixel, and
// the presence text frames kept apart.
import WebSocket from 'ws';
import { parsePresenceMessage, type PresenceMessage } from '../../shared/console-presence.ts';
import { encodeFramebufferUpdateRequest, encodeSetEncodings, encodeSetPixelFormat, PIXEL_FORMAT_RGB888, type PixelFormat } from '../../shared/node/rfb.ts';
import { Encoding, RfbServerMessageParser, type Rectangle } from '../../shared/node/rfb-server-messages.ts';
import { bearerSubprotocol } from './console-client.ts';

export interface ReceivedUpdate {
  rectangles: Rectangle[];
  /** When it arrived (performance.now()). */
  at: number;
}

export interface RfbViewerOptions {
  query?: string;
  encodings?: number[];
  pixelFormat?: PixelFormat;
  /** What the viewer tells the server it wants, when that is not the format it reads (a viewer gone wrong). */
  announcedPixelFormat?: PixelFormat;
}

export class RfbViewer {
  width = 0;
  height = 0;
  name = '';
  /** 0x00RRGGBB per pixel, as the RGB888 format puts it on the wire (little endian). */
  framebuffer = Buffer.alloc(0);
  readonly updates: ReceivedUpdate[] = [];
  readonly presence: PresenceMessage[] = [];
  closedWith: { code: number; reason: string } | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;
  private pending = Buffer.alloc(0);
  private parser: RfbServerMessageParser | undefined;
  private wake: (() => void) | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) {
        const message = parsePresenceMessage(data.toString());
        if (message) this.presence.push(message);
        return;
      }
      if (this.parser) this.onMessages(data);
      else this.pending = Buffer.concat([this.pending, data]);
      this.wake?.();
    });
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => {
      this.closedWith = { code, reason: reason.toString() };
      this.wake?.();
      resolve(this.closedWith);
    }));
  }

  /** Opens a console and completes the handshake; the viewer has asked for nothing yet. */
  static async open(consoleUrl: string, token: string, options: RfbViewerOptions = {}): Promise<RfbViewer> {
    const ws = new WebSocket(`${consoleUrl}${options.query ?? '?preserveSession=true'}`, ['plain.kubevirt.io', bearerSubprotocol(token)]);
    const viewer = new RfbViewer(ws);
    await new Promise<void>((resolve, reject) => ws.once('open', resolve).once('error', reject));
    await viewer.handshake(options);
    return viewer;
  }

  private async read(count: number): Promise<Buffer> {
    while (this.pending.length < count) {
      if (this.closedWith) throw new Error(`the console closed (${this.closedWith.code} ${this.closedWith.reason}) during the handshake`);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    const bytes = this.pending.subarray(0, count);
    this.pending = this.pending.subarray(count);
    return bytes;
  }

  private async handshake(options: RfbViewerOptions): Promise<void> {
    const version = (await this.read(12)).toString('latin1');
    if (version !== 'RFB 003.008\n') throw new Error(`the console speaks ${JSON.stringify(version)}`);
    this.ws.send(Buffer.from('RFB 003.008\n', 'latin1'));
    const count = (await this.read(1))[0]!;
    if (!(await this.read(count)).includes(1)) throw new Error('security None is not offered');
    this.ws.send(Buffer.from([1]));
    if ((await this.read(4)).readUInt32BE(0) !== 0) throw new Error('the security handshake failed');
    this.ws.send(Buffer.from([1]));
    const init = await this.read(24);
    this.width = init.readUInt16BE(0);
    this.height = init.readUInt16BE(2);
    this.name = (await this.read(init.readUInt32BE(20))).toString('utf8');
    const pixelFormat = options.pixelFormat ?? PIXEL_FORMAT_RGB888;
    this.framebuffer = Buffer.alloc(this.width * this.height * 4);
    this.parser = new RfbServerMessageParser(pixelFormat);
    this.ws.send(encodeSetPixelFormat(options.announcedPixelFormat ?? pixelFormat));
    this.ws.send(encodeSetEncodings(options.encodings ?? [Encoding.Raw, Encoding.DesktopSize]));
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    if (rest.length > 0) this.onMessages(rest);
  }

  request(incremental: boolean): void {
    this.ws.send(encodeFramebufferUpdateRequest({ incremental, x: 0, y: 0, width: this.width, height: this.height }));
  }

  send(bytes: Buffer): void {
    this.ws.send(bytes);
  }

  /** Resolves with the next update, however many came before. */
  async nextUpdate(after = this.updates.length, timeoutMs = 5000): Promise<ReceivedUpdate> {
    const deadline = Date.now() + timeoutMs;
    while (this.updates.length <= after) {
      if (this.closedWith) throw new Error(`the console closed: ${this.closedWith.code} ${this.closedWith.reason}`);
      if (Date.now() > deadline) throw new Error('no update came');
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 50);
      });
    }
    return this.updates[after]!;
  }

  /** Rows whose pixels differ from an RGBA picture of the same size. */
  rowsDifferingFrom(rgba: Buffer): number[] {
    const rows: number[] = [];
    for (let y = 0; y < this.height; y++) {
      for (let x = 0; x < this.width; x++) {
        const i = (y * this.width + x) * 4;
        // The byte past depth 24 is padding: QEMU fills it in some rectangles and not in others.
        const pixel = this.framebuffer.readUInt32LE(i) & 0xffffff;
        const expected = ((rgba[i]! << 16) | (rgba[i + 1]! << 8) | rgba[i + 2]!) >>> 0;
        if (pixel !== expected) {
          rows.push(y);
          break;
        }
      }
    }
    return rows;
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }

  private onMessages(chunk: Buffer): void {
    const { messages, error } = this.parser!.feed(chunk);
    if (error) throw new Error(`the console sent a stream that cannot be read: ${error}`);
    for (const message of messages) {
      if (message.type !== 'FramebufferUpdate') continue;
      const bytes = Buffer.concat(message.parts);
      for (const rectangle of message.rectangles) {
        if (rectangle.encoding !== Encoding.Raw) continue;
        const pixels = bytes.subarray(rectangle.end - message.start - rectangle.width * rectangle.height * 4, rectangle.end - message.start);
        for (let row = 0; row < rectangle.height; row++) {
          const from = row * rectangle.width * 4;
          pixels.copy(this.framebuffer, ((rectangle.y + row) * this.width + rectangle.x) * 4, from, from + rectangle.width * 4);
        }
      }
      this.updates.push({ rectangles: message.rectangles, at: performance.now() });
    }
  }
}
