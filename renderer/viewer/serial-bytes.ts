// The serial console's bytes. KubeVirt's serial console is a raw byte stream in
// binary frames both ways, and it drops text frames: what a person types or
// pastes goes out as UTF-8 bytes, and what arrives goes to the terminal as
// bytes, never decoded here — the terminal decodes UTF-8 itself, so a character
// split across two frames stays whole.

const encoder = new TextEncoder();

/** The bytes of text the terminal reports typed or pasted. */
export function textBytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * The bytes of a "binary string" (each char code one byte), as the terminal
 * reports mouse events in the legacy encoding, where UTF-8 would turn codes
 * above 127 into two bytes.
 */
export function binaryStringBytes(data: string): Uint8Array {
  const bytes = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i += 1) {
    const code = data.charCodeAt(i);
    if (code > 0xff) throw new RangeError(`a binary string holds only bytes, found code ${code} at ${i}`);
    bytes[i] = code;
  }
  return bytes;
}

/**
 * What one received frame holds, as bytes for the terminal; undefined for
 * anything else. A text frame (KubeVirt sends none) is taken as its UTF-8.
 */
export function frameBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (typeof data === 'string') return encoder.encode(data);
  return undefined;
}
