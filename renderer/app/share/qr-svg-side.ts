// Main sends the QR code as an SVG document; the renderer needs its side in
// modules to draw it at whole pixels per module. The document says it itself:
// the qrcode renderer sets the viewBox to one unit per module, quiet zone included.

const VIEW_BOX = /<svg\b[^>]*\bviewBox="0 0 (\d+) (\d+)"/;

/** The side of a QR code SVG in modules, quiet zone included. */
export function qrSvgSide(svg: string): number {
  const match = VIEW_BOX.exec(svg);
  if (!match || match[1] !== match[2]) throw new Error('the QR code is not a square SVG with one viewBox unit per module');
  return Number(match[1]);
}
