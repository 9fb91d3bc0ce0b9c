import { describe, expect, it } from 'vitest';
import { keyEvents, keysymOf, textToKeystrokes, XK } from './keystrokes.ts';

describe('keysymOf', () => {
  it('uses the code point for printable ASCII and Latin-1', () => {
    for (let cp = 0x20; cp <= 0x7e; cp += 1) expect(keysymOf(String.fromCodePoint(cp))).toBe(cp);
    expect(keysymOf('é')).toBe(0xe9);
  });

  it('maps new lines to Return and tab to Tab', () => {
    expect(keysymOf('\n')).toBe(XK.returnKey);
    expect(keysymOf('\r')).toBe(XK.returnKey);
    expect(keysymOf('\t')).toBe(XK.tab);
  });

  it('uses the Unicode keysym range beyond Latin-1', () => {
    expect(keysymOf('€')).toBe(0x010020ac);
    expect(keysymOf('😀')).toBe(0x0101f600);
  });

  it('has no key for other control characters', () => {
    expect(keysymOf('\u0007')).toBeUndefined();
    expect(keysymOf('\u009f')).toBeUndefined();
  });
});

describe('textToKeystrokes', () => {
  it('types CRLF as one Return and counts what it leaves out', () => {
    const { strokes, skipped } = textToKeystrokes('a\r\nB\u0000');
    expect(strokes).toEqual([
      { keysym: 0x61, shift: false },
      { keysym: XK.returnKey, shift: false },
      { keysym: 0x42, shift: true },
    ]);
    expect(skipped).toBe(1);
  });

  it('holds Shift for the characters a US layout shifts', () => {
    const shifted = textToKeystrokes('A!:"?~').strokes.map((s) => s.shift);
    expect(shifted.every(Boolean)).toBe(true);
    const plain = textToKeystrokes("a1;'/`").strokes.map((s) => s.shift);
    expect(plain.some(Boolean)).toBe(false);
  });
});

describe('keyEvents', () => {
  it('presses and releases each key, wrapping Shift around shifted ones', () => {
    expect(keyEvents(textToKeystrokes('aB').strokes)).toEqual([
      { keysym: 0x61, down: true },
      { keysym: 0x61, down: false },
      { keysym: XK.shiftL, down: true },
      { keysym: 0x42, down: true },
      { keysym: 0x42, down: false },
      { keysym: XK.shiftL, down: false },
    ]);
  });
});
