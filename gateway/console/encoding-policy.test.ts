import { describe, expect, it } from 'vitest';
import { Encoding } from '../../shared/node/rfb-server-messages.ts';
import { isStatelessEncoding, upstreamEncodings } from './encoding-policy.ts';

// What noVNC 1.x asks for.
const novnc = [Encoding.Tight, Encoding.ZRLE, Encoding.Hextile, Encoding.RRE, Encoding.Raw, Encoding.CopyRect, -313, -312, Encoding.Cursor, Encoding.DesktopSize, Encoding.QemuExtendedKeyEvent];

describe('the encodings asked of the upstream', () => {
  it('passes one viewer’s own choice through when it has seen the stream from the start, but never continuous updates or fences', () => {
    expect(upstreamEncodings([{ encodings: novnc, fromStart: true }])).toEqual(novnc.filter((e) => e !== -313 && e !== -312));
  });

  it('asks only for stateless encodings for a lone viewer that joined mid-stream', () => {
    const asked = upstreamEncodings([{ encodings: novnc, fromStart: false }]);
    expect(asked).toEqual([Encoding.Hextile, Encoding.RRE, Encoding.Raw, Encoding.CopyRect, Encoding.Cursor, Encoding.DesktopSize, Encoding.QemuExtendedKeyEvent]);
    expect(asked.some((e) => e === Encoding.Tight || e === Encoding.ZRLE || e === Encoding.Zlib)).toBe(false);
  });

  it('with several viewers keeps what all of them decode, in the first one’s order, and always Raw', () => {
    const asked = upstreamEncodings([{ encodings: novnc, fromStart: true }, { encodings: [Encoding.ZRLE, Encoding.Hextile, Encoding.Cursor], fromStart: false }]);
    expect(asked).toEqual([Encoding.Hextile, Encoding.Cursor, Encoding.Raw]);
  });

  it('asks for Raw when nobody has said anything yet, and lets a viewer that has not said narrow nothing', () => {
    expect(upstreamEncodings([])).toEqual([Encoding.Raw]);
    expect(upstreamEncodings([{ encodings: undefined, fromStart: true }])).toEqual([Encoding.Raw]);
    expect(upstreamEncodings([{ encodings: undefined, fromStart: true }, { encodings: [Encoding.Hextile, Encoding.Tight], fromStart: false }])).toEqual([Encoding.Hextile, Encoding.Raw]);
  });

  it('calls zlib-based encodings stateful and Raw and Hextile stateless', () => {
    expect([Encoding.Tight, Encoding.ZRLE, Encoding.Zlib, Encoding.TightPNG].map(isStatelessEncoding)).toEqual([false, false, false, false]);
    expect([Encoding.Raw, Encoding.Hextile, Encoding.RRE, Encoding.CopyRect].map(isStatelessEncoding)).toEqual([true, true, true, true]);
  });
});
