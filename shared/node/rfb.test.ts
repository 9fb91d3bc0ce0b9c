import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import {
  MAX_CUT_TEXT_BYTES, PIXEL_FORMAT_RGB888, RfbClientHandshake, RfbClientMessageParser, decodePixelFormat,
  encodeClientCutText, encodeClientHandshake, encodeFramebufferUpdateRequest, encodeKeyEvent, encodePixelFormat,
  encodePointerEvent, encodeQemuExtendedKeyEvent, encodeSetEncodings, encodeSetPixelFormat,
} from './rfb.ts';
import type { ClientMessage, PixelFormat } from './rfb.ts';

function feedAll(parser: RfbClientMessageParser, chunks: Buffer[]): { messages: ClientMessage[]; error?: string } {
  const messages: ClientMessage[] = [];
  for (const chunk of chunks) {
    const result = parser.feed(chunk);
    messages.push(...result.messages);
    if (result.error !== undefined) return { messages, error: result.error };
  }
  return { messages };
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

const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max }).map((a) => Buffer.from(a));

/** One valid client message of every kind the parser knows, as raw bytes. */
const messageArb: fc.Arbitrary<Buffer> = fc.oneof(
  fc.record({ bpp: fc.constantFrom(8, 16, 32), be: fc.boolean(), shift: fc.integer({ min: 0, max: 24 }) }).map(({ bpp, be, shift }) =>
    encodeSetPixelFormat({ ...PIXEL_FORMAT_RGB888, bitsPerPixel: bpp, bigEndian: be, redShift: shift })),
  fc.array(fc.integer({ min: -0x80000000, max: 0x7fffffff }), { maxLength: 20 }).map(encodeSetEncodings),
  fc.record({ incremental: fc.boolean(), x: u16, y: u16, width: u16, height: u16 }).map(encodeFramebufferUpdateRequest),
  fc.tuple(fc.boolean(), u32).map(([down, keysym]) => encodeKeyEvent(down, keysym)),
  fc.tuple(fc.integer({ min: 0, max: 255 }), u16, u16).map(([b, x, y]) => encodePointerEvent(b, x, y)),
  fc.string({ maxLength: 40 }).map(encodeClientCutText),
  bytes(9, 9).map((rest) => Buffer.concat([Buffer.from([150]), rest])),
  bytes(0, 64).map((payload) => Buffer.concat([Buffer.from([248, 0, 0, 0, 0, 0, 0, 1, payload.length]), payload])),
  fc.integer({ min: 0, max: 255 }).map((code) => Buffer.from([250, 0, 1, code])),
  fc.integer({ min: 0, max: 4 }).chain((n) => bytes(16 * n, 16 * n).map((screens) =>
    Buffer.concat([Buffer.from([251, 0, 2, 128, 1, 144, n, 0]), screens]))),
  fc.tuple(fc.boolean(), u32, u32).map(([down, keysym, keycode]) => encodeQemuExtendedKeyEvent(down, keysym, keycode)),
);

describe('RfbClientHandshake', () => {
  it('reports version, security type and ClientInit, and hands back what follows', () => {
    const tracker = new RfbClientHandshake();
    const trailing = encodeKeyEvent(true, 0x61);
    const progress = tracker.feed(Buffer.concat([encodeClientHandshake(true), trailing]));
    expect(progress.error).toBeUndefined();
    expect(progress.done).toBe(true);
    expect(progress.steps.map((s) => s.step)).toEqual(['version', 'security', 'client-init']);
    expect(progress.steps[0]).toMatchObject({ major: 3, minor: 8 });
    expect(progress.steps[1]).toMatchObject({ securityType: 1 });
    expect(progress.steps[2]).toMatchObject({ shared: true });
    expect(progress.rest).toEqual(trailing);
    expect(tracker.feed(Buffer.from([9])).rest).toEqual(Buffer.from([9]));
  });

  it('gives the same steps whichever way the bytes are split', () => {
    fc.assert(fc.property(fc.boolean(), fc.array(fc.nat(), { maxLength: 14 }), (shared, cuts) => {
      const tracker = new RfbClientHandshake();
      const steps = splitAt(encodeClientHandshake(shared), cuts).flatMap((chunk) => tracker.feed(chunk).steps);
      expect(tracker.done).toBe(true);
      expect(steps.map((s) => s.step)).toEqual(['version', 'security', 'client-init']);
      expect(steps[2]).toMatchObject({ shared });
    }));
  });

  it('accepts 3.7 and refuses other versions and security types, and stays failed', () => {
    expect(new RfbClientHandshake().feed(Buffer.from('RFB 003.007\n')).steps[0]).toMatchObject({ minor: 7 });
    expect(new RfbClientHandshake().feed(Buffer.from('RFB 003.003\n')).error).toMatch(/3\.3 is not supported/);
    expect(new RfbClientHandshake().feed(Buffer.from('GET / HTTP/1.1\r\n')).error).toMatch(/not an RFB protocol version/);
    const tracker = new RfbClientHandshake();
    expect(tracker.feed(Buffer.concat([Buffer.from('RFB 003.008\n'), Buffer.from([2])])).error).toMatch(/security type 2/);
    expect(tracker.feed(Buffer.from([1, 1])).error).toMatch(/security type 2/);
    expect(tracker.done).toBe(false);
  });
});

describe('RfbClientMessageParser', () => {
  it('gathers a long message fed a byte at a time without re-joining it on every byte', () => {
    const text = 'x'.repeat(256 * 1024);
    const stream = Buffer.concat([encodeClientCutText(text), encodeKeyEvent(true, 0x61)]);
    const parser = new RfbClientMessageParser();
    const concat = vi.spyOn(Buffer, 'concat');
    const messages: ClientMessage[] = [];
    try {
      for (let i = 0; i < stream.length; i++) messages.push(...parser.feed(stream.subarray(i, i + 1)).messages);
      // Joined while the 8-byte header gathers and once when the text is whole: never per byte of the text.
      expect(concat.mock.calls.length).toBeLessThan(20);
    } finally {
      concat.mockRestore();
    }
    expect(messages.map((m) => m.type)).toEqual(['ClientCutText', 'KeyEvent']);
    expect(messages[0]).toMatchObject({ text });
  });

  it('decodes the fields of input messages', () => {
    const pf: PixelFormat = { ...PIXEL_FORMAT_RGB888, bitsPerPixel: 16, depth: 16, redMax: 31, greenMax: 63, blueMax: 31, redShift: 11, greenShift: 5, blueShift: 0 };
    const stream = Buffer.concat([
      encodeSetPixelFormat(pf), encodeSetEncodings([0, -223]),
      encodeFramebufferUpdateRequest({ incremental: true, x: 1, y: 2, width: 300, height: 400 }),
      encodeKeyEvent(true, 0xff0d), encodePointerEvent(5, 600, 399), encodeClientCutText('héllo'),
      encodeQemuExtendedKeyEvent(false, 0x61, 0x1e),
    ]);
    const { messages, error } = new RfbClientMessageParser().feed(stream);
    expect(error).toBeUndefined();
    expect(messages).toMatchObject([
      { type: 'SetPixelFormat', pixelFormat: pf },
      { type: 'SetEncodings', encodings: [0, -223] },
      { type: 'FramebufferUpdateRequest', incremental: true, x: 1, y: 2, width: 300, height: 400 },
      { type: 'KeyEvent', down: true, keysym: 0xff0d },
      { type: 'PointerEvent', buttons: 5, x: 600, y: 399 },
      { type: 'ClientCutText', text: 'héllo' },
      { type: 'QemuExtendedKeyEvent', down: false, keysym: 0x61, keycode: 0x1e },
    ]);
    expect(Buffer.concat(messages.map((m) => m.raw))).toEqual(stream);
  });

  it('yields the same messages for any split of a valid stream', () => {
    fc.assert(fc.property(fc.array(messageArb, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 30 }), (raws, cuts) => {
      const stream = Buffer.concat(raws);
      const { messages, error } = feedAll(new RfbClientMessageParser(), splitAt(stream, cuts));
      expect(error).toBeUndefined();
      expect(messages.map((m) => m.raw)).toEqual(raws);
    }));
  });

  it('waits for the rest of a message', () => {
    const parser = new RfbClientMessageParser();
    const key = encodeKeyEvent(true, 0x62);
    expect(parser.feed(key.subarray(0, 7)).messages).toEqual([]);
    expect(parser.feed(key.subarray(7)).messages).toMatchObject([{ type: 'KeyEvent', keysym: 0x62 }]);
  });

  it('reads a negative (extended clipboard) cut-text length as its magnitude', () => {
    const header = Buffer.from([6, 0, 0, 0, 0xff, 0xff, 0xff, 0xfb]);
    const { messages } = new RfbClientMessageParser().feed(Buffer.concat([header, Buffer.alloc(5), encodeKeyEvent(false, 1)]));
    expect(messages.map((m) => [m.type, m.raw.length])).toEqual([['ClientCutText', 13], ['KeyEvent', 8]]);
  });

  it('returns the messages before an unknown type, then the error, and stays failed', () => {
    const parser = new RfbClientMessageParser();
    const { messages, error } = parser.feed(Buffer.concat([encodeKeyEvent(true, 1), Buffer.from([7, 0, 0, 0])]));
    expect(messages).toHaveLength(1);
    expect(error).toBe('unknown RFB client message type 7');
    expect(parser.feed(encodeKeyEvent(true, 1))).toEqual({ messages: [], error: 'unknown RFB client message type 7' });
  });

  it('refuses QEMU subtypes other than the extended key event', () => {
    expect(new RfbClientMessageParser().feed(Buffer.from([255, 1, 0, 0])).error).toBe('QEMU client message subtype 1 is not supported');
  });

  it('refuses a cut text over the size cap as soon as its header arrives', () => {
    const header = Buffer.alloc(8);
    header.writeUInt8(6, 0);
    header.writeUInt32BE(MAX_CUT_TEXT_BYTES + 1, 4);
    expect(new RfbClientMessageParser().feed(header).error).toMatch(/exceeds the 1048576-byte limit/);
    header.writeUInt32BE(MAX_CUT_TEXT_BYTES, 4);
    expect(new RfbClientMessageParser().feed(header).error).toBeUndefined();
  });
});

describe('pixel format', () => {
  it('round-trips through its 16-byte encoding', () => {
    const pf: PixelFormat = { ...PIXEL_FORMAT_RGB888, bitsPerPixel: 8, depth: 8, bigEndian: true, redMax: 7, greenMax: 7, blueMax: 3, redShift: 5, greenShift: 2, blueShift: 0 };
    expect(decodePixelFormat(encodePixelFormat(pf))).toEqual(pf);
    expect(() => decodePixelFormat(Buffer.alloc(3))).toThrow(/16 bytes/);
  });
});
