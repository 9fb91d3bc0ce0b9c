import { GLYPH_HEIGHT, GLYPH_WIDTH, glyphPixel } from './font.ts';

/**
 * What the built-in VNC server shows: the VM's title, a clock and the last typed
 * characters, drawn big and in flat colours so that browser tests can find them
 * by pixel colour in a screenshot.
 */

export interface Rgb { r: number; g: number; b: number }

export const SCREEN_WIDTH = 640;
export const SCREEN_HEIGHT = 400;

/** Every colour the screen uses; nothing else is ever drawn, so each is a reliable probe. */
export const SCREEN_COLOURS = {
  background: { r: 0x1b, g: 0x2b, b: 0x4b },
  title: { r: 0xff, g: 0xc8, b: 0x2e },
  clock: { r: 0xff, g: 0xff, b: 0xff },
  label: { r: 0x8a, g: 0x9b, b: 0xb8 },
  typed: { r: 0x5c, g: 0xf0, b: 0x8c },
} as const satisfies Record<string, Rgb>;

export const TITLE_SCALE = 4;
export const CLOCK_SCALE = 4;
export const TYPED_SCALE = 3;
const LABEL_SCALE = 2;
const MARGIN = 24;

export interface ScreenState { title: string; clock: string; typed: string }

/** How many characters of `scale` fit in one line of the screen. */
export function charsPerLine(scale: number, width = SCREEN_WIDTH): number {
  return Math.floor((width - 2 * MARGIN) / ((GLYPH_WIDTH + 1) * scale));
}

export function formatClock(date: Date): string {
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** An RGBA framebuffer (what pngjs takes) with just enough drawing for the screen. */
export class Canvas {
  readonly rgba: Buffer;

  constructor(readonly width: number, readonly height: number) {
    this.rgba = Buffer.alloc(width * height * 4);
  }

  fill(colour: Rgb): void {
    for (let i = 0; i < this.rgba.length; i += 4) this.setAt(i, colour);
  }

  text(text: string, x: number, y: number, scale: number, colour: Rgb): void {
    [...text].forEach((char, index) => {
      const left = x + index * (GLYPH_WIDTH + 1) * scale;
      for (let col = 0; col < GLYPH_WIDTH; col++) {
        for (let row = 0; row < GLYPH_HEIGHT; row++) {
          if (glyphPixel(char, col, row)) this.rect(left + col * scale, y + row * scale, scale, scale, colour);
        }
      }
    });
  }

  private rect(x: number, y: number, w: number, h: number, colour: Rgb): void {
    for (let py = Math.max(0, y); py < Math.min(this.height, y + h); py++) {
      for (let px = Math.max(0, x); px < Math.min(this.width, x + w); px++) this.setAt((py * this.width + px) * 4, colour);
    }
  }

  private setAt(offset: number, colour: Rgb): void {
    this.rgba[offset] = colour.r;
    this.rgba[offset + 1] = colour.g;
    this.rgba[offset + 2] = colour.b;
    this.rgba[offset + 3] = 0xff;
  }
}

export function renderScreen(state: ScreenState, width = SCREEN_WIDTH, height = SCREEN_HEIGHT): Canvas {
  const canvas = new Canvas(width, height);
  const lineHeight = (scale: number): number => (GLYPH_HEIGHT + 3) * scale;
  canvas.fill(SCREEN_COLOURS.background);
  let y = MARGIN;
  canvas.text(state.title.slice(0, charsPerLine(TITLE_SCALE, width)), MARGIN, y, TITLE_SCALE, SCREEN_COLOURS.title);
  y += lineHeight(TITLE_SCALE);
  canvas.text(state.clock, MARGIN, y, CLOCK_SCALE, SCREEN_COLOURS.clock);
  y += lineHeight(CLOCK_SCALE) + MARGIN;
  canvas.text('typed:', MARGIN, y, LABEL_SCALE, SCREEN_COLOURS.label);
  y += lineHeight(LABEL_SCALE);
  canvas.text(state.typed.slice(-charsPerLine(TYPED_SCALE, width)), MARGIN, y, TYPED_SCALE, SCREEN_COLOURS.typed);
  canvas.text('Gatepass built-in VNC server', MARGIN, height - MARGIN - GLYPH_HEIGHT * LABEL_SCALE, LABEL_SCALE, SCREEN_COLOURS.label);
  return canvas;
}
