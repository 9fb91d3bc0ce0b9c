// What the streaming upstream shows: a busy desktop's screen changes, built
// once as Hextile rectangles (and as Raw, for a client that did not ask for
// Hextile), each sent behind a 2×1 Raw "stamp" rectangle whose 8 pixel bytes
// are the moment of sending on the machine's monotonic clock. Viewers read the
// stamp of each update they receive, so latency is measured from the upstream's
// send to the viewer's last byte of that same update, across processes.
import type { PixelFormat } from '../../../shared/node/rfb.ts';
import type { ServerMessage } from '../../../shared/node/rfb-server-messages.ts';
import { hextileRect, rawRect, rectangle, type Area, type HextileTile } from '../../support/rfb-server-stream.ts';

const ENCODING_RAW = 0;
const STAMP_AREA: Area = { x: 0, y: 0, width: 2, height: 1 };
const RECTANGLE_HEADER_BYTES = 12;
/** FramebufferUpdate header (type, padding, count), then the stamp's rectangle header, then its pixels. */
const STAMP_OFFSET = 4 + RECTANGLE_HEADER_BYTES;
const STAMP_BYTES = 8;
/** Different window positions and pixels, cycled, so consecutive updates are not byte-identical. */
const VARIANTS = 6;

/** One screen change in both encodings; the stamp is added when it is sent. */
export interface Frame {
  hextile: Buffer[];
  raw: Buffer[];
}

export interface FrameSet {
  /** A full screen, for a non-incremental request (a viewer joining). */
  full: Frame;
  /** What changes on each tick. */
  changes: Frame[];
  /** Bytes of one change in Hextile, stamp included: what a viewer receives per update. */
  changeBytes: number;
}

/** Tiles of a video or animation: half raw, the rest solid or with a few coloured sub-rectangles. */
const busyTiles = (index: number): HextileTile => {
  const kind = index % 10;
  if (kind < 5) return { raw: true };
  if (kind < 7) return { background: true };
  return { background: true, subrects: 8, coloured: true };
};
/** A line of terminal text: background, foreground and glyph strokes in one colour. */
const textTiles = (): HextileTile => ({ background: true, foreground: true, subrects: 12 });
/** A mostly quiet desktop: solid tiles, some text, the odd picture. */
const desktopTiles = (index: number): HextileTile => {
  const kind = index % 20;
  if (kind === 0) return { raw: true };
  if (kind < 3) return textTiles();
  return { background: true };
};

function frame(pf: PixelFormat, parts: Array<{ area: Area; tiles?: (index: number) => HextileTile }>, seed: number): Frame {
  return {
    hextile: parts.map(({ area, tiles }, i) => (tiles ? hextileRect(area, pf, tiles, seed + i) : rawRect(area, pf, seed + i))),
    raw: parts.map(({ area }, i) => rawRect(area, pf, seed + i)),
  };
}

/** The screen's changes: a 480×320 animation that moves, a scrolling text line across the screen and a 64×64 picture. */
export function buildFrames(width: number, height: number, pf: PixelFormat): FrameSet {
  if (pf.bitsPerPixel !== 32) throw new Error(`the streaming upstream serves 32 bpp only, not ${pf.bitsPerPixel}`);
  if (width < 640 || height < 400) throw new Error(`the streaming upstream's screen must be at least 640×400, not ${width}×${height}`);
  const changes = Array.from({ length: VARIANTS }, (_, k) => frame(pf, [
    { area: { x: 32 * k, y: 48 + 16 * k, width: 480, height: 320 }, tiles: busyTiles },
    { area: { x: 0, y: height - 32, width, height: 32 }, tiles: textTiles },
    { area: { x: width - 64 - 8 * k, y: 8, width: 64, height: 64 } },
  ], 100 * (k + 1)));
  const full = frame(pf, [{ area: { x: 0, y: 0, width, height }, tiles: desktopTiles }], 1);
  const changeBytes = STAMP_OFFSET + STAMP_BYTES + changes[0]!.hextile.reduce((sum, b) => sum + b.length, 0);
  return { full, changes, changeBytes };
}

/** The FramebufferUpdate's header and stamp rectangle, to be followed by `rectangles` rectangles of a frame. */
export function stampedHead(rectangles: number, sentAtNs: bigint): Buffer {
  const head = Buffer.alloc(STAMP_OFFSET + STAMP_BYTES);
  head.writeUInt16BE(rectangles + 1, 2);
  rectangle(STAMP_AREA, ENCODING_RAW).copy(head, 4);
  head.writeBigUInt64BE(sentAtNs, STAMP_OFFSET);
  return head;
}

/** The update's first bytes that say when it was sent: its header, the stamp's rectangle header and the stamp. */
const STAMPED_HEAD_BYTES = STAMP_OFFSET + STAMP_BYTES;

/** Whether a FramebufferUpdate starts with a stamp (a replayed cursor, say, does not). */
function isStamped(message: ServerMessage): boolean {
  if (message.type !== 'FramebufferUpdate') return false;
  const first = message.rectangles[0];
  return first !== undefined && first.encoding === ENCODING_RAW && first.x === STAMP_AREA.x && first.y === STAMP_AREA.y && first.width === STAMP_AREA.width && first.height === STAMP_AREA.height;
}

/**
 * Reads the send time each update carries, for a viewer whose chunks are
 * overwritten once fed (read into a reused buffer): the first bytes of the
 * message in progress are copied as they pass, nothing else, so the stamp is
 * there when the update's last byte arrives however long ago its first did.
 * After each `feed` of the parser, call `stampOf` for each message it
 * completed, in order, then `fed` — both with the chunk fed and where it began
 * in the stream (bytes fed before it).
 */
export class StampCatcher {
  private readonly head = Buffer.alloc(STAMPED_HEAD_BYTES);
  /** Where the message in progress began in the stream. */
  private messageStart = 0;

  /** The send time `message` (completed by `chunk`) carries, or undefined when it does not start with a stamp. */
  stampOf(message: ServerMessage, chunk: Buffer, chunkStart: number): bigint | undefined {
    if (message.start !== this.messageStart) throw new Error(`a message at stream offset ${message.start}, but the one in progress began at ${this.messageStart}`);
    this.copyHead(chunk, chunkStart);
    this.messageStart = message.end;
    return isStamped(message) ? this.head.readBigUInt64BE(STAMP_OFFSET) : undefined;
  }

  /** After the messages `chunk` completed: keeps what it holds of the next one's first bytes. */
  fed(chunk: Buffer, chunkStart: number): void {
    this.copyHead(chunk, chunkStart);
  }

  private copyHead(chunk: Buffer, chunkStart: number): void {
    const from = Math.max(this.messageStart, chunkStart);
    const to = Math.min(this.messageStart + STAMPED_HEAD_BYTES, chunkStart + chunk.length);
    if (from < to) chunk.copy(this.head, from - this.messageStart, from - chunkStart, to - chunkStart);
  }
}
