/**
 * RFB (RFC 6143) server→client messages after ServerInit, cut into whole messages.
 * A shared console fans one upstream session out to several viewers and starts a
 * joiner at a message boundary, so the gateway must know where each message ends
 * without decoding pixels. RFB has no framing: a message's length follows from its
 * type, the session's pixel format and, for FramebufferUpdate, each rectangle's
 * encoding, down to Hextile tiles and Tight's compact lengths. An encoding or
 * message this module does not know is an error (the caller closes the console),
 * because a guessed length would desynchronise every viewer.
 *
 * The wire rules follow noVNC 1.7 (`core/rfb.js`, `core/decoders/*.js`), the
 * client every viewer runs; where noVNC and the RFB community specification
 * disagree the rectangle is refused rather than sized one way or the other.
 */
import { MAX_CUT_TEXT_BYTES } from './rfb.ts';
import type { PixelFormat } from './rfb.ts';

/** Largest message (a FramebufferUpdate with all its rectangles) accepted: a 4K screen in Raw is 32 MiB. */
export const MAX_SERVER_MESSAGE_BYTES = 64 * 1024 * 1024;

export const ServerMessageType = {
  FramebufferUpdate: 0,
  SetColourMapEntries: 1,
  Bell: 2,
  ServerCutText: 3,
  EndOfContinuousUpdates: 150,
  ServerFence: 248,
  Xvp: 250,
} as const;

export type ServerMessageTypeName = keyof typeof ServerMessageType;

export const Encoding = {
  Raw: 0,
  CopyRect: 1,
  RRE: 2,
  Hextile: 5,
  Zlib: 6,
  Tight: 7,
  ZRLE: 16,
  TightPNG: -260,
  DesktopSize: -223,
  LastRect: -224,
  Cursor: -239,
  QemuExtendedKeyEvent: -258,
  QemuAudio: -259,
  QemuLedState: -261,
  DesktopName: -307,
  ExtendedDesktopSize: -308,
  ExtendedMouseButtons: -316,
} as const;

export interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Signed, as on the wire: pseudo-encodings are negative. */
  encoding: number;
  /** Stream offsets: `start` is the rectangle header's first byte, `end` one past its last byte. */
  start: number;
  end: number;
}

interface MessageBase<T extends ServerMessageTypeName> {
  type: T;
  /** Stream offsets (bytes since the first byte fed): `start` is the type byte, `end` one past the last byte. */
  start: number;
  end: number;
  /** The message's bytes, in order, as views of the chunks that were fed (not copies). */
  parts: Buffer[];
}

export type ServerMessage =
  | MessageBase<'FramebufferUpdate'> & { rectangles: Rectangle[] }
  | MessageBase<Exclude<ServerMessageTypeName, 'FramebufferUpdate'>>;

export interface ServerParseResult {
  messages: ServerMessage[];
  /** Set once the stream is unusable; later feeds return it again. */
  error?: string;
}

export interface ServerMessageParserOptions {
  maxMessageBytes?: number;
}

/** A length the parser refuses to guess; thrown inside a grammar, reported by `feed`. */
class Refusal extends Error {}

/** What a grammar asks the parser for: `read` hands it the bytes, `skip` only counts them. */
type Need = { read: number } | { skip: number };
type Grammar = Generator<Need, void, Buffer>;

interface MessageContext {
  readonly pixelFormat: PixelFormat;
  type: ServerMessageTypeName | undefined;
  readonly rectangles: Rectangle[];
  /** Stream offset of the next unconsumed byte. */
  position(): number;
}

const TIGHT_FILL = 0x8;
const TIGHT_JPEG = 0x9;
const TIGHT_PNG = 0xa;
const TIGHT_EXPLICIT_FILTER = 0x4;
const TIGHT_FILTER_COPY = 0;
const TIGHT_FILTER_PALETTE = 1;
const TIGHT_FILTER_GRADIENT = 2;
/** Tight sends filtered data shorter than this uncompressed and without a length. */
const TIGHT_MIN_TO_COMPRESS = 12;

const HEXTILE_RAW = 0x01;
const HEXTILE_BACKGROUND = 0x02;
const HEXTILE_FOREGROUND = 0x04;
const HEXTILE_ANY_SUBRECTS = 0x08;
const HEXTILE_SUBRECTS_COLOURED = 0x10;
const HEXTILE_LAST_DEFINED = 0x1f;

function bytesPerPixel(pf: PixelFormat): number {
  return pf.bitsPerPixel / 8;
}

/** Tight's TPIXEL: 3 bytes for 32-bit true colour of depth 24 with 8-bit channels, otherwise a whole pixel. */
function tightPixelBytes(pf: PixelFormat): number {
  const packed = pf.trueColour && pf.bitsPerPixel === 32 && pf.depth === 24
    && pf.redMax === 255 && pf.greenMax === 255 && pf.blueMax === 255;
  return packed ? 3 : bytesPerPixel(pf);
}

function* serverMessage(ctx: MessageContext): Grammar {
  const type = (yield { read: 1 }).readUInt8(0);
  switch (type) {
    case ServerMessageType.FramebufferUpdate:
      ctx.type = 'FramebufferUpdate';
      return yield* framebufferUpdate(ctx);
    case ServerMessageType.SetColourMapEntries: {
      ctx.type = 'SetColourMapEntries';
      const head = yield { read: 5 };
      return void (yield { skip: 6 * head.readUInt16BE(3) });
    }
    case ServerMessageType.Bell:
      ctx.type = 'Bell';
      return;
    case ServerMessageType.ServerCutText: {
      ctx.type = 'ServerCutText';
      // The extended-clipboard extension sends a negative length meaning |length| bytes follow.
      const length = Math.abs((yield { read: 7 }).readInt32BE(3));
      if (length > MAX_CUT_TEXT_BYTES) throw new Refusal(`ServerCutText of ${length} bytes exceeds the ${MAX_CUT_TEXT_BYTES}-byte limit`);
      return void (yield { skip: length });
    }
    case ServerMessageType.EndOfContinuousUpdates:
      ctx.type = 'EndOfContinuousUpdates';
      return;
    case ServerMessageType.ServerFence:
      ctx.type = 'ServerFence';
      return void (yield { skip: (yield { read: 8 }).readUInt8(7) });
    case ServerMessageType.Xvp:
      ctx.type = 'Xvp';
      return void (yield { skip: 3 });
    default:
      throw new Refusal(`unknown RFB server message type ${type}`);
  }
}

function* framebufferUpdate(ctx: MessageContext): Grammar {
  // With LastRect the count is only an upper bound (servers send 0xffff).
  let remaining = (yield { read: 3 }).readUInt16BE(1);
  while (remaining-- > 0) {
    const start = ctx.position();
    const header = yield { read: 12 };
    const rect: Rectangle = {
      x: header.readUInt16BE(0), y: header.readUInt16BE(2), width: header.readUInt16BE(4), height: header.readUInt16BE(6),
      encoding: header.readInt32BE(8), start, end: start,
    };
    ctx.rectangles.push(rect);
    yield* rectangleBody(rect, ctx.pixelFormat);
    rect.end = ctx.position();
    if (rect.encoding === Encoding.LastRect) return;
  }
}

function* rectangleBody(rect: Rectangle, pf: PixelFormat): Grammar {
  const { width, height } = rect;
  const bpp = bytesPerPixel(pf);
  switch (rect.encoding) {
    case Encoding.Raw: return void (yield { skip: width * height * bpp });
    case Encoding.CopyRect: return void (yield { skip: 4 });
    case Encoding.RRE: return void (yield { skip: bpp + (yield { read: 4 }).readUInt32BE(0) * (bpp + 8) });
    case Encoding.Hextile: return yield* hextile(width, height, bpp);
    case Encoding.Zlib:
      // noVNC reads no length for an empty Zlib rectangle; other clients do. Neither guess is safe.
      if (width === 0 || height === 0) throw new Refusal('a Zlib rectangle of zero area is read differently by noVNC and by the RFB specification');
      return void (yield { skip: (yield { read: 4 }).readUInt32BE(0) });
    case Encoding.ZRLE: return void (yield { skip: (yield { read: 4 }).readUInt32BE(0) });
    case Encoding.Tight: return yield* tight(width, height, pf, false);
    case Encoding.TightPNG: return yield* tight(width, height, pf, true);
    case Encoding.Cursor: return void (yield { skip: width * height * bpp + Math.ceil(width / 8) * height });
    case Encoding.DesktopSize:
    case Encoding.LastRect:
    case Encoding.QemuExtendedKeyEvent:
    case Encoding.QemuAudio:
    case Encoding.ExtendedMouseButtons:
      return;
    case Encoding.QemuLedState: return void (yield { skip: 1 });
    case Encoding.DesktopName: return void (yield { skip: (yield { read: 4 }).readUInt32BE(0) });
    case Encoding.ExtendedDesktopSize: return void (yield { skip: 3 + 16 * (yield { read: 1 }).readUInt8(0) });
    default:
      throw new Refusal(`unsupported RFB encoding ${rect.encoding} in a FramebufferUpdate rectangle`);
  }
}

function* hextile(width: number, height: number, bpp: number): Grammar {
  for (let ty = 0; ty < height; ty += 16) {
    const th = Math.min(16, height - ty);
    for (let tx = 0; tx < width; tx += 16) {
      const tw = Math.min(16, width - tx);
      const subencoding = (yield { read: 1 }).readUInt8(0);
      if (subencoding > HEXTILE_LAST_DEFINED) throw new Refusal(`Hextile subencoding ${subencoding} is not defined`);
      if (subencoding & HEXTILE_RAW) {
        yield { skip: tw * th * bpp };
        continue;
      }
      const colours = (subencoding & HEXTILE_BACKGROUND ? bpp : 0) + (subencoding & HEXTILE_FOREGROUND ? bpp : 0);
      if (!(subencoding & HEXTILE_ANY_SUBRECTS)) {
        yield { skip: colours };
        continue;
      }
      const count = (yield { read: colours + 1 }).readUInt8(colours);
      yield { skip: count * (subencoding & HEXTILE_SUBRECTS_COLOURED ? bpp + 2 : 2) };
    }
  }
}

function* tight(width: number, height: number, pf: PixelFormat, png: boolean): Grammar {
  const name = png ? 'TightPNG' : 'Tight';
  // The low four bits only reset zlib streams; the high four say what follows.
  const control = (yield { read: 1 }).readUInt8(0) >> 4;
  const tpixel = tightPixelBytes(pf);
  if (control === TIGHT_FILL) return void (yield { skip: tpixel });
  if (control === TIGHT_JPEG) return yield* tightCompactData();
  if (control === TIGHT_PNG) {
    if (!png) throw new Refusal('a PNG sub-rectangle in a Tight (not TightPNG) rectangle');
    return yield* tightCompactData();
  }
  if (control > TIGHT_PNG) throw new Refusal(`${name} compression control ${control} is not defined`);
  if (png) throw new Refusal('basic compression in a TightPNG rectangle');
  const filter = control & TIGHT_EXPLICIT_FILTER ? (yield { read: 1 }).readUInt8(0) : TIGHT_FILTER_COPY;
  let size: number;
  switch (filter) {
    case TIGHT_FILTER_COPY:
    case TIGHT_FILTER_GRADIENT:
      size = width * height * tpixel;
      break;
    case TIGHT_FILTER_PALETTE: {
      const colours = (yield { read: 1 }).readUInt8(0) + 1;
      yield { skip: colours * tpixel };
      // Two colours pack eight pixels a byte, each row padded to a byte; more take a byte a pixel.
      size = (colours <= 2 ? Math.ceil(width / 8) : width) * height;
      break;
    }
    default:
      throw new Refusal(`Tight filter ${filter} is not defined`);
  }
  if (size < TIGHT_MIN_TO_COMPRESS) return void (yield { skip: size });
  return yield* tightCompactData();
}

/** Tight's compact length (7 bits, 7 bits, 8 bits, each byte's high bit saying another follows) and the data. */
function* tightCompactData(): Grammar {
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = (yield { read: 1 }).readUInt8(0);
    if (shift === 14) {
      length |= byte << 14;
      break;
    }
    length |= (byte & 0x7f) << shift;
    if (!(byte & 0x80)) break;
  }
  yield { skip: length };
}

interface MessageInProgress {
  grammar: Grammar;
  ctx: MessageContext;
  start: number;
  parts: Buffer[];
  /** Bytes the message has asked for so far, held against the limit before they arrive. */
  claimed: number;
  need: Need | undefined;
  /** Bytes still owed to `need`. */
  remaining: number;
  /** For a `read` spanning chunks: the pieces gathered so far. */
  gathered: Buffer[];
}

/**
 * Feed server→client bytes in any chunking, starting right after ServerInit;
 * whole messages come out with their stream offsets and bytes. Pixel formats
 * must be 8, 16 or 32 bits per pixel (what RFB allows).
 */
export class RfbServerMessageParser {
  private pixelFormat: PixelFormat;
  private readonly maxMessageBytes: number;
  private failure: string | undefined;
  /** Bytes consumed before the current chunk. */
  private consumed = 0;
  /** Where the current chunk is being read. */
  private at = 0;
  private message: MessageInProgress | undefined;

  constructor(pixelFormat: PixelFormat, options: ServerMessageParserOptions = {}) {
    this.pixelFormat = checkedPixelFormat(pixelFormat);
    this.maxMessageBytes = options.maxMessageBytes ?? MAX_SERVER_MESSAGE_BYTES;
  }

  /** The format the client set with SetPixelFormat; it applies from the next message that starts. */
  setPixelFormat(pixelFormat: PixelFormat): void {
    this.pixelFormat = checkedPixelFormat(pixelFormat);
  }

  feed(chunk: Buffer): ServerParseResult {
    if (this.failure !== undefined) return { messages: [], error: this.failure };
    const messages: ServerMessage[] = [];
    this.at = 0;
    let partStart = 0;
    try {
      for (;;) {
        if (this.message === undefined) {
          if (this.at === chunk.length) break;
          partStart = this.at;
          this.begin();
        }
        const message = this.message!;
        if (message.need !== undefined && !this.take(chunk, message)) break;
        if (message.need === undefined) {
          message.parts.push(chunk.subarray(partStart, this.at));
          messages.push(this.finish());
        }
      }
      if (this.message !== undefined && this.at > partStart) this.message.parts.push(chunk.subarray(partStart, this.at));
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      this.failure = error.message;
      this.message = undefined;
      return { messages, error: this.failure };
    } finally {
      this.consumed += this.at;
      this.at = 0;
    }
    return { messages };
  }

  private begin(): void {
    const ctx: MessageContext = {
      pixelFormat: this.pixelFormat,
      type: undefined,
      rectangles: [],
      position: () => this.consumed + this.at,
    };
    const grammar = serverMessage(ctx);
    const start = this.consumed + this.at;
    this.message = { grammar, ctx, start, parts: [], claimed: 0, need: undefined, gathered: [], remaining: 0 };
    this.advance(this.message, Buffer.alloc(0));
  }

  /** Consumes what the current need can use of `chunk`; false when the chunk ran out first. */
  private take(chunk: Buffer, message: MessageInProgress): boolean {
    const available = chunk.length - this.at;
    const used = Math.min(available, message.remaining);
    const need = message.need!;
    if ('read' in need) {
      if (used === message.remaining && message.gathered.length === 0) {
        const bytes = chunk.subarray(this.at, this.at + used);
        this.at += used;
        this.advance(message, bytes);
        return true;
      }
      message.gathered.push(chunk.subarray(this.at, this.at + used));
      this.at += used;
      message.remaining -= used;
      if (message.remaining > 0) return false;
      const bytes = Buffer.concat(message.gathered);
      message.gathered = [];
      this.advance(message, bytes);
      return true;
    }
    this.at += used;
    message.remaining -= used;
    if (message.remaining > 0) return false;
    this.advance(message, Buffer.alloc(0));
    return true;
  }

  /** Resumes the grammar with `bytes` until it needs input again or ends. */
  private advance(message: MessageInProgress, bytes: Buffer): void {
    let input = bytes;
    for (;;) {
      const step = message.grammar.next(input);
      if (step.done) {
        message.need = undefined;
        return;
      }
      const length = 'read' in step.value ? step.value.read : step.value.skip;
      message.claimed += length;
      if (message.claimed > this.maxMessageBytes) {
        const rectangle = message.ctx.rectangles.at(-1);
        const where = rectangle === undefined ? '' : ` (rectangle with encoding ${rectangle.encoding}, ${rectangle.width}×${rectangle.height})`;
        throw new Refusal(`${message.ctx.type ?? 'RFB server'} message claims more than the ${this.maxMessageBytes}-byte limit${where}`);
      }
      if (length > 0) {
        message.need = step.value;
        message.remaining = length;
        return;
      }
      input = Buffer.alloc(0);
    }
  }

  private finish(): ServerMessage {
    const { ctx, start, parts } = this.message!;
    this.message = undefined;
    const end = this.consumed + this.at;
    const type = ctx.type!;
    return type === 'FramebufferUpdate' ? { type, start, end, parts, rectangles: ctx.rectangles } : { type, start, end, parts };
  }
}

function checkedPixelFormat(pf: PixelFormat): PixelFormat {
  if (pf.bitsPerPixel !== 8 && pf.bitsPerPixel !== 16 && pf.bitsPerPixel !== 32) {
    throw new Error(`RFB bits per pixel must be 8, 16 or 32, not ${pf.bitsPerPixel}`);
  }
  return pf;
}
