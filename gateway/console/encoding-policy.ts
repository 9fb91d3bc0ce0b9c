import { Encoding } from '../../shared/node/rfb-server-messages.ts';

/**
 * Encodings whose rectangles decode without anything sent before them (no zlib
 * stream), so a viewer may start at any update, and the pseudo-encodings whose
 * last value the gateway keeps and replays to a joiner (or that carry nothing
 * a joiner misses).
 */
const stateless = new Set<number>([
  Encoding.Raw, Encoding.CopyRect, Encoding.RRE, Encoding.Hextile,
  Encoding.Cursor, Encoding.DesktopSize, Encoding.ExtendedDesktopSize, Encoding.LastRect, Encoding.DesktopName,
  Encoding.QemuExtendedKeyEvent, Encoding.QemuLedState,
]);

// Continuous updates and fences would let the server send without being asked, past the
// gateway's merged update requests: never asked for, whatever a viewer sets.
const neverUpstream = new Set<number>([-313, -312]);

/** Whether a rectangle of `encoding` can be decoded by a viewer that did not see the stream before it. */
export function isStatelessEncoding(encoding: number): boolean {
  return stateless.has(encoding);
}

export interface EncodingChoice {
  /** What the viewer last asked for with SetEncodings, in its order of preference; undefined before it said. */
  encodings: readonly number[] | undefined;
  /** The viewer has seen every update since the upstream session began, so it holds any zlib state there is. */
  fromStart: boolean;
}

/**
 * The encodings the upstream is asked for: one viewer that has seen the whole
 * stream gets its own choice unchanged; otherwise only what every viewer asked
 * for and any viewer can start in the middle of, in the first viewer's order.
 * Raw is always there: every RFB client decodes it.
 */
export function upstreamEncodings(viewers: readonly EncodingChoice[]): number[] {
  const [only] = viewers;
  if (viewers.length === 1 && only!.fromStart && only!.encodings) return only!.encodings.filter((e) => !neverUpstream.has(e));
  // A viewer that has not said yet narrows nothing: it will, before it asks for its first update.
  const said = viewers.flatMap((v) => (v.encodings ? [v.encodings] : []));
  const shared = (said[0] ?? []).filter((e) => stateless.has(e) && said.every((encodings) => encodings.includes(e)));
  return shared.includes(Encoding.Raw) ? shared : [...shared, Encoding.Raw];
}
