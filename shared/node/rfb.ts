/**
 * RFB (RFC 6143) from the client's side of the wire: a tracker for the client half
 * of the handshake and an incremental parser for the client→server messages that
 * follow it. The built-in test VNC server reads its clients with these; the
 * gateway's view-only filter uses the same parser to decide what may pass, so a
 * message the parser does not know is an error (the caller closes) rather than a
 * guess about its length.
 */

export const RFB_VERSION_LENGTH = 12;
export const SECURITY_NONE = 1;
/** Largest ClientCutText payload accepted; a clipboard bigger than this is an attack, not a paste. */
export const MAX_CUT_TEXT_BYTES = 1024 * 1024;

export interface PixelFormat {
  bitsPerPixel: number;
  depth: number;
  bigEndian: boolean;
  trueColour: boolean;
  redMax: number;
  greenMax: number;
  blueMax: number;
  redShift: number;
  greenShift: number;
  blueShift: number;
}

/** QEMU's default and what noVNC asks for: 32 bpp, depth 24, little endian, 0x00RRGGBB. */
export const PIXEL_FORMAT_RGB888: PixelFormat = {
  bitsPerPixel: 32, depth: 24, bigEndian: false, trueColour: true,
  redMax: 255, greenMax: 255, blueMax: 255, redShift: 16, greenShift: 8, blueShift: 0,
};

export function decodePixelFormat(bytes: Buffer): PixelFormat {
  if (bytes.length < 16) throw new Error(`an RFB pixel format is 16 bytes, got ${bytes.length}`);
  return {
    bitsPerPixel: bytes.readUInt8(0),
    depth: bytes.readUInt8(1),
    bigEndian: bytes.readUInt8(2) !== 0,
    trueColour: bytes.readUInt8(3) !== 0,
    redMax: bytes.readUInt16BE(4),
    greenMax: bytes.readUInt16BE(6),
    blueMax: bytes.readUInt16BE(8),
    redShift: bytes.readUInt8(10),
    greenShift: bytes.readUInt8(11),
    blueShift: bytes.readUInt8(12),
  };
}

export function encodePixelFormat(pf: PixelFormat): Buffer {
  const out = Buffer.alloc(16);
  out.writeUInt8(pf.bitsPerPixel, 0);
  out.writeUInt8(pf.depth, 1);
  out.writeUInt8(pf.bigEndian ? 1 : 0, 2);
  out.writeUInt8(pf.trueColour ? 1 : 0, 3);
  out.writeUInt16BE(pf.redMax, 4);
  out.writeUInt16BE(pf.greenMax, 6);
  out.writeUInt16BE(pf.blueMax, 8);
  out.writeUInt8(pf.redShift, 10);
  out.writeUInt8(pf.greenShift, 11);
  out.writeUInt8(pf.blueShift, 12);
  return out;
}

// ---------------------------------------------------------------- handshake

export type HandshakeStep =
  | { step: 'version'; major: number; minor: number; raw: Buffer }
  | { step: 'security'; securityType: number; raw: Buffer }
  | { step: 'client-init'; shared: boolean; raw: Buffer };

export interface HandshakeProgress {
  /** Steps completed by this chunk, in order. */
  steps: HandshakeStep[];
  /** Bytes after ClientInit (the start of the message phase); empty until the handshake is done. */
  rest: Buffer;
  done: boolean;
  error?: string;
}

/**
 * Follows the client's half of an RFB 3.7/3.8 handshake with security type None:
 * 12 bytes of version, 1 byte of security type, 1 byte of ClientInit. Other
 * versions and security types are errors, since their extra bytes depend on what
 * the server said, which this side of the wire does not see.
 */
export class RfbClientHandshake {
  private pending: Buffer = Buffer.alloc(0);
  private stage: 'version' | 'security' | 'client-init' | 'done' | 'failed' = 'version';
  private failure: string | undefined;

  get done(): boolean {
    return this.stage === 'done';
  }

  feed(chunk: Buffer): HandshakeProgress {
    if (this.stage === 'done') return { steps: [], rest: chunk, done: true };
    if (this.stage === 'failed') return { steps: [], rest: Buffer.alloc(0), done: false, error: this.failure };
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const steps: HandshakeStep[] = [];
    for (;;) {
      const need = this.stage === 'version' ? RFB_VERSION_LENGTH : 1;
      if (this.pending.length < need) return { steps, rest: Buffer.alloc(0), done: false };
      const raw = Buffer.from(this.pending.subarray(0, need));
      this.pending = this.pending.subarray(need);
      const error = this.take(raw, steps);
      if (error !== undefined) {
        this.stage = 'failed';
        this.failure = error;
        return { steps, rest: Buffer.alloc(0), done: false, error };
      }
      if (this.done) {
        const rest = this.pending;
        this.pending = Buffer.alloc(0);
        return { steps, rest, done: true };
      }
    }
  }

  private take(raw: Buffer, steps: HandshakeStep[]): string | undefined {
    switch (this.stage) {
      case 'version': {
        const match = /^RFB (\d{3})\.(\d{3})\n$/.exec(raw.toString('latin1'));
        if (!match) return `not an RFB protocol version: ${JSON.stringify(raw.toString('latin1'))}`;
        const major = Number(match[1]);
        const minor = Number(match[2]);
        if (major !== 3 || (minor !== 7 && minor !== 8)) return `RFB version ${major}.${minor} is not supported (3.7 and 3.8 are)`;
        steps.push({ step: 'version', major, minor, raw });
        this.stage = 'security';
        return undefined;
      }
      case 'security': {
        const securityType = raw.readUInt8(0);
        if (securityType !== SECURITY_NONE) return `RFB security type ${securityType} is not supported (only None, 1)`;
        steps.push({ step: 'security', securityType, raw });
        this.stage = 'client-init';
        return undefined;
      }
      case 'client-init':
        steps.push({ step: 'client-init', shared: raw.readUInt8(0) !== 0, raw });
        this.stage = 'done';
        return undefined;
      default:
        return 'handshake already finished';
    }
  }
}

// ---------------------------------------------------------------- messages

export const ClientMessageType = {
  SetPixelFormat: 0,
  SetEncodings: 2,
  FramebufferUpdateRequest: 3,
  KeyEvent: 4,
  PointerEvent: 5,
  ClientCutText: 6,
  EnableContinuousUpdates: 150,
  ClientFence: 248,
  Xvp: 250,
  SetDesktopSize: 251,
  Qemu: 255,
} as const;

const QEMU_EXTENDED_KEY_EVENT = 0;

type Base<T extends string> = { type: T; raw: Buffer };
export type ClientMessage =
  | Base<'SetPixelFormat'> & { pixelFormat: PixelFormat }
  | Base<'SetEncodings'> & { encodings: number[] }
  | Base<'FramebufferUpdateRequest'> & { incremental: boolean; x: number; y: number; width: number; height: number }
  | Base<'KeyEvent'> & { down: boolean; keysym: number }
  | Base<'PointerEvent'> & { buttons: number; x: number; y: number }
  | Base<'ClientCutText'> & { text: string }
  | Base<'EnableContinuousUpdates'>
  | Base<'ClientFence'>
  | Base<'Xvp'>
  | Base<'SetDesktopSize'>
  | Base<'QemuExtendedKeyEvent'> & { down: boolean; keysym: number; keycode: number };

export interface ParseResult {
  messages: ClientMessage[];
  /** Set once the stream is unusable (unknown type, oversized text); later feeds return it again. */
  error?: string;
}

/**
 * Length of the message at the start of `buf`: a number when known, `undefined`
 * when more bytes are needed to tell, a string when the message is refused.
 */
function messageLength(buf: Buffer): number | undefined | string {
  if (buf.length < 1) return undefined;
  const type = buf.readUInt8(0);
  const atLeast = (n: number, then: () => number | string): number | undefined | string => (buf.length < n ? undefined : then());
  switch (type) {
    case ClientMessageType.SetPixelFormat: return 20;
    case ClientMessageType.SetEncodings: return atLeast(4, () => 4 + 4 * buf.readUInt16BE(2));
    case ClientMessageType.FramebufferUpdateRequest: return 10;
    case ClientMessageType.KeyEvent: return 8;
    case ClientMessageType.PointerEvent: return 6;
    case ClientMessageType.ClientCutText:
      return atLeast(8, () => {
        // The extended-clipboard extension sends a negative length meaning |length| bytes follow.
        const length = Math.abs(buf.readInt32BE(4));
        return length > MAX_CUT_TEXT_BYTES ? `ClientCutText of ${length} bytes exceeds the ${MAX_CUT_TEXT_BYTES}-byte limit` : 8 + length;
      });
    case ClientMessageType.EnableContinuousUpdates: return 10;
    case ClientMessageType.ClientFence: return atLeast(9, () => 9 + buf.readUInt8(8));
    case ClientMessageType.Xvp: return 4;
    case ClientMessageType.SetDesktopSize: return atLeast(8, () => 8 + 16 * buf.readUInt8(6));
    case ClientMessageType.Qemu:
      return atLeast(2, () => {
        const subtype = buf.readUInt8(1);
        return subtype === QEMU_EXTENDED_KEY_EVENT ? 12 : `QEMU client message subtype ${subtype} is not supported`;
      });
    default: return `unknown RFB client message type ${type}`;
  }
}

function decode(raw: Buffer): ClientMessage {
  switch (raw.readUInt8(0)) {
    case ClientMessageType.SetPixelFormat: return { type: 'SetPixelFormat', raw, pixelFormat: decodePixelFormat(raw.subarray(4)) };
    case ClientMessageType.SetEncodings: {
      const encodings: number[] = [];
      for (let off = 4; off < raw.length; off += 4) encodings.push(raw.readInt32BE(off));
      return { type: 'SetEncodings', raw, encodings };
    }
    case ClientMessageType.FramebufferUpdateRequest:
      return {
        type: 'FramebufferUpdateRequest', raw, incremental: raw.readUInt8(1) !== 0,
        x: raw.readUInt16BE(2), y: raw.readUInt16BE(4), width: raw.readUInt16BE(6), height: raw.readUInt16BE(8),
      };
    case ClientMessageType.KeyEvent: return { type: 'KeyEvent', raw, down: raw.readUInt8(1) !== 0, keysym: raw.readUInt32BE(4) };
    case ClientMessageType.PointerEvent: return { type: 'PointerEvent', raw, buttons: raw.readUInt8(1), x: raw.readUInt16BE(2), y: raw.readUInt16BE(4) };
    case ClientMessageType.ClientCutText: return { type: 'ClientCutText', raw, text: raw.subarray(8).toString('latin1') };
    case ClientMessageType.EnableContinuousUpdates: return { type: 'EnableContinuousUpdates', raw };
    case ClientMessageType.ClientFence: return { type: 'ClientFence', raw };
    case ClientMessageType.Xvp: return { type: 'Xvp', raw };
    case ClientMessageType.SetDesktopSize: return { type: 'SetDesktopSize', raw };
    default:
      return { type: 'QemuExtendedKeyEvent', raw, down: raw.readUInt16BE(2) !== 0, keysym: raw.readUInt32BE(4), keycode: raw.readUInt32BE(8) };
  }
}

/** Feed client→server bytes in any chunking after the handshake; whole messages come out. */
export class RfbClientMessageParser {
  /** Bytes not yet part of a whole message, kept as they came: joined only once a message is complete. */
  private parts: Buffer[] = [];
  private buffered = 0;
  /** The length of the message being gathered, once its header says (0 until then). */
  private needed = 0;
  private failure: string | undefined;

  feed(chunk: Buffer): ParseResult {
    if (this.failure !== undefined) return { messages: [], error: this.failure };
    this.parts.push(chunk);
    this.buffered += chunk.length;
    // A long message (a 1 MiB clipboard) trickled in tiny frames must not be re-joined on every one.
    if (this.buffered < this.needed) return { messages: [] };
    let pending = this.parts.length === 1 ? chunk : Buffer.concat(this.parts, this.buffered);
    this.parts = [];
    this.buffered = 0;
    this.needed = 0;
    const messages: ClientMessage[] = [];
    for (;;) {
      const length = messageLength(pending);
      if (typeof length === 'string') {
        this.failure = length;
        return { messages, error: length };
      }
      if (length === undefined || pending.length < length) {
        if (pending.length > 0) {
          this.parts = [pending];
          this.buffered = pending.length;
          this.needed = length ?? 0;
        }
        break;
      }
      // Copy so a message never pins (or aliases) the caller's larger chunk.
      messages.push(decode(Buffer.from(pending.subarray(0, length))));
      pending = pending.subarray(length);
    }
    return { messages };
  }
}

// ---------------------------------------------------------------- encoders (clients and tests)

export function encodeSetPixelFormat(pf: PixelFormat): Buffer {
  return Buffer.concat([Buffer.from([ClientMessageType.SetPixelFormat, 0, 0, 0]), encodePixelFormat(pf)]);
}

export function encodeSetEncodings(encodings: readonly number[]): Buffer {
  const out = Buffer.alloc(4 + 4 * encodings.length);
  out.writeUInt8(ClientMessageType.SetEncodings, 0);
  out.writeUInt16BE(encodings.length, 2);
  encodings.forEach((e, i) => out.writeInt32BE(e, 4 + 4 * i));
  return out;
}

export function encodeFramebufferUpdateRequest(r: { incremental: boolean; x: number; y: number; width: number; height: number }): Buffer {
  const out = Buffer.alloc(10);
  out.writeUInt8(ClientMessageType.FramebufferUpdateRequest, 0);
  out.writeUInt8(r.incremental ? 1 : 0, 1);
  out.writeUInt16BE(r.x, 2);
  out.writeUInt16BE(r.y, 4);
  out.writeUInt16BE(r.width, 6);
  out.writeUInt16BE(r.height, 8);
  return out;
}

export function encodeKeyEvent(down: boolean, keysym: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeUInt8(ClientMessageType.KeyEvent, 0);
  out.writeUInt8(down ? 1 : 0, 1);
  out.writeUInt32BE(keysym, 4);
  return out;
}

export function encodePointerEvent(buttons: number, x: number, y: number): Buffer {
  const out = Buffer.alloc(6);
  out.writeUInt8(ClientMessageType.PointerEvent, 0);
  out.writeUInt8(buttons, 1);
  out.writeUInt16BE(x, 2);
  out.writeUInt16BE(y, 4);
  return out;
}

export function encodeClientCutText(text: string): Buffer {
  const body = Buffer.from(text, 'latin1');
  const out = Buffer.alloc(8);
  out.writeUInt8(ClientMessageType.ClientCutText, 0);
  out.writeUInt32BE(body.length, 4);
  return Buffer.concat([out, body]);
}

export function encodeQemuExtendedKeyEvent(down: boolean, keysym: number, keycode: number): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt8(ClientMessageType.Qemu, 0);
  out.writeUInt8(QEMU_EXTENDED_KEY_EVENT, 1);
  out.writeUInt16BE(down ? 1 : 0, 2);
  out.writeUInt32BE(keysym, 4);
  out.writeUInt32BE(keycode, 8);
  return out;
}

/** The whole client half of a 3.8 handshake with security None: what a viewer sends before its first message. */
export function encodeClientHandshake(shared: boolean): Buffer {
  return Buffer.concat([Buffer.from('RFB 003.008\n', 'latin1'), Buffer.from([SECURITY_NONE, shared ? 1 : 0])]);
}
