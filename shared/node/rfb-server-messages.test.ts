import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { MAX_SERVER_MESSAGE_BYTES, RfbServerMessageParser, ServerMessageType } from './rfb-server-messages.ts';
import type { ServerMessage, ServerParseResult } from './rfb-server-messages.ts';
import {
  MAX_CUT_TEXT_BYTES, PIXEL_FORMAT_RGB888, encodeClientHandshake, encodeFramebufferUpdateRequest, encodeKeyEvent, encodeSetPixelFormat,
} from './rfb.ts';
import type { PixelFormat } from './rfb.ts';
import {
  ackRect, bell, compactLength, copyRect, cursorRect, desktopNameRect, desktopSizeRect, endOfContinuousUpdates, extendedDesktopSizeRect,
  framebufferUpdate, hextileRect, lastRect, ledStateRect, noise, rawRect, rectangle, referenceCut, rreRect, serverCutText, serverFence,
  setColourMapEntries, tightRect, xvp, zlibRect, zrleRect,
} from '../../test/support/rfb-server-stream.ts';
import type { Area, HextileTile, TightBody } from '../../test/support/rfb-server-stream.ts';
import { BuiltinRfbServer } from '../../test/cluster/vnc/rfb-server.ts';
import { createDuplexPair } from '../../test/cluster/vnc/duplex-pair.ts';

const RGB565: PixelFormat = {
  bitsPerPixel: 16, depth: 16, bigEndian: false, trueColour: true,
  redMax: 31, greenMax: 63, blueMax: 31, redShift: 11, greenShift: 5, blueShift: 0,
};
const BGR233: PixelFormat = {
  bitsPerPixel: 8, depth: 8, bigEndian: false, trueColour: true,
  redMax: 7, greenMax: 7, blueMax: 3, redShift: 0, greenShift: 3, blueShift: 6,
};
/** 32 bpp but depth 32: Tight sends whole 4-byte pixels, not the packed 3-byte TPIXEL. */
const RGB888_DEPTH32: PixelFormat = { ...PIXEL_FORMAT_RGB888, depth: 32 };
const FORMATS = [PIXEL_FORMAT_RGB888, RGB888_DEPTH32, RGB565, BGR233];

function feedAll(parser: RfbServerMessageParser, chunks: Buffer[]): ServerParseResult {
  const messages: ServerMessage[] = [];
  for (const chunk of chunks) {
    const result = parser.feed(chunk);
    messages.push(...result.messages);
    if (result.error !== undefined) return { messages, error: result.error };
  }
  return { messages };
}

function inPieces(buf: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < buf.length; at += size) chunks.push(buf.subarray(at, at + size));
  return chunks;
}

function splitAt(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const p of [...points, buf.length]) {
    chunks.push(buf.subarray(start, p));
    start = p;
  }
  return chunks;
}

const summary = (m: ServerMessage) => ({
  type: m.type, start: m.start, end: m.end,
  encodings: m.type === 'FramebufferUpdate' ? m.rectangles.map((r) => r.encoding) : [],
});

/** One FramebufferUpdate holding `rect`, then a Bell: the Bell is found only if the rectangle was sized exactly. */
function expectOneRectangle(pf: PixelFormat, rect: Buffer, encoding: number, pieceSizes = [1, 7]): void {
  const update = framebufferUpdate([rect]);
  const stream = Buffer.concat([update, bell()]);
  for (const chunks of [[stream], ...pieceSizes.map((size) => inPieces(stream, size))]) {
    const { messages, error } = feedAll(new RfbServerMessageParser(pf), chunks);
    expect(error).toBeUndefined();
    expect(messages.map(summary)).toEqual([
      { type: 'FramebufferUpdate', start: 0, end: update.length, encodings: [encoding] },
      { type: 'Bell', start: update.length, end: update.length + 1, encodings: [] },
    ]);
    const [first] = messages;
    if (first?.type !== 'FramebufferUpdate') throw new Error('expected a FramebufferUpdate');
    expect(first.rectangles[0]).toMatchObject({ start: 4, end: update.length });
    expect(Buffer.concat(first.parts).equals(update)).toBe(true);
  }
}

const area = (width: number, height: number): Area => ({ x: 3, y: 5, width, height });

describe('RfbServerMessageParser: rectangles by encoding', () => {
  it.each([
    ['32 bpp', PIXEL_FORMAT_RGB888, area(5, 3)],
    ['16 bpp', RGB565, area(5, 3)],
    ['8 bpp', BGR233, area(5, 3)],
    ['zero area', PIXEL_FORMAT_RGB888, area(0, 7)],
  ])('Raw at %s', (_name, pf, a) => {
    expectOneRectangle(pf, rawRect(a, pf), 0);
  });

  it('CopyRect', () => {
    expectOneRectangle(PIXEL_FORMAT_RGB888, copyRect(area(40, 30), 100, 200), 1);
  });

  it.each([0, 1, 3])('RRE with %i sub-rectangles, at 16 and 32 bpp', (count) => {
    const subrects = Array.from({ length: count }, (_, i) => ({ x: i, y: i, width: 2, height: 1 }));
    expectOneRectangle(RGB565, rreRect(area(10, 10), RGB565, subrects), 2);
    expectOneRectangle(PIXEL_FORMAT_RGB888, rreRect(area(10, 10), PIXEL_FORMAT_RGB888, subrects), 2);
  });

  it('Hextile walks every tile, partial edge tiles included, in each tile kind', () => {
    const kinds: HextileTile[] = [
      { raw: true },
      {},
      { background: true },
      { background: true, foreground: true, subrects: 3 },
      { foreground: true, subrects: 1 },
      { subrects: 5, coloured: true },
      { background: true, subrects: 255, coloured: true },
    ];
    for (const pf of [PIXEL_FORMAT_RGB888, RGB565, BGR233]) {
      // 33×40 is 3×3 tiles; the last column is 1 pixel wide and the last row 8 high.
      expectOneRectangle(pf, hextileRect(area(33, 40), pf, (i) => kinds[i % kinds.length]!), 5);
    }
  });

  it('Hextile over a screenful of tiles in socket-sized chunks, tiles and headers falling across chunk edges', () => {
    const kinds: HextileTile[] = [{}, { background: true, foreground: true, subrects: 7 }, { raw: true }, { subrects: 3, coloured: true }];
    const screen = hextileRect(area(650, 410), PIXEL_FORMAT_RGB888, (i) => kinds[(i * 7) % kinds.length]!);
    expectOneRectangle(PIXEL_FORMAT_RGB888, screen, 5, [1000, 4093, 65536]);
  });

  it('Zlib and ZRLE: a 4-byte length, then that many bytes', () => {
    for (const length of [0, 1, 300]) {
      expectOneRectangle(PIXEL_FORMAT_RGB888, zlibRect(area(20, 20), length), 6);
      expectOneRectangle(PIXEL_FORMAT_RGB888, zrleRect(area(20, 20), length), 16);
    }
    expectOneRectangle(PIXEL_FORMAT_RGB888, zrleRect(area(0, 0), 8), 16);
  });

  it('Tight compact lengths at each width boundary', () => {
    for (const length of [0, 1, 127, 128, 16383, 16384, 70000]) {
      expect(compactLength(length).length).toBe(length < 128 ? 1 : length < 16384 ? 2 : 3);
      expectOneRectangle(PIXEL_FORMAT_RGB888, tightRect(area(8, 8), PIXEL_FORMAT_RGB888, { kind: 'jpeg', length }), 7);
    }
  });

  it('Tight takes the largest compact length, 4 MiB less one byte', () => {
    expectOneRectangle(PIXEL_FORMAT_RGB888, tightRect(area(8, 8), PIXEL_FORMAT_RGB888, { kind: 'jpeg', length: 0x3fffff }), 7, [65536, 1000]);
  });

  it.each<[string, Area, TightBody]>([
    ['fill', area(50, 50), { kind: 'fill' }],
    ['implicit copy, under 12 bytes so sent raw', area(1, 3), { kind: 'basic', filter: 'copy', length: 99 }],
    ['implicit copy, 12 bytes or more so compressed', area(2, 2), { kind: 'basic', filter: 'copy', length: 10 }],
    ['explicit copy on stream 3, resetting streams', area(4, 4), { kind: 'basic', filter: 'copy', explicitFilter: true, stream: 3, reset: 0xf, length: 20 }],
    ['empty copy', area(0, 4), { kind: 'basic', filter: 'copy', length: 20 }],
    ['two-colour palette, 1 bit a pixel, rows padded (9×2 → 4 bytes raw)', area(9, 2), { kind: 'basic', filter: 'palette', colours: 2, length: 5 }],
    ['two-colour palette compressed (100×1 → 13 bytes)', area(100, 1), { kind: 'basic', filter: 'palette', colours: 2, length: 5 }],
    ['one-colour palette', area(17, 1), { kind: 'basic', filter: 'palette', colours: 1, length: 5 }],
    ['three-colour palette, a byte a pixel (3×3 → 9 bytes raw)', area(3, 3), { kind: 'basic', filter: 'palette', colours: 3, length: 99 }],
    ['256-colour palette', area(30, 30), { kind: 'basic', filter: 'palette', colours: 256, stream: 1, length: 400 }],
    ['gradient', area(10, 10), { kind: 'basic', filter: 'gradient', stream: 2, length: 150 }],
    ['gradient under 12 bytes', area(1, 1), { kind: 'basic', filter: 'gradient', length: 150 }],
  ])('Tight %s, with every pixel format', (_name, a, body) => {
    for (const pf of FORMATS) expectOneRectangle(pf, tightRect(a, pf, body), 7);
  });

  it('Tight TPIXEL is 3 bytes only for true colour, 32 bpp, depth 24 (a fill is 1 + TPIXEL)', () => {
    const fillBody = (pf: PixelFormat) => tightRect(area(1, 1), pf, { kind: 'fill' }).length - 12;
    expect(FORMATS.map(fillBody)).toEqual([1 + 3, 1 + 4, 1 + 2, 1 + 1]);
  });

  it('TightPNG: PNG, JPEG and fill', () => {
    for (const body of [{ kind: 'png', length: 200 }, { kind: 'jpeg', length: 20000 }, { kind: 'fill' }] as TightBody[]) {
      expectOneRectangle(PIXEL_FORMAT_RGB888, tightRect(area(8, 8), PIXEL_FORMAT_RGB888, body, 1, true), -260);
    }
  });

  it('Cursor: pixels and a bitmask with rows padded to a byte', () => {
    for (const pf of [PIXEL_FORMAT_RGB888, RGB565]) {
      expectOneRectangle(pf, cursorRect(area(9, 3), pf), -239);
      expectOneRectangle(pf, cursorRect(area(16, 16), pf), -239);
    }
  });

  it('pseudo-encodings', () => {
    expectOneRectangle(PIXEL_FORMAT_RGB888, desktopSizeRect(1024, 768), -223);
    expectOneRectangle(PIXEL_FORMAT_RGB888, extendedDesktopSizeRect(1024, 768, 0), -308);
    expectOneRectangle(PIXEL_FORMAT_RGB888, extendedDesktopSizeRect(1024, 768, 2), -308);
    expectOneRectangle(PIXEL_FORMAT_RGB888, ackRect(-258), -258);
    expectOneRectangle(PIXEL_FORMAT_RGB888, ackRect(-259), -259);
    expectOneRectangle(PIXEL_FORMAT_RGB888, ackRect(-316), -316);
    expectOneRectangle(PIXEL_FORMAT_RGB888, ledStateRect(6), -261);
    expectOneRectangle(PIXEL_FORMAT_RGB888, desktopNameRect('vm-ä'), -307);
  });

  it('LastRect ends the update whatever count the header claimed', () => {
    const update = framebufferUpdate([rawRect(area(2, 2), PIXEL_FORMAT_RGB888), lastRect()], 0xffff);
    const { messages, error } = feedAll(new RfbServerMessageParser(PIXEL_FORMAT_RGB888), inPieces(Buffer.concat([update, bell()]), 3));
    expect(error).toBeUndefined();
    expect(messages.map(summary)).toEqual([
      { type: 'FramebufferUpdate', start: 0, end: update.length, encodings: [0, -224] },
      { type: 'Bell', start: update.length, end: update.length + 1, encodings: [] },
    ]);
  });

  it('reports each rectangle with its geometry and byte range', () => {
    const first = rawRect({ x: 1, y: 2, width: 3, height: 4 }, RGB565);
    const second = desktopSizeRect(800, 600);
    const { messages } = new RfbServerMessageParser(RGB565).feed(framebufferUpdate([first, second]));
    const [update] = messages;
    if (update?.type !== 'FramebufferUpdate') throw new Error('expected a FramebufferUpdate');
    expect(update.rectangles).toEqual([
      { x: 1, y: 2, width: 3, height: 4, encoding: 0, start: 4, end: 4 + first.length },
      { x: 0, y: 0, width: 800, height: 600, encoding: -223, start: 4 + first.length, end: 4 + first.length + 12 },
    ]);
  });
});

describe('RfbServerMessageParser: other messages', () => {
  it('cuts every other server message type', () => {
    const parts = [
      setColourMapEntries(0, 0), setColourMapEntries(16, 3), bell(), serverCutText(Buffer.from('hello')),
      serverCutText(noise(40, 2), true), endOfContinuousUpdates(), serverFence(0x80000003, noise(64, 3)), serverFence(0, Buffer.alloc(0)), xvp(1, 1),
    ];
    const stream = Buffer.concat(parts);
    const { messages, error } = feedAll(new RfbServerMessageParser(PIXEL_FORMAT_RGB888), inPieces(stream, 2));
    expect(error).toBeUndefined();
    expect(messages.map((m) => m.type)).toEqual([
      'SetColourMapEntries', 'SetColourMapEntries', 'Bell', 'ServerCutText', 'ServerCutText', 'EndOfContinuousUpdates', 'ServerFence', 'ServerFence', 'Xvp',
    ]);
    expect(messages.map((m) => Buffer.concat(m.parts))).toEqual(parts);
  });

  it('hands out views of the fed chunks, not copies', () => {
    const stream = Buffer.concat([bell(), serverCutText(Buffer.from('abcdefgh'))]);
    const parser = new RfbServerMessageParser(PIXEL_FORMAT_RGB888);
    const whole = parser.feed(stream).messages;
    expect(whole.map((m) => m.parts.length)).toEqual([1, 1]);
    expect(whole[1]!.parts[0]!.buffer).toBe(stream.buffer);
    expect(whole[1]!.parts[0]!.byteOffset).toBe(stream.byteOffset + 1);
    // A message over three chunks comes out as three views, one of each.
    const chunks = splitAt(stream, [3, 9]);
    const split = feedAll(new RfbServerMessageParser(PIXEL_FORMAT_RGB888), chunks).messages;
    expect(split[1]!.parts.map((p) => p.buffer)).toEqual(chunks.map((c) => c.buffer));
    expect(Buffer.concat(split[1]!.parts)).toEqual(serverCutText(Buffer.from('abcdefgh')));
  });

  it('holds an incomplete message back until its last byte arrives', () => {
    const update = framebufferUpdate([rawRect(area(4, 4), PIXEL_FORMAT_RGB888)]);
    const parser = new RfbServerMessageParser(PIXEL_FORMAT_RGB888);
    expect(parser.holding).toBe(false);
    expect(parser.feed(update.subarray(0, update.length - 1))).toEqual({ messages: [] });
    expect(parser.holding, 'views of the first chunk are held').toBe(true);
    expect(parser.feed(update.subarray(update.length - 1)).messages.map(summary)).toEqual([
      { type: 'FramebufferUpdate', start: 0, end: update.length, encodings: [0] },
    ]);
    expect(parser.holding).toBe(false);
    parser.feed(Buffer.concat([update, update.subarray(0, 1)]));
    expect(parser.holding, 'the next message has begun').toBe(true);
  });

  it('applies a new pixel format from the next message on', () => {
    const before = framebufferUpdate([rawRect(area(3, 3), PIXEL_FORMAT_RGB888)]);
    const after = framebufferUpdate([rawRect(area(3, 3), RGB565)]);
    const parser = new RfbServerMessageParser(PIXEL_FORMAT_RGB888);
    const first = parser.feed(before.subarray(0, 20)).messages;
    parser.setPixelFormat(RGB565);
    const rest = parser.feed(Buffer.concat([before.subarray(20), after, bell()]));
    expect(rest.error).toBeUndefined();
    expect([...first, ...rest.messages].map((m) => m.end)).toEqual([before.length, before.length + after.length, before.length + after.length + 1]);
  });

  it('refuses pixel formats RFB does not have', () => {
    expect(() => new RfbServerMessageParser({ ...PIXEL_FORMAT_RGB888, bitsPerPixel: 24 })).toThrow(/8, 16 or 32, not 24/);
    expect(() => new RfbServerMessageParser(PIXEL_FORMAT_RGB888).setPixelFormat({ ...PIXEL_FORMAT_RGB888, bitsPerPixel: 0 })).toThrow(/not 0/);
  });
});

describe('RfbServerMessageParser: refusals', () => {
  const pf = PIXEL_FORMAT_RGB888;
  const oneRect = (rect: Buffer) => framebufferUpdate([rect]);

  it.each<[string, Buffer, RegExp]>([
    ['an unknown message type', Buffer.from([255, 1, 0, 0]), /unknown RFB server message type 255/],
    ['an unknown encoding', oneRect(rectangle(area(1, 1), 17, Buffer.alloc(64))), /unsupported RFB encoding 17\b/],
    ['a VMware cursor', oneRect(rectangle(area(1, 1), 0x574d5664, Buffer.alloc(64))), /unsupported RFB encoding 1464686180/],
    ['a Hextile subencoding past the defined bits', oneRect(rectangle(area(16, 16), 5, Buffer.from([0x20]))), /Hextile subencoding 32 is not defined/],
    ['a Tight compression control past PNG', oneRect(rectangle(area(4, 4), 7, Buffer.from([0xb0]))), /Tight compression control 11 is not defined/],
    ['a Tight filter that does not exist', oneRect(rectangle(area(4, 4), 7, Buffer.from([0x40, 3]))), /Tight filter 3 is not defined/],
    ['PNG in plain Tight', oneRect(tightRect(area(4, 4), pf, { kind: 'png', length: 3 })), /PNG sub-rectangle in a Tight \(not TightPNG\)/],
    ['basic compression in TightPNG', oneRect(tightRect(area(4, 4), pf, { kind: 'basic', filter: 'copy', length: 3 }, 1, true)), /basic compression in a TightPNG/],
    ['a zero-area Zlib rectangle', oneRect(zlibRect(area(0, 5), 0)), /Zlib rectangle of zero area/],
  ])('%s', (_name, message, pattern) => {
    const parser = new RfbServerMessageParser(pf);
    const result = parser.feed(Buffer.concat([bell(), message, bell()]));
    // What came before the fault is still delivered; nothing after it is.
    expect(result.messages.map((m) => m.type)).toEqual(['Bell']);
    expect(result.error).toMatch(pattern);
    expect(parser.feed(bell())).toEqual({ messages: [], error: result.error });
  });

  it('refuses ServerCutText over the limit as soon as the length is read', () => {
    const head = serverCutText(Buffer.alloc(0));
    head.writeInt32BE(MAX_CUT_TEXT_BYTES + 1, 4);
    expect(new RfbServerMessageParser(pf).feed(head).error).toMatch(new RegExp(`ServerCutText of ${MAX_CUT_TEXT_BYTES + 1} bytes exceeds`));
    head.writeInt32BE(-(MAX_CUT_TEXT_BYTES + 1), 4);
    expect(new RfbServerMessageParser(pf).feed(head).error).toMatch(/exceeds/);
    head.writeInt32BE(MAX_CUT_TEXT_BYTES, 4);
    expect(new RfbServerMessageParser(pf).feed(head).error).toBeUndefined();
  });

  it('refuses a rectangle claiming more than the message limit before its bytes arrive', () => {
    // 4096×4096 at 4 bytes is exactly 64 MiB of pixels; with the headers that is over the limit.
    const header = framebufferUpdate([rectangle({ x: 0, y: 0, width: 4096, height: 4096 }, 0)]);
    expect(MAX_SERVER_MESSAGE_BYTES).toBe(64 * 1024 * 1024);
    expect(new RfbServerMessageParser(pf).feed(header).error)
      .toMatch(/FramebufferUpdate message claims more than the 67108864-byte limit \(rectangle with encoding 0, 4096×4096\)/);
    const fits = framebufferUpdate([rectangle({ x: 0, y: 0, width: 4096, height: 4095 }, 0)]);
    expect(new RfbServerMessageParser(pf).feed(fits).error).toBeUndefined();
  });

  it('counts many small claims toward the limit too', () => {
    const rects = Array.from({ length: 10 }, () => hextileRect(area(16, 16), pf, () => ({ raw: true })));
    const stream = framebufferUpdate(rects);
    const limit = 4 + 5 * (12 + 1 + 16 * 16 * 4);
    expect(feedAll(new RfbServerMessageParser(pf, { maxMessageBytes: limit }), [stream]).error).toMatch(/claims more than the \d+-byte limit \(rectangle with encoding 5, 16×16\)/);
    expect(feedAll(new RfbServerMessageParser(pf, { maxMessageBytes: stream.length }), [stream]).error).toBeUndefined();
  });
});

// ---------------------------------------------------------------- random streams

const seedArb = fc.integer({ min: 1, max: 0x7fffffff });
const areaArb = (minSide: number, maxSide: number) => fc.record({
  x: fc.integer({ min: 0, max: 2000 }), y: fc.integer({ min: 0, max: 2000 }),
  width: fc.integer({ min: minSide, max: maxSide }), height: fc.integer({ min: minSide, max: maxSide }),
});
const payloadLength = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constantFrom(127, 128, 16383, 16384));
const hextileTileArb: fc.Arbitrary<HextileTile> = fc.oneof(
  fc.constant({ raw: true as const }),
  fc.record({ background: fc.boolean(), foreground: fc.boolean(), subrects: fc.integer({ min: 0, max: 20 }), coloured: fc.boolean() }),
);
const tightBodyArb: fc.Arbitrary<TightBody> = fc.oneof(
  fc.constant({ kind: 'fill' as const }),
  fc.record({ kind: fc.constant('jpeg' as const), length: payloadLength }),
  fc.record({
    kind: fc.constant('basic' as const), filter: fc.constantFrom('copy' as const, 'palette' as const, 'gradient' as const),
    explicitFilter: fc.boolean(), colours: fc.integer({ min: 1, max: 256 }), stream: fc.integer({ min: 0, max: 3 }),
    reset: fc.integer({ min: 0, max: 15 }), length: payloadLength,
  }),
);
const tightPngBodyArb: fc.Arbitrary<TightBody> = fc.oneof(
  fc.constant({ kind: 'fill' as const }),
  fc.record({ kind: fc.constantFrom('jpeg' as const, 'png' as const), length: payloadLength }),
);

function rectArb(pf: PixelFormat): fc.Arbitrary<Buffer> {
  return fc.oneof(
    fc.tuple(areaArb(0, 24), seedArb).map(([a, s]) => rawRect(a, pf, s)),
    fc.tuple(areaArb(0, 500), fc.nat(0xffff), fc.nat(0xffff)).map(([a, sx, sy]) => copyRect(a, sx, sy)),
    fc.tuple(areaArb(0, 100), fc.array(areaArb(0, 50), { maxLength: 6 }), seedArb).map(([a, subs, s]) => rreRect(a, pf, subs, s)),
    fc.tuple(areaArb(0, 40), fc.array(hextileTileArb, { minLength: 1, maxLength: 9 }), seedArb)
      .map(([a, tiles, s]) => hextileRect(a, pf, (i) => tiles[i % tiles.length]!, s)),
    fc.tuple(areaArb(1, 500), payloadLength, seedArb).map(([a, n, s]) => zlibRect(a, n, s)),
    fc.tuple(areaArb(0, 500), payloadLength, seedArb).map(([a, n, s]) => zrleRect(a, n, s)),
    fc.tuple(areaArb(0, 40), tightBodyArb, seedArb).map(([a, body, s]) => tightRect(a, pf, body, s)),
    fc.tuple(areaArb(0, 40), tightPngBodyArb, seedArb).map(([a, body, s]) => tightRect(a, pf, body, s, true)),
    fc.tuple(areaArb(0, 32), seedArb).map(([a, s]) => cursorRect(a, pf, s)),
    fc.tuple(fc.nat(0xffff), fc.nat(0xffff)).map(([w, h]) => desktopSizeRect(w, h)),
    fc.tuple(fc.nat(0xffff), fc.nat(0xffff), fc.integer({ min: 0, max: 4 }), seedArb).map(([w, h, n, s]) => extendedDesktopSizeRect(w, h, n, s)),
    fc.constantFrom(-258 as const, -259 as const, -316 as const).map(ackRect),
    fc.nat(7).map(ledStateRect),
    fc.string({ maxLength: 20 }).map(desktopNameRect),
  );
}

function messageArb(pf: PixelFormat): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.array(rectArb(pf), { maxLength: 5 }), fc.boolean())
      .map(([rects, last]) => (last ? framebufferUpdate([...rects, lastRect()], 0xffff) : framebufferUpdate(rects))) },
    { weight: 1, arbitrary: fc.tuple(fc.nat(255), fc.integer({ min: 0, max: 40 }), seedArb).map(([first, n, s]) => setColourMapEntries(first, n, s)) },
    { weight: 1, arbitrary: fc.constant(bell()) },
    { weight: 1, arbitrary: fc.tuple(fc.uint8Array({ maxLength: 300 }), fc.boolean()).map(([text, extended]) => serverCutText(Buffer.from(text), extended)) },
    { weight: 1, arbitrary: fc.constant(endOfContinuousUpdates()) },
    { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 64 })).map(([flags, payload]) => serverFence(flags, Buffer.from(payload))) },
    { weight: 1, arbitrary: fc.tuple(fc.nat(255), fc.nat(1)).map(([version, code]) => xvp(version, code)) },
  );
}

const streamArb = fc.constantFrom(...FORMATS).chain((pf) => fc.record({
  pf: fc.constant(pf),
  messages: fc.array(messageArb(pf), { maxLength: 8 }),
  cuts: fc.array(fc.nat(), { maxLength: 30 }),
}));

describe('RfbServerMessageParser: random streams', () => {
  it('cuts random server streams, split anywhere, exactly where the reference cutter and the encoders do', () => {
    fc.assert(fc.property(streamArb, ({ pf, messages, cuts }) => {
      const stream = Buffer.concat(messages);
      const result = feedAll(new RfbServerMessageParser(pf), splitAt(stream, cuts));
      expect(result.error).toBeUndefined();
      const reference = referenceCut(stream, pf);
      expect(result.messages.map((m) => ({ type: ServerMessageType[m.type], end: m.end, encodings: summary(m).encodings }))).toEqual(reference);
      let end = 0;
      expect(result.messages.map((m) => m.end)).toEqual(messages.map((m) => (end += m.length)));
      // Buffer.equals: vitest's deep equality walks large buffers a byte at a time.
      expect(result.messages.map((m, i) => Buffer.concat(m.parts).equals(messages[i]!))).toEqual(messages.map(() => true));
    }), { numRuns: 200 });
  });
});

// ---------------------------------------------------------------- the stand-in's server

describe('RfbServerMessageParser on the stand-in VNC server', () => {
  it('cuts what the built-in server really sends: a full screen, then the band that changed', async () => {
    const title = 'vm-parse';
    const server = new BuiltinRfbServer(title, { now: () => new Date(2026, 0, 1, 12, 0, 0) });
    const [serverSide, clientSide] = createDuplexPair();
    const parser = new RfbServerMessageParser(RGB565);
    const messages: ServerMessage[] = [];
    const errors: string[] = [];
    // Version, security types, SecurityResult, then ServerInit with its name.
    let handshake = 12 + 2 + 4 + 24 + Buffer.byteLength(title);
    let fed = 0;
    clientSide.on('data', (chunk: Buffer) => {
      const skipped = Math.min(handshake, chunk.length);
      handshake -= skipped;
      const rest = chunk.subarray(skipped);
      fed += rest.length;
      const result = parser.feed(rest);
      messages.push(...result.messages);
      if (result.error !== undefined) errors.push(result.error);
    });
    server.attach(serverSide);
    try {
      clientSide.write(Buffer.concat([
        encodeClientHandshake(true),
        encodeSetPixelFormat(RGB565),
        encodeFramebufferUpdateRequest({ incremental: false, x: 0, y: 0, width: server.width, height: server.height }),
      ]));
      await vi.waitFor(() => expect(messages).toHaveLength(1));
      clientSide.write(Buffer.concat([
        encodeKeyEvent(true, 0x61),
        encodeFramebufferUpdateRequest({ incremental: true, x: 0, y: 0, width: server.width, height: server.height }),
      ]));
      await vi.waitFor(() => expect(messages).toHaveLength(2));
      expect(errors).toEqual([]);
      const [full, band] = messages;
      if (full?.type !== 'FramebufferUpdate' || band?.type !== 'FramebufferUpdate') throw new Error('expected two FramebufferUpdates');
      expect(full.rectangles).toMatchObject([{ x: 0, y: 0, width: server.width, height: server.height, encoding: 0 }]);
      expect(full.end - full.start).toBe(4 + 12 + server.width * server.height * 2);
      expect(band.rectangles).toHaveLength(1);
      expect(band.rectangles[0]!.height).toBeLessThan(server.height);
      expect(band.end).toBe(fed);
    } finally {
      server.close();
    }
  });
});
