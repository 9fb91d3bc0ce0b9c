import { describe, expect, it } from 'vitest';
import { svgDataUrl } from './svg-data-url.ts';

describe('svgDataUrl', () => {
  it('encodes the document as base64 UTF-8', () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><title>Zürich · ✓</title></svg>';
    const url = svgDataUrl(svg);
    expect(url.startsWith('data:image/svg+xml;base64,')).toBe(true);
    const decoded = new TextDecoder().decode(Uint8Array.from(atob(url.split(',')[1]!), (c) => c.charCodeAt(0)));
    expect(decoded).toBe(svg);
  });
});
