import { randomFillSync } from 'node:crypto';
import { closeReason, sendableCode } from './close-codes.ts';

/** Websocket opcodes (RFC 6455 §5.2). */
export const Opcode = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;

/**
 * One websocket frame, whole. The gateway writes only small frames of its own
 * (close, ping, pong, a view-only viewer's filtered input); everything else is
 * passed through as the peer framed it. Frames toward the API server are
 * masked, as a client's must be (RFC 6455 §5.3).
 */
export function encodeFrame(opcode: number, payload: Buffer, masked: boolean): Buffer {
  const { frame, headerLength } = frameWithHeader(opcode, payload.length, masked);
  if (!masked) {
    payload.copy(frame, headerLength);
    return frame;
  }
  const maskAt = headerLength - 4;
  randomFillSync(frame, maskAt, 4);
  for (let i = 0; i < payload.length; i++) frame[headerLength + i] = payload[i]! ^ frame[maskAt + (i & 3)]!;
  return frame;
}

/**
 * One unmasked binary frame whose payload is `parts` in order, copied once (a
 * shared console's message, written to every viewer), into memory from
 * `allocate` when given.
 */
export function encodeServerFrame(parts: readonly Buffer[], allocate: (size: number) => Buffer = Buffer.allocUnsafe): Buffer {
  const length = parts.reduce((sum, part) => sum + part.length, 0);
  const { frame, headerLength } = frameWithHeader(Opcode.binary, length, false, allocate);
  let at = headerLength;
  for (const part of parts) at += part.copy(frame, at);
  return frame;
}

function frameWithHeader(opcode: number, length: number, masked: boolean, allocate: (size: number) => Buffer = Buffer.allocUnsafe): { frame: Buffer; headerLength: number } {
  const lengthBytes = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
  const headerLength = 2 + lengthBytes + (masked ? 4 : 0);
  const frame = allocate(headerLength + length);
  frame[0] = 0x80 | opcode;
  frame[1] = (masked ? 0x80 : 0) | (lengthBytes === 0 ? length : lengthBytes === 2 ? 126 : 127);
  if (lengthBytes === 2) frame.writeUInt16BE(length, 2);
  if (lengthBytes === 8) frame.writeBigUInt64BE(BigInt(length), 2);
  return { frame, headerLength };
}

/** A close frame's payload: the code, then a reason of at most 123 bytes. */
export function closePayload(code: number, reason = ''): Buffer {
  const text = Buffer.from(closeReason(reason));
  const payload = Buffer.allocUnsafe(2 + text.length);
  payload.writeUInt16BE(sendableCode(code), 0);
  text.copy(payload, 2);
  return payload;
}

/** The code and reason a close frame's payload carries (1005: none given). */
export function parseClosePayload(payload: Buffer): { code: number; reason: string } {
  if (payload.length < 2) return { code: 1005, reason: '' };
  return { code: payload.readUInt16BE(0), reason: payload.subarray(2).toString('utf8') };
}
