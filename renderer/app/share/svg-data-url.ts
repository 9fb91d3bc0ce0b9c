// The QR code arrives as an SVG document. It is shown as an <img> from a data:
// URL, never inserted into the page, so nothing in it can run or style the app.

export function svgDataUrl(svg: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(svg)) binary += String.fromCharCode(byte);
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}
