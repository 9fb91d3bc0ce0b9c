/**
 * RFB server→client streams built by code, and a reference cutter written apart
 * from `shared/node/rfb-server-messages.ts`: a plain offset walk over a whole
 * buffer, from RFC 6143, the RFB community specification and noVNC 1.7's
 * decoders, sharing no code with the incremental parser it checks.
 *
 * The encoders write the framing exactly and fill pixel and compressed data with
 * seeded noise: the framing never looks inside that data, and noise there catches
 * a parser that does.
 */
import type { PixelFormat } from '../../shared/node/rfb.ts';

export interface Area { x: number; y: number; width: number; height: number }

/** Deterministic noise (xorshift32), so a failing case is reproduced by its seed. */
export function noise(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let s = (seed | 0) || 0x9e3779b9;
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  return out;
}

function u8(v: number): Buffer {
  return Buffer.from([v & 0xff]);
}

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v);
  return b;
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

function pixelBytes(pf: PixelFormat): number {
  return pf.bitsPerPixel / 8;
}

// ---------------------------------------------------------------- messages

/** A FramebufferUpdate; `count` defaults to the number of rectangles (0xffff is what servers send with LastRect). */
export function framebufferUpdate(rectangles: Buffer[], count = rectangles.length): Buffer {
  return Buffer.concat([Buffer.from([0, 0]), u16(count), ...rectangles]);
}

export function setColourMapEntries(firstColour: number, colours: number, seed = 1): Buffer {
  return Buffer.concat([Buffer.from([1, 0]), u16(firstColour), u16(colours), noise(6 * colours, seed)]);
}

export function bell(): Buffer {
  return Buffer.from([2]);
}

/** ServerCutText; `extended` writes the length negated, as the extended-clipboard extension does. */
export function serverCutText(payload: Buffer, extended = false): Buffer {
  const length = Buffer.alloc(4);
  length.writeInt32BE(extended ? -payload.length : payload.length);
  return Buffer.concat([Buffer.from([3, 0, 0, 0]), length, payload]);
}

export function endOfContinuousUpdates(): Buffer {
  return Buffer.from([150]);
}

export function serverFence(flags: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([248, 0, 0, 0]), u32(flags), u8(payload.length), payload]);
}

export function xvp(version: number, code: number): Buffer {
  return Buffer.from([250, 0, version, code]);
}

// ---------------------------------------------------------------- rectangles

export function rectangle(area: Area, encoding: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(area.x, 0);
  header.writeUInt16BE(area.y, 2);
  header.writeUInt16BE(area.width, 4);
  header.writeUInt16BE(area.height, 6);
  header.writeInt32BE(encoding, 8);
  return Buffer.concat([header, body]);
}

export function rawRect(area: Area, pf: PixelFormat, seed = 1): Buffer {
  return rectangle(area, 0, noise(area.width * area.height * pixelBytes(pf), seed));
}

export function copyRect(area: Area, srcX: number, srcY: number): Buffer {
  return rectangle(area, 1, Buffer.concat([u16(srcX), u16(srcY)]));
}

export function rreRect(area: Area, pf: PixelFormat, subrects: Area[], seed = 1): Buffer {
  const bpp = pixelBytes(pf);
  const body = [u32(subrects.length), noise(bpp, seed)];
  subrects.forEach((s, i) => body.push(noise(bpp, seed + i + 1), u16(s.x), u16(s.y), u16(s.width), u16(s.height)));
  return rectangle(area, 2, Buffer.concat(body));
}

/** One Hextile tile: raw pixels, or optional background/foreground and sub-rectangles (coloured or not). */
export type HextileTile =
  | { raw: true }
  | { raw?: false; background?: boolean; foreground?: boolean; subrects?: number; coloured?: boolean };

/** Hextile; `tiles` is asked for each 16×16 tile in row order, with its index. */
export function hextileRect(area: Area, pf: PixelFormat, tiles: (index: number) => HextileTile, seed = 1): Buffer {
  const bpp = pixelBytes(pf);
  const body: Buffer[] = [];
  let index = 0;
  for (let ty = 0; ty < area.height; ty += 16) {
    for (let tx = 0; tx < area.width; tx += 16) {
      const tw = Math.min(16, area.width - tx);
      const th = Math.min(16, area.height - ty);
      const tile = tiles(index);
      const tileSeed = seed * 7919 + index++;
      if (tile.raw) {
        body.push(u8(1), noise(tw * th * bpp, tileSeed));
        continue;
      }
      const count = tile.subrects ?? 0;
      const sub = (tile.background ? 2 : 0) | (tile.foreground ? 4 : 0) | (count > 0 ? 8 : 0) | (count > 0 && tile.coloured ? 16 : 0);
      body.push(u8(sub));
      if (tile.background) body.push(noise(bpp, tileSeed + 1));
      if (tile.foreground) body.push(noise(bpp, tileSeed + 2));
      if (count > 0) {
        body.push(u8(count));
        for (let i = 0; i < count; i++) {
          if (tile.coloured) body.push(noise(bpp, tileSeed + 3 + i));
          // x,y and w-1,h-1 in nibbles, kept inside the tile.
          body.push(Buffer.from([((i % tw) << 4) | (i % th), 0x00]));
        }
      }
    }
  }
  return rectangle(area, 5, Buffer.concat(body));
}

/** Zlib: a 4-byte length and that many bytes of (here, opaque) zlib stream. */
export function zlibRect(area: Area, compressedLength: number, seed = 1): Buffer {
  return rectangle(area, 6, Buffer.concat([u32(compressedLength), noise(compressedLength, seed)]));
}

export function zrleRect(area: Area, compressedLength: number, seed = 1): Buffer {
  return rectangle(area, 16, Buffer.concat([u32(compressedLength), noise(compressedLength, seed)]));
}

export type TightBody =
  | { kind: 'fill' }
  | { kind: 'jpeg' | 'png'; length: number }
  | {
    kind: 'basic';
    filter: 'copy' | 'palette' | 'gradient';
    /** The copy filter may be implicit; palette and gradient are always named. */
    explicitFilter?: boolean;
    /** Palette size, 1 to 256. */
    colours?: number;
    stream?: number;
    /** Bits 0–3 of the control byte: which zlib streams to reset. */
    reset?: number;
    /** Length of the compressed data, sent only when the filtered data is 12 bytes or more. */
    length: number;
  };

/** Tight's TPIXEL size, from the Tight specification's rule. */
export function tightPixelSize(pf: PixelFormat): number {
  const rgb24 = pf.trueColour && pf.bitsPerPixel === 32 && pf.depth === 24 && pf.redMax === 255 && pf.greenMax === 255 && pf.blueMax === 255;
  return rgb24 ? 3 : pf.bitsPerPixel / 8;
}

export function compactLength(length: number): Buffer {
  if (length < 0x80) return u8(length);
  if (length < 0x4000) return Buffer.from([(length & 0x7f) | 0x80, length >> 7]);
  return Buffer.from([(length & 0x7f) | 0x80, ((length >> 7) & 0x7f) | 0x80, length >> 14]);
}

/** Tight (encoding 7) or, with `png`, TightPNG (-260). */
export function tightRect(area: Area, pf: PixelFormat, body: TightBody, seed = 1, png = false): Buffer {
  const tpixel = tightPixelSize(pf);
  const out: Buffer[] = [];
  switch (body.kind) {
    case 'fill':
      out.push(u8(0x80), noise(tpixel, seed));
      break;
    case 'jpeg':
    case 'png':
      out.push(u8(body.kind === 'jpeg' ? 0x90 : 0xa0), compactLength(body.length), noise(body.length, seed));
      break;
    case 'basic': {
      const explicit = body.filter !== 'copy' || body.explicitFilter === true;
      out.push(u8((((body.stream ?? 0) | (explicit ? 4 : 0)) << 4) | (body.reset ?? 0)));
      let size = area.width * area.height * tpixel;
      if (explicit) out.push(u8(body.filter === 'copy' ? 0 : body.filter === 'palette' ? 1 : 2));
      if (body.filter === 'palette') {
        const colours = body.colours ?? 2;
        out.push(u8(colours - 1), noise(colours * tpixel, seed + 1));
        size = colours <= 2 ? Math.floor((area.width + 7) / 8) * area.height : area.width * area.height;
      }
      if (size < 12) out.push(noise(size, seed + 2));
      else out.push(compactLength(body.length), noise(body.length, seed + 2));
      break;
    }
  }
  return rectangle(area, png ? -260 : 7, Buffer.concat(out));
}

/** The Cursor pseudo-encoding: pixels, then a bitmask with each row padded to a byte. */
export function cursorRect(area: Area, pf: PixelFormat, seed = 1): Buffer {
  const pixels = area.width * area.height * pixelBytes(pf);
  const mask = Math.floor((area.width + 7) / 8) * area.height;
  return rectangle(area, -239, noise(pixels + mask, seed));
}

export function desktopSizeRect(width: number, height: number): Buffer {
  return rectangle({ x: 0, y: 0, width, height }, -223);
}

export function extendedDesktopSizeRect(width: number, height: number, screens: number, seed = 1): Buffer {
  return rectangle({ x: 0, y: 0, width, height }, -308, Buffer.concat([Buffer.from([screens, 0, 0, 0]), noise(16 * screens, seed)]));
}

export function lastRect(): Buffer {
  return rectangle({ x: 0, y: 0, width: 0, height: 0 }, -224);
}

/** The zero-size acknowledgements: QEMU extended key event (-258), QEMU audio (-259), extended mouse buttons (-316). */
export function ackRect(encoding: -258 | -259 | -316): Buffer {
  return rectangle({ x: 0, y: 0, width: 0, height: 0 }, encoding);
}

export function ledStateRect(state: number): Buffer {
  return rectangle({ x: 0, y: 0, width: 0, height: 0 }, -261, u8(state));
}

export function desktopNameRect(name: string): Buffer {
  const bytes = Buffer.from(name, 'utf8');
  return rectangle({ x: 0, y: 0, width: 0, height: 0 }, -307, Buffer.concat([u32(bytes.length), bytes]));
}

// ---------------------------------------------------------------- reference cutter

export interface ReferenceCut {
  type: number;
  end: number;
  encodings: number[];
}

/**
 * Cuts a whole, complete server→client stream into messages: type, end offset,
 * and for a FramebufferUpdate its rectangles' encodings. Throws on anything it
 * does not know or on a truncated stream.
 */
export function referenceCut(stream: Buffer, pf: PixelFormat): ReferenceCut[] {
  const bpp = pf.bitsPerPixel / 8;
  const tpixel = tightPixelSize(pf);
  let p = 0;
  const has = (n: number): void => {
    if (p + n > stream.length) throw new Error(`truncated at ${p}: need ${n} more bytes`);
  };
  const byte = (): number => { has(1); return stream[p++]!; };
  const word = (): number => { has(2); p += 2; return stream.readUInt16BE(p - 2); };
  const long = (): number => { has(4); p += 4; return stream.readUInt32BE(p - 4); };
  const skip = (n: number): void => { has(n); p += n; };
  const compact = (): number => {
    let b = byte();
    let n = b & 0x7f;
    if (b & 0x80) {
      b = byte();
      n += (b & 0x7f) * 128;
      if (b & 0x80) n += byte() * 16384;
    }
    return n;
  };

  const cuts: ReferenceCut[] = [];
  while (p < stream.length) {
    const type = byte();
    const encodings: number[] = [];
    if (type === 0) {
      skip(1);
      let count = word();
      while (count > 0) {
        count--;
        skip(4);
        const w = word();
        const h = word();
        const encoding = long() | 0;
        encodings.push(encoding);
        if (encoding === -224) break;
        if (encoding === 0) skip(w * h * bpp);
        else if (encoding === 1) skip(4);
        else if (encoding === 2) { const n = long(); skip(bpp + n * (bpp + 8)); }
        else if (encoding === 5) {
          for (let ty = 0; ty < h; ty += 16) {
            for (let tx = 0; tx < w; tx += 16) {
              const tileW = Math.min(16, w - tx);
              const tileH = Math.min(16, h - ty);
              const sub = byte();
              if (sub & 1) { skip(tileW * tileH * bpp); continue; }
              if (sub & 2) skip(bpp);
              if (sub & 4) skip(bpp);
              if (sub & 8) { const n = byte(); skip(n * ((sub & 16) ? bpp + 2 : 2)); }
            }
          }
        } else if (encoding === 6 || encoding === 16) skip(long());
        else if (encoding === 7 || encoding === -260) {
          const kind = byte() >> 4;
          if (kind === 8) skip(tpixel);
          else if (kind === 9 || kind === 10) skip(compact());
          else {
            const filter = kind & 4 ? byte() : 0;
            let size = w * h * tpixel;
            if (filter === 1) {
              const colours = byte() + 1;
              skip(colours * tpixel);
              size = colours === 1 || colours === 2 ? h * Math.floor((w + 7) / 8) : w * h;
            }
            skip(size >= 12 ? compact() : size);
          }
        } else if (encoding === -239) skip(w * h * bpp + h * Math.floor((w + 7) / 8));
        else if (encoding === -261) skip(1);
        else if (encoding === -307) skip(long());
        else if (encoding === -308) { const screens = byte(); skip(3 + screens * 16); }
        else if (![-223, -258, -259, -316].includes(encoding)) throw new Error(`reference: encoding ${encoding}`);
      }
    } else if (type === 1) { skip(3); skip(word() * 6); }
    else if (type === 3) { skip(3); skip(Math.abs(long() | 0)); }
    else if (type === 248) { skip(7); skip(byte()); }
    else if (type === 250) skip(3);
    else if (type !== 2 && type !== 150) throw new Error(`reference: message type ${type}`);
    cuts.push({ type, end: p, encodings });
  }
  return cuts;
}
