// How a link's QR code is made and drawn so that a phone camera can read it.
// A Gatepass link carries an RS256 token and is about 1,000 characters long,
// which needs a QR code of about version 23: over 100 modules a side. What
// decides whether a phone reads that off a screen is how many pixels each
// module gets, not how big the image looks.
//
// Error correction L (7 % of the code may be lost) rather than M (15 %): the
// code is read off a clean screen, never a printed, scuffed or folded label,
// so the extra redundancy buys nothing and costs modules. For a 1,000-character
// link L is version 23 (109 modules) where M needs version 26 (121), so at the
// same pixels per module the code is 10 % smaller, and a long link (200-character
// label, pin, long gateway name) still fits the share dialog at QR_MIN_MODULE_PX.
//
// Mode: the token is base64url (lower case, `-`, `_`), which QR's alphanumeric
// mode (upper case only) cannot carry, and tokens are case-sensitive, so the
// link is byte mode; the encoder may still pick shorter modes for runs it can.

/** The QR spec's quiet zone, in modules: narrower margins make cameras miss the finder patterns. */
export const QR_QUIET_ZONE_MODULES = 4;

/** Below this many CSS pixels per module at device scale 1, phones fail to read the dense versions a link needs. */
export const QR_MIN_MODULE_PX = 4;

/** Options for the `qrcode` package's SVG renderer. */
export const QR_SVG_OPTIONS = { type: 'svg', errorCorrectionLevel: 'L', margin: QR_QUIET_ZONE_MODULES } as const;

/** How many modules a side a QR code of this version spans, quiet zone included. */
export function qrSideModules(version: number): number {
  if (!Number.isInteger(version) || version < 1 || version > 40) throw new RangeError(`a QR code version is a whole number from 1 to 40, got ${String(version)}`);
  return 17 + 4 * version + 2 * QR_QUIET_ZONE_MODULES;
}

export interface QrDrawing {
  /** Width and height in CSS pixels. */
  size: number;
  /** Whole CSS pixels per module, so every module covers the same pixels and none is blurred. */
  modulePx: number;
}

/**
 * The largest drawing of a code `sideModules` wide that fits in `availablePx`,
 * at a whole number of pixels per module and never under QR_MIN_MODULE_PX (a
 * smaller space scrolls rather than shrinking the code past what scans).
 */
export function qrDrawing(sideModules: number, availablePx: number): QrDrawing {
  if (!Number.isInteger(sideModules) || sideModules < 1) throw new RangeError(`a QR code is a whole number of modules wide, got ${String(sideModules)}`);
  if (!(availablePx >= 0)) throw new RangeError(`the space for a QR code is a number of pixels, got ${String(availablePx)}`);
  const modulePx = Math.max(QR_MIN_MODULE_PX, Math.floor(availablePx / sideModules));
  return { size: modulePx * sideModules, modulePx };
}
