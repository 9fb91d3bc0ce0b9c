import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { PNG } from 'pngjs';
import { PIXEL_FORMAT_RGB888, RfbClientHandshake, RfbClientMessageParser, encodePixelFormat } from '../../../shared/node/rfb.ts';
import type { ClientMessage, PixelFormat } from '../../../shared/node/rfb.ts';
import { SCREEN_HEIGHT, SCREEN_WIDTH, charsPerLine, formatClock, renderScreen, TYPED_SCALE } from './screen.ts';
import type { Canvas } from './screen.ts';

/**
 * A small RFB 3.8 server (security None, Raw encoding) for where no system VNC
 * server exists: it shows the VM's title, a clock and what was typed, and records
 * every input event so tests can check what reached "the VM".
 */

export type InputEvent =
  | { type: 'key'; down: boolean; keysym: number; keycode?: number }
  | { type: 'pointer'; buttons: number; x: number; y: number }
  | { type: 'cut-text'; text: string };

export interface BuiltinRfbServerOptions {
  width?: number;
  height?: number;
  now?: () => Date;
}

const ENCODING_RAW = 0;
const KEYSYM_BACKSPACE = 0xff08;
const CLOCK_TICK_MS = 1000;

export class BuiltinRfbServer extends EventEmitter<{ input: [InputEvent] }> {
  readonly events: InputEvent[] = [];
  /** Every SetEncodings a client sent, in order: what a gateway in front asked for. */
  readonly encodingsAsked: number[][] = [];
  readonly width: number;
  readonly height: number;
  private readonly now: () => Date;
  private typed = '';
  private client: RfbConnection | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private cached: { key: string; canvas: Canvas } | undefined;

  constructor(readonly title: string, options: BuiltinRfbServerOptions = {}) {
    super();
    this.width = options.width ?? SCREEN_WIDTH;
    this.height = options.height ?? SCREEN_HEIGHT;
    this.now = options.now ?? (() => new Date());
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  /** Serves an RFB client on `stream`; a client already attached is dropped, as one VNC session per VM. */
  attach(stream: Duplex): void {
    this.client?.stream.destroy();
    const connection = new RfbConnection(this, stream);
    this.client = connection;
    stream.once('close', () => {
      if (this.client === connection) this.client = undefined;
      this.updateTicker();
    });
    this.updateTicker();
  }

  /** The current screen as RGBA (rendered at most once per change). */
  screen(): Canvas {
    const state = { title: this.title, clock: formatClock(this.now()), typed: this.typed };
    const key = `${state.clock}\n${state.typed}`;
    if (this.cached?.key !== key) this.cached = { key, canvas: renderScreen(state, this.width, this.height) };
    return this.cached.canvas;
  }

  framebufferPng(): Buffer {
    const png = new PNG({ width: this.width, height: this.height });
    this.screen().rgba.copy(png.data);
    return PNG.sync.write(png);
  }

  close(): void {
    this.client?.stream.destroy();
    this.client = undefined;
    this.updateTicker();
  }

  /** Called by the connection for each input message. */
  record(event: InputEvent): void {
    this.events.push(event);
    if (event.type === 'key' && event.down) {
      if (event.keysym === KEYSYM_BACKSPACE) this.typed = this.typed.slice(0, -1);
      else if (event.keysym >= 0x20 && event.keysym <= 0x7e) this.typed = (this.typed + String.fromCharCode(event.keysym)).slice(-charsPerLine(TYPED_SCALE, this.width));
    }
    this.emit('input', event);
    this.client?.flush();
  }

  private updateTicker(): void {
    if (this.client && !this.ticker) {
      this.ticker = setInterval(() => this.client?.flush(), CLOCK_TICK_MS);
      this.ticker.unref();
    } else if (!this.client && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }
}

interface Rect { x: number; y: number; width: number; height: number }

/** One client's session: handshake, requests and what that client already has on screen. */
class RfbConnection {
  private readonly handshake = new RfbClientHandshake();
  private readonly parser = new RfbClientMessageParser();
  private minor = 8;
  private pixelFormat: PixelFormat = PIXEL_FORMAT_RGB888;
  private request: (Rect & { incremental: boolean }) | undefined;
  /** RGBA the client holds; starts transparent so that the first incremental request sends everything. */
  private readonly shown: Buffer;

  constructor(private readonly server: BuiltinRfbServer, readonly stream: Duplex) {
    this.shown = Buffer.alloc(server.width * server.height * 4);
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    // A viewer that drops is routine here; 'close' follows and the server forgets it.
    stream.on('error', () => undefined);
    stream.write('RFB 003.008\n', 'latin1');
  }

  private onData(chunk: Buffer): void {
    if (this.stream.destroyed) return;
    if (!this.handshake.done) {
      const progress = this.handshake.feed(chunk);
      for (const step of progress.steps) {
        if (step.step === 'version') {
          this.minor = step.minor;
          this.stream.write(Buffer.from([1, 1]));
        } else if (step.step === 'security') {
          if (this.minor >= 8) this.stream.write(Buffer.alloc(4));
        } else {
          this.stream.write(this.serverInit());
        }
      }
      if (progress.error !== undefined) return void this.stream.destroy();
      if (!progress.done || progress.rest.length === 0) return;
      chunk = progress.rest;
    }
    const { messages, error } = this.parser.feed(chunk);
    for (const message of messages) this.onMessage(message);
    if (error !== undefined) this.stream.destroy();
  }

  private serverInit(): Buffer {
    const name = Buffer.from(this.server.title, 'utf8');
    const head = Buffer.alloc(4);
    head.writeUInt16BE(this.server.width, 0);
    head.writeUInt16BE(this.server.height, 2);
    const nameLength = Buffer.alloc(4);
    nameLength.writeUInt32BE(name.length, 0);
    return Buffer.concat([head, encodePixelFormat(PIXEL_FORMAT_RGB888), nameLength, name]);
  }

  private onMessage(message: ClientMessage): void {
    switch (message.type) {
      case 'SetPixelFormat': {
        const { bitsPerPixel, trueColour } = message.pixelFormat;
        if (!trueColour || ![8, 16, 32].includes(bitsPerPixel)) return void this.stream.destroy();
        this.pixelFormat = message.pixelFormat;
        return;
      }
      case 'SetEncodings':
        this.server.encodingsAsked.push(message.encodings);
        return;
      case 'FramebufferUpdateRequest':
        this.request = { incremental: message.incremental, x: message.x, y: message.y, width: message.width, height: message.height };
        return this.flush();
      case 'KeyEvent':
        return this.server.record({ type: 'key', down: message.down, keysym: message.keysym });
      case 'QemuExtendedKeyEvent':
        return this.server.record({ type: 'key', down: message.down, keysym: message.keysym, keycode: message.keycode });
      case 'PointerEvent':
        return this.server.record({ type: 'pointer', buttons: message.buttons, x: message.x, y: message.y });
      case 'ClientCutText':
        return this.server.record({ type: 'cut-text', text: message.text });
      default:
        return;
    }
  }

  /** Answers the outstanding request if there is something (new) to show in it. */
  flush(): void {
    const request = this.request;
    if (!request || this.stream.destroyed) return;
    const screen = this.server.screen();
    const area = clip(request, this.server.width, this.server.height);
    const rect = request.incremental ? this.changedBand(screen.rgba, area) : area;
    if (!rect) return;
    this.request = undefined;
    const header = Buffer.alloc(16);
    header.writeUInt16BE(1, 2);
    header.writeUInt16BE(rect.x, 4);
    header.writeUInt16BE(rect.y, 6);
    header.writeUInt16BE(rect.width, 8);
    header.writeUInt16BE(rect.height, 10);
    header.writeInt32BE(ENCODING_RAW, 12);
    this.stream.write(Buffer.concat([header, encodeRaw(screen.rgba, this.server.width, rect, this.pixelFormat)]));
    for (let y = rect.y; y < rect.y + rect.height; y++) {
      const start = (y * this.server.width + rect.x) * 4;
      screen.rgba.copy(this.shown, start, start, start + rect.width * 4);
    }
  }

  /** The rows of `area` that differ from what the client holds, or undefined when none do. */
  private changedBand(rgba: Buffer, area: Rect): Rect | undefined {
    let first = -1;
    let last = -1;
    for (let y = area.y; y < area.y + area.height; y++) {
      const start = (y * this.server.width + area.x) * 4;
      const end = start + area.width * 4;
      if (rgba.compare(this.shown, start, end, start, end) !== 0) {
        if (first < 0) first = y;
        last = y;
      }
    }
    return first < 0 ? undefined : { x: area.x, y: first, width: area.width, height: last - first + 1 };
  }
}

function clip(r: Rect, width: number, height: number): Rect {
  const x = Math.min(r.x, width);
  const y = Math.min(r.y, height);
  return { x, y, width: Math.min(r.width, width - x), height: Math.min(r.height, height - y) };
}

/** RGBA pixels of `rect` in the client's true-colour pixel format (8, 16 or 32 bpp). */
export function encodeRaw(rgba: Buffer, stride: number, rect: Rect, pf: PixelFormat): Buffer {
  const bytesPerPixel = pf.bitsPerPixel / 8;
  const out = Buffer.alloc(rect.width * rect.height * bytesPerPixel);
  const scale = (v: number, max: number): number => Math.round((v * max) / 255);
  let o = 0;
  for (let y = rect.y; y < rect.y + rect.height; y++) {
    for (let x = rect.x; x < rect.x + rect.width; x++) {
      const i = (y * stride + x) * 4;
      const pixel = ((scale(rgba[i] ?? 0, pf.redMax) << pf.redShift)
        | (scale(rgba[i + 1] ?? 0, pf.greenMax) << pf.greenShift)
        | (scale(rgba[i + 2] ?? 0, pf.blueMax) << pf.blueShift)) >>> 0;
      if (bytesPerPixel === 4) {
        if (pf.bigEndian) out.writeUInt32BE(pixel, o);
        else out.writeUInt32LE(pixel, o);
      } else if (bytesPerPixel === 2) {
        if (pf.bigEndian) out.writeUInt16BE(pixel & 0xffff, o);
        else out.writeUInt16LE(pixel & 0xffff, o);
      } else {
        out.writeUInt8(pixel & 0xff, o);
      }
      o += bytesPerPixel;
    }
  }
  return out;
}
