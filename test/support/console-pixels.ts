import type { Page } from '@playwright/test';
import { PNG } from 'pngjs';
import { SCREEN_COLOURS, type Rgb } from '../cluster/vnc/screen.ts';

export type ScreenColour = keyof typeof SCREEN_COLOURS;

function closeTo(a: Rgb, b: Rgb): boolean {
  return Math.abs(a.r - b.r) <= 8 && Math.abs(a.g - b.g) <= 8 && Math.abs(a.b - b.b) <= 8;
}

/**
 * The share of the "VM console" canvas's pixels in each of the stand-in's
 * built-in VNC server colours: proof that its screen, and nothing else, is shown.
 */
export async function colourShares(page: Page): Promise<Record<ScreenColour, number>> {
  const png = PNG.sync.read(await page.getByLabel('VM console').locator('canvas').screenshot());
  const counts = Object.fromEntries(Object.keys(SCREEN_COLOURS).map((k) => [k, 0])) as Record<ScreenColour, number>;
  for (let i = 0; i < png.data.length; i += 4) {
    const pixel = { r: png.data[i] ?? 0, g: png.data[i + 1] ?? 0, b: png.data[i + 2] ?? 0 };
    for (const [name, colour] of Object.entries(SCREEN_COLOURS)) {
      if (closeTo(pixel, colour)) counts[name as ScreenColour] += 1;
    }
  }
  const total = png.width * png.height;
  return Object.fromEntries(Object.entries(counts).map(([k, n]) => [k, n / total])) as Record<ScreenColour, number>;
}
