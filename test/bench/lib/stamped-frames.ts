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

/** The send time a FramebufferUpdate carries, or undefined when it does not start with a stamp (a replayed cursor, say). */
export function readStamp(message: ServerMessage): bigint | undefined {
  if (message.type !== 'FramebufferUpdate') return undefined;
  const first = message.rectangles[0];
  if (!first || first.encoding !== ENCODING_RAW || first.x !== 0 || first.y !== 0 || first.width !== STAMP_AREA.width || first.height !== STAMP_AREA.height) {
    return undefined;
  }
  return bytesAt(message.parts, first.start - message.start + RECTANGLE_HEADER_BYTES, STAMP_BYTES).readBigUInt64BE(0);
}

/** `length` bytes at `offset` of a message held as consecutive views. */
function bytesAt(parts: readonly Buffer[], offset: number, length: number): Buffer {
  let skipped = 0;
  const out: Buffer[] = [];
  let wanted = length;
  for (const part of parts) {
    if (wanted === 0) break;
    const from = Math.max(0, offset - skipped);
    skipped += part.length;
    if (from >= part.length) continue;
    const piece = part.subarray(from, from + wanted);
    out.push(piece);
    wanted -= piece.length;
  }
  if (wanted > 0) throw new Error(`the message is shorter than ${offset + length} bytes`);
  return out.length === 1 ? out[0]! : Buffer.concat(out);
}
