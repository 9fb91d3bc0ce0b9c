import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { QR_SVG_OPTIONS, qrSideModules } from '../../../shared/qr-code.ts';
import { qrSvgSide } from './qr-svg-side.ts';

describe('qrSvgSide', () => {
  it('reads the side in modules of the SVG main renders', async () => {
    for (const text of ['https://gw.example.com/open#token=a', `https://gw.example.com/open#token=${'x'.repeat(900)}`]) {
      const svg = await QRCode.toString(text, QR_SVG_OPTIONS);
      expect(qrSvgSide(svg)).toBe(qrSideModules(QRCode.create(text, { errorCorrectionLevel: QR_SVG_OPTIONS.errorCorrectionLevel }).version));
    }
  });

  it('refuses a document that is not a square one-unit-per-module SVG', () => {
    expect(() => qrSvgSide('<svg xmlns="http://www.w3.org/2000/svg"></svg>')).toThrow(/not a square SVG/);
    expect(() => qrSvgSide('<svg viewBox="0 0 40 41"></svg>')).toThrow(/not a square SVG/);
    expect(() => qrSvgSide('<g viewBox="0 0 40 40"></g>')).toThrow(/not a square SVG/);
  });
});
