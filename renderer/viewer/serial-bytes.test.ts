import { describe, expect, it } from 'vitest';
import { binaryStringBytes, frameBytes, textBytes } from './serial-bytes.ts';

const list = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : [...bytes]);

describe('textBytes', () => {
  it('sends typed and pasted text as UTF-8', () => {
    expect(list(textBytes('ls\r'))).toEqual([0x6c, 0x73, 0x0d]);
    expect(list(textBytes('é€'))).toEqual([0xc3, 0xa9, 0xe2, 0x82, 0xac]);
  });

  it('sends the control characters a terminal types as they are', () => {
    expect(list(textBytes('\x03\x04\x1d'))).toEqual([0x03, 0x04, 0x1d]);
  });
});

describe('binaryStringBytes', () => {
  it('keeps each char code as one byte, also above 127', () => {
    expect(list(binaryStringBytes('\x1b[M \xa0\xff'))).toEqual([0x1b, 0x5b, 0x4d, 0x20, 0xa0, 0xff]);
  });

  it('refuses a string that is not made of bytes', () => {
    expect(() => binaryStringBytes('a€')).toThrow(/only bytes.*8364 at 1/);
  });
});

describe('frameBytes', () => {
  it('reads an ArrayBuffer frame as its bytes', () => {
    expect(list(frameBytes(new Uint8Array([0x6c, 0x6f, 0x67]).buffer))).toEqual([0x6c, 0x6f, 0x67]);
  });

  it('reads only the viewed part of a typed array', () => {
    const whole = new Uint8Array([1, 2, 3, 4, 5]);
    expect(list(frameBytes(whole.subarray(1, 3)))).toEqual([2, 3]);
  });

  it('keeps half a UTF-8 character as bytes for the terminal to join', () => {
    const euro = new TextEncoder().encode('€');
    expect(list(frameBytes(euro.slice(0, 2).buffer))).toEqual([0xe2, 0x82]);
  });

  it('takes a text frame as its UTF-8', () => {
    expect(list(frameBytes('ok é'))).toEqual([0x6f, 0x6b, 0x20, 0xc3, 0xa9]);
  });

  it('has nothing for anything else', () => {
    expect(frameBytes(undefined)).toBeUndefined();
    expect(frameBytes({ byteLength: 3 })).toBeUndefined();
    expect(frameBytes(42)).toBeUndefined();
  });
});
