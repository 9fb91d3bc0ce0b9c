// "Paste text": a VM console has no shared clipboard, so text is typed into it
// one key at a time. X11 keysyms name characters; QEMU turns them into scan
// codes with a US layout and does not press Shift by itself, so characters that
// need Shift on that layout are typed with Shift held, as a person would.

export const XK = {
  shiftL: 0xffe1,
  returnKey: 0xff0d,
  tab: 0xff09,
} as const;

export interface KeyEvent {
  keysym: number;
  down: boolean;
}

export interface Keystroke {
  keysym: number;
  shift: boolean;
}

const SHIFTED_ASCII = new Set('~!@#$%^&*()_+{}|:"<>?');

/** The keysym of one character, or undefined for control characters that have no key. */
export function keysymOf(char: string): number | undefined {
  const cp = char.codePointAt(0);
  if (cp === undefined) return undefined;
  if (char === '\n' || char === '\r') return XK.returnKey;
  if (char === '\t') return XK.tab;
  // Printable ASCII and Latin-1 keysyms equal their code points.
  if ((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff)) return cp;
  if (cp < 0xa0) return undefined;
  // Everything else in Unicode: the X11 convention 0x01000000 + code point.
  return 0x0100_0000 + cp;
}

function needsShift(char: string): boolean {
  return (char >= 'A' && char <= 'Z') || SHIFTED_ASCII.has(char);
}

export interface TypedText {
  strokes: Keystroke[];
  /** Characters left out because no key types them (control characters). */
  skipped: number;
}

/** The keystrokes that type `text`; "\r\n" counts as one Return. */
export function textToKeystrokes(text: string): TypedText {
  const strokes: Keystroke[] = [];
  let skipped = 0;
  const chars = Array.from(text.replace(/\r\n/g, '\n'));
  for (const char of chars) {
    const keysym = keysymOf(char);
    if (keysym === undefined) skipped += 1;
    else strokes.push({ keysym, shift: needsShift(char) });
  }
  return { strokes, skipped };
}

/** Press and release events for the strokes, with Shift wrapped around those that need it. */
export function keyEvents(strokes: readonly Keystroke[]): KeyEvent[] {
  return strokes.flatMap(({ keysym, shift }) => {
    const press = [{ keysym, down: true }, { keysym, down: false }];
    return shift ? [{ keysym: XK.shiftL, down: true }, ...press, { keysym: XK.shiftL, down: false }] : press;
  });
}
