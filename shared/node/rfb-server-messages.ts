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

/**
 * What a grammar asks for: `read` makes the bytes readable through the context,
 * `skip` only counts them, and a nested grammar runs to its end before the one
 * that yielded it resumes. The parser keeps that nesting on its own stack, so a
 * resumption costs one generator step however deep the grammar is.
 */
type Step = { read: number } | { skip: number } | Grammar;
type Grammar = Generator<Step, void, void>;

/** What a grammar may see of the parser: where it is, and the chunk it is reading. */
interface ParserCursor {
  position(): number;
  chunk(): Buffer;
  at(): number;
}

/** A message being cut: what its grammar knows and can read. */
class MessageContext {
  type: ServerMessageTypeName | undefined;
  readonly rectangles: Rectangle[] = [];
  /** The bytes of the last `read`, at `offset` in `bytes` (the fed chunk itself when it held them all). */
  bytes: Buffer = EMPTY;
  offset = 0;

  constructor(readonly pixelFormat: PixelFormat, private readonly parser: ParserCursor) {}

  /** Stream offset of the next unconsumed byte. */
  position(): number {
    return this.parser.position();
  }

  /** The chunk being fed; its bytes from `unreadOffset()` on are not consumed yet. */
  unreadChunk(): Buffer {
    return this.parser.chunk();
  }

  unreadOffset(): number {
    return this.parser.at();
  }

  u8(at: number): number {
    return this.bytes.readUInt8(this.offset + at);
  }

  u16(at: number): number {
    return this.bytes.readUInt16BE(this.offset + at);
  }

  u32(at: number): number {
    return this.bytes.readUInt32BE(this.offset + at);
  }

  s32(at: number): number {
    return this.bytes.readInt32BE(this.offset + at);
  }
}

const EMPTY = Buffer.alloc(0);

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
  yield { read: 1 };
  const type = ctx.u8(0);
  switch (type) {
    case ServerMessageType.FramebufferUpdate:
      ctx.type = 'FramebufferUpdate';
      yield framebufferUpdate(ctx);
      return;
    case ServerMessageType.SetColourMapEntries:
      ctx.type = 'SetColourMapEntries';
      yield { read: 5 };
      yield { skip: 6 * ctx.u16(3) };
      return;
    case ServerMessageType.Bell:
      ctx.type = 'Bell';
      return;
    case ServerMessageType.ServerCutText: {
      ctx.type = 'ServerCutText';
      yield { read: 7 };
      // The extended-clipboard extension sends a negative length meaning |length| bytes follow.
      const length = Math.abs(ctx.s32(3));
      if (length > MAX_CUT_TEXT_BYTES) throw new Refusal(`ServerCutText of ${length} bytes exceeds the ${MAX_CUT_TEXT_BYTES}-byte limit`);
      yield { skip: length };
      return;
    }
    case ServerMessageType.EndOfContinuousUpdates:
      ctx.type = 'EndOfContinuousUpdates';
      return;
    case ServerMessageType.ServerFence:
      ctx.type = 'ServerFence';
      yield { read: 8 };
      yield { skip: ctx.u8(7) };
      return;
    case ServerMessageType.Xvp:
      ctx.type = 'Xvp';
      yield { skip: 3 };
      return;
    default:
      throw new Refusal(`unknown RFB server message type ${type}`);
  }
}

function* framebufferUpdate(ctx: MessageContext): Grammar {
  yield { read: 3 };
  // With LastRect the count is only an upper bound (servers send 0xffff).
  let remaining = ctx.u16(1);
  while (remaining-- > 0) {
    const start = ctx.position();
    yield { read: 12 };
    const rect: Rectangle = { x: ctx.u16(0), y: ctx.u16(2), width: ctx.u16(4), height: ctx.u16(6), encoding: ctx.s32(8), start, end: start };
    ctx.rectangles.push(rect);
    yield rectangleBody(rect, ctx);
    rect.end = ctx.position();
    if (rect.encoding === Encoding.LastRect) return;
  }
}

function* rectangleBody(rect: Rectangle, ctx: MessageContext): Grammar {
  const { width, height } = rect;
  const bpp = bytesPerPixel(ctx.pixelFormat);
  switch (rect.encoding) {
    case Encoding.Raw:
      yield { skip: width * height * bpp };
      return;
    case Encoding.CopyRect:
      yield { skip: 4 };
      return;
    case Encoding.RRE:
      yield { read: 4 };
      yield { skip: bpp + ctx.u32(0) * (bpp + 8) };
      return;
    case Encoding.Hextile:
      yield hextile(width, height, bpp, ctx);
      return;
    case Encoding.Zlib:
      // noVNC reads no length for an empty Zlib rectangle; other clients do. Neither guess is safe.
      if (width === 0 || height === 0) throw new Refusal('a Zlib rectangle of zero area is read differently by noVNC and by the RFB specification');
      yield { read: 4 };
      yield { skip: ctx.u32(0) };
      return;
    case Encoding.ZRLE:
      yield { read: 4 };
      yield { skip: ctx.u32(0) };
      return;
    case Encoding.Tight:
      yield tight(width, height, ctx, false);
      return;
    case Encoding.TightPNG:
      yield tight(width, height, ctx, true);
      return;
    case Encoding.Cursor:
      yield { skip: width * height * bpp + Math.ceil(width / 8) * height };
      return;
    case Encoding.DesktopSize:
    case Encoding.LastRect:
    case Encoding.QemuExtendedKeyEvent:
    case Encoding.QemuAudio:
    case Encoding.ExtendedMouseButtons:
      return;
    case Encoding.QemuLedState:
      yield { skip: 1 };
      return;
    case Encoding.DesktopName:
      yield { read: 4 };
      yield { skip: ctx.u32(0) };
      return;
    case Encoding.ExtendedDesktopSize:
      yield { read: 1 };
      yield { skip: 3 + 16 * ctx.u8(0) };
      return;
    default:
      throw new Refusal(`unsupported RFB encoding ${rect.encoding} in a FramebufferUpdate rectangle`);
  }
}

/** Bytes of a Hextile tile's header that say how long the tile is: the subencoding, and any colours and count before the sub-rectangles. */
function hextileHeaderLength(subencoding: number, bpp: number): number {
  if (subencoding > HEXTILE_LAST_DEFINED) throw new Refusal(`Hextile subencoding ${subencoding} is not defined`);
  if (subencoding & HEXTILE_RAW || !(subencoding & HEXTILE_ANY_SUBRECTS)) return 1;
  return 2 + (subencoding & HEXTILE_BACKGROUND ? bpp : 0) + (subencoding & HEXTILE_FOREGROUND ? bpp : 0);
}

/** A whole Hextile tile's length; `subrects` is the count byte (ignored unless the tile has sub-rectangles). */
function hextileTileLength(subencoding: number, subrects: number, tileWidth: number, tileHeight: number, bpp: number): number {
  if (subencoding & HEXTILE_RAW) return 1 + tileWidth * tileHeight * bpp;
  const colours = (subencoding & HEXTILE_BACKGROUND ? bpp : 0) + (subencoding & HEXTILE_FOREGROUND ? bpp : 0);
  if (!(subencoding & HEXTILE_ANY_SUBRECTS)) return 1 + colours;
  return 2 + colours + subrects * (subencoding & HEXTILE_SUBRECTS_COLOURED ? bpp + 2 : 2);
}

function* hextile(width: number, height: number, bpp: number, ctx: MessageContext): Grammar {
  const columns = Math.ceil(width / 16);
  const tiles = columns * Math.ceil(height / 16);
  const tileWidth = (tile: number): number => Math.min(16, width - (tile % columns) * 16);
  const tileHeight = (tile: number): number => Math.min(16, height - Math.floor(tile / columns) * 16);
  let tile = 0;
  while (tile < tiles) {
    // A screen is thousands of tiles: those whose header the chunk already holds are
    // walked here, without a generator step each, and skipped as one (the last may
    // run on into later chunks; a skip spans chunks).
    const chunk = ctx.unreadChunk();
    const from = ctx.unreadOffset();
    let at = from;
    for (; tile < tiles && at < chunk.length; tile++) {
      const subencoding = chunk[at]!;
      const header = hextileHeaderLength(subencoding, bpp);
      if (at + header > chunk.length) break;
      at += hextileTileLength(subencoding, chunk[at + header - 1]!, tileWidth(tile), tileHeight(tile), bpp);
    }
    if (at > from) {
      yield { skip: at - from };
      continue;
    }
    // A tile header across chunks: gathered, then the rest of the tile counted.
    yield { read: 1 };
    const subencoding = ctx.u8(0);
    const header = hextileHeaderLength(subencoding, bpp);
    let subrects = 0;
    if (header > 1) {
      yield { read: header - 1 };
      subrects = ctx.u8(header - 2);
    }
    yield { skip: hextileTileLength(subencoding, subrects, tileWidth(tile), tileHeight(tile), bpp) - header };
    tile++;
  }
}

function* tight(width: number, height: number, ctx: MessageContext, png: boolean): Grammar {
  const name = png ? 'TightPNG' : 'Tight';
  yield { read: 1 };
  // The low four bits only reset zlib streams; the high four say what follows.
  const control = ctx.u8(0) >> 4;
  const tpixel = tightPixelBytes(ctx.pixelFormat);
  if (control === TIGHT_FILL) {
    yield { skip: tpixel };
    return;
  }
  if (control === TIGHT_PNG && !png) throw new Refusal('a PNG sub-rectangle in a Tight (not TightPNG) rectangle');
  if (control === TIGHT_JPEG || control === TIGHT_PNG) {
    yield tightCompactData(ctx);
    return;
  }
  if (control > TIGHT_PNG) throw new Refusal(`${name} compression control ${control} is not defined`);
  if (png) throw new Refusal('basic compression in a TightPNG rectangle');
  let filter = TIGHT_FILTER_COPY;
  if (control & TIGHT_EXPLICIT_FILTER) {
    yield { read: 1 };
    filter = ctx.u8(0);
  }
  let size: number;
  switch (filter) {
    case TIGHT_FILTER_COPY:
    case TIGHT_FILTER_GRADIENT:
      size = width * height * tpixel;
      break;
    case TIGHT_FILTER_PALETTE: {
      yield { read: 1 };
      const colours = ctx.u8(0) + 1;
      yield { skip: colours * tpixel };
      // Two colours pack eight pixels a byte, each row padded to a byte; more take a byte a pixel.
      size = (colours <= 2 ? Math.ceil(width / 8) : width) * height;
      break;
    }
    default:
      throw new Refusal(`Tight filter ${filter} is not defined`);
  }
  yield size < TIGHT_MIN_TO_COMPRESS ? { skip: size } : tightCompactData(ctx);
}

/** Tight's compact length (7 bits, 7 bits, 8 bits, each byte's high bit saying another follows) and the data. */
function* tightCompactData(ctx: MessageContext): Grammar {
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    yield { read: 1 };
    const byte = ctx.u8(0);
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
  ctx: MessageContext;
  /** The grammar running now is last; each one below resumes when the one above it ends. */
  stack: Grammar[];
  start: number;
  parts: Buffer[];
  /** Bytes the message has asked for so far, held against the limit before they arrive. */
  claimed: number;
  reading: boolean;
  /** Bytes still owed to the current `read` or `skip`; 0 once the grammar has ended. */
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
  /** The chunk being fed (empty between feeds), and where it is being read. */
  private chunk: Buffer = EMPTY;
  private at = 0;
  private readonly cursor: ParserCursor = {
    position: () => this.position(),
    chunk: () => this.chunk,
    at: () => this.at,
  };
  private message: MessageInProgress | undefined;

  constructor(pixelFormat: PixelFormat, options: ServerMessageParserOptions = {}) {
    this.pixelFormat = checkedPixelFormat(pixelFormat);
    this.maxMessageBytes = options.maxMessageBytes ?? MAX_SERVER_MESSAGE_BYTES;
  }

  /** A message is under way: the parser holds views of what it was fed, which must not change until the message is whole. */
  get holding(): boolean {
    return this.message !== undefined;
  }

  /** The format the client set with SetPixelFormat; it applies from the next message that starts. */
  setPixelFormat(pixelFormat: PixelFormat): void {
    this.pixelFormat = checkedPixelFormat(pixelFormat);
  }

  private position(): number {
    return this.consumed + this.at;
  }

  feed(chunk: Buffer): ServerParseResult {
    if (this.failure !== undefined) return { messages: [], error: this.failure };
    const messages: ServerMessage[] = [];
    this.chunk = chunk;
    this.at = 0;
    let partStart = 0;
    try {
      for (;;) {
        if (this.message === undefined) {
          if (this.at === chunk.length) break;
          partStart = this.at;
          this.begin(chunk);
        }
        const message = this.message!;
        if (message.remaining > 0 && !this.take(chunk, message)) break;
        if (message.remaining === 0) {
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
      this.chunk = EMPTY;
      this.at = 0;
    }
    return { messages };
  }

  private begin(chunk: Buffer): void {
    const ctx = new MessageContext(this.pixelFormat, this.cursor);
    const message: MessageInProgress = {
      ctx, stack: [serverMessage(ctx)], start: this.position(), parts: [], claimed: 0, reading: false, remaining: 0, gathered: [],
    };
    this.message = message;
    this.advance(message, chunk);
  }

  /** Consumes what the current step can use of `chunk`; false when the chunk ran out first. */
  private take(chunk: Buffer, message: MessageInProgress): boolean {
    const used = Math.min(chunk.length - this.at, message.remaining);
    if (message.reading) {
      message.gathered.push(chunk.subarray(this.at, this.at + used));
      if (used === message.remaining) {
        message.ctx.bytes = Buffer.concat(message.gathered);
        message.ctx.offset = 0;
        message.gathered = [];
      }
    }
    this.at += used;
    message.remaining -= used;
    if (message.remaining > 0) return false;
    this.advance(message, chunk);
    return true;
  }

  /**
   * Runs the grammars until one needs bytes `chunk` does not hold yet (`remaining` > 0)
   * or all have ended (`remaining` = 0). Steps the chunk can serve are served here,
   * without a round trip through `feed`: a Hextile screen is thousands of them.
   */
  private advance(message: MessageInProgress, chunk: Buffer): void {
    const { stack, ctx } = message;
    for (;;) {
      const grammar = stack.at(-1);
      if (grammar === undefined) return;
      const step = grammar.next();
      if (step.done) {
        stack.pop();
        continue;
      }
      const need = step.value;
      if ('next' in need) {
        stack.push(need);
        continue;
      }
      const reading = 'read' in need;
      const length = reading ? need.read : need.skip;
      message.claimed += length;
      if (message.claimed > this.maxMessageBytes) {
        const rectangle = ctx.rectangles.at(-1);
        const where = rectangle === undefined ? '' : ` (rectangle with encoding ${rectangle.encoding}, ${rectangle.width}×${rectangle.height})`;
        throw new Refusal(`${ctx.type ?? 'RFB server'} message claims more than the ${this.maxMessageBytes}-byte limit${where}`);
      }
      if (chunk.length - this.at >= length) {
        if (reading) {
          ctx.bytes = chunk;
          ctx.offset = this.at;
        }
        this.at += length;
        continue;
      }
      message.reading = reading;
      message.remaining = length;
      return;
    }
  }

  private finish(): ServerMessage {
    const { ctx, start, parts } = this.message!;
    this.message = undefined;
    const end = this.position();
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
