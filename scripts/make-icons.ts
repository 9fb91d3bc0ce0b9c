// Draws the app and tray icons into assets/ (committed; run again only to change
// them): `node --import tsx scripts/make-icons.ts`. A keyhole — a console you
// may enter — on a rounded square for the app; the bare keyhole for the tray,
// light (for dark panels), dark (for light panels) and the macOS template
// (black with alpha, which macOS recolours), each at 16 px and 32 px (@2x).

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

type Rgb = readonly [number, number, number];
/** Is the point (in 0..1 icon coordinates) inside the shape? */
type Shape = (x: number, y: number) => boolean;

const SUPERSAMPLE = 4;

/** A keyhole: a round head over a tapering foot, centred in the unit square. */
function keyhole(scale: number): Shape {
  const cx = 0.5;
  const headY = 0.5 - 0.13 * scale;
  const headR = 0.17 * scale;
  const footTop = headY;
  const footBottom = 0.5 + 0.3 * scale;
  const topHalf = 0.07 * scale;
  const bottomHalf = 0.13 * scale;
  return (x, y) => {
    if ((x - cx) ** 2 + (y - headY) ** 2 <= headR ** 2) return true;
    if (y < footTop || y > footBottom) return false;
    const t = (y - footTop) / (footBottom - footTop);
    return Math.abs(x - cx) <= topHalf + (bottomHalf - topHalf) * t;
  };
}

function roundedSquare(margin: number, radius: number): Shape {
  return (x, y) => {
    const lo = margin + radius;
    const hi = 1 - margin - radius;
    const dx = x < lo ? lo - x : x > hi ? x - hi : 0;
    const dy = y < lo ? lo - y : y > hi ? y - hi : 0;
    return x >= margin && x <= 1 - margin && y >= margin && y <= 1 - margin && dx * dx + dy * dy <= radius * radius;
  };
}

function coverage(shape: Shape, px: number, py: number, size: number): number {
  let inside = 0;
  for (let i = 0; i < SUPERSAMPLE; i++) {
    for (let j = 0; j < SUPERSAMPLE; j++) {
      if (shape((px + (i + 0.5) / SUPERSAMPLE) / size, (py + (j + 0.5) / SUPERSAMPLE) / size)) inside++;
    }
  }
  return inside / (SUPERSAMPLE * SUPERSAMPLE);
}

/** Paints layers back to front: each a shape and a colour (alpha from coverage). */
export function render(size: number, layers: ReadonlyArray<{ shape: Shape; color: Rgb }>): PNG {
  const png = new PNG({ width: size, height: size });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (const layer of layers) {
        const c = coverage(layer.shape, x, y, size);
        if (c === 0) continue;
        const outA = c + a * (1 - c);
        r = (layer.color[0] * c + r * a * (1 - c)) / outA;
        g = (layer.color[1] * c + g * a * (1 - c)) / outA;
        b = (layer.color[2] * c + b * a * (1 - c)) / outA;
        a = outA;
      }
      const i = (y * size + x) * 4;
      png.data[i] = Math.round(r);
      png.data[i + 1] = Math.round(g);
      png.data[i + 2] = Math.round(b);
      png.data[i + 3] = Math.round(a * 255);
    }
  }
  return png;
}

const BLUE: Rgb = [37, 99, 165];
const WHITE: Rgb = [255, 255, 255];
const DARK: Rgb = [34, 34, 34];
const BLACK: Rgb = [0, 0, 0];

export const ICONS: ReadonlyArray<{ file: string; size: number; layers: ReadonlyArray<{ shape: Shape; color: Rgb }> }> = [
  { file: 'icon.png', size: 512, layers: [{ shape: roundedSquare(0.04, 0.18), color: BLUE }, { shape: keyhole(1.15), color: WHITE }] },
  ...[['', 16], ['@2x', 32]].flatMap(([suffix, size]) => [
    { file: `tray-light${suffix}.png`, size: size as number, layers: [{ shape: keyhole(1.6), color: WHITE }] },
    { file: `tray-dark${suffix}.png`, size: size as number, layers: [{ shape: keyhole(1.6), color: DARK }] },
    { file: `trayTemplate${suffix}.png`, size: size as number, layers: [{ shape: keyhole(1.6), color: BLACK }] },
  ]),
];

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = new URL('../assets/', import.meta.url);
  for (const icon of ICONS) {
    writeFileSync(new URL(icon.file, dir), PNG.sync.write(render(icon.size, icon.layers)));
    console.log(`assets/${icon.file} (${icon.size}x${icon.size})`);
  }
}
