// RFB "VNC Authentication" (security type 2, RFC 6143 §7.2.2): the server sends
// a 16-byte challenge, the client answers with it DES-ECB-encrypted under the
// password. The password is cut or zero-padded to 8 bytes, and each byte's
// bits are mirrored before it is used as the key (a quirk of the original
// implementation that every VNC client reproduces).
import { randomInt, timingSafeEqual } from 'node:crypto';
import des from 'des.js';

export const SECURITY_VNC_AUTH = 2;
export const VNC_CHALLENGE_LENGTH = 16;
export const VNC_PASSWORD_LENGTH = 8;
// No look-alikes (0/O, 1/l/I): the password is read off a screen and typed.
const PASSWORD_ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function reverseBits(byte: number): number {
  let out = 0;
  for (let bit = 0; bit < 8; bit++) out |= ((byte >> bit) & 1) << (7 - bit);
  return out;
}

/** The DES key VNC derives from a password. */
export function vncKey(password: string): Buffer {
  const key = Buffer.alloc(VNC_PASSWORD_LENGTH);
  Buffer.from(password, 'latin1').copy(key, 0, 0, VNC_PASSWORD_LENGTH);
  return Buffer.from(key.map(reverseBits));
}

/** The response a client holding `password` sends to `challenge`. */
export function vncAuthResponse(password: string, challenge: Uint8Array): Buffer {
  if (challenge.length !== VNC_CHALLENGE_LENGTH) throw new Error(`a VNC challenge is ${VNC_CHALLENGE_LENGTH} bytes, got ${challenge.length}`);
  const cipher = des.DES.create({ type: 'encrypt', key: vncKey(password), padding: false });
  return Buffer.from([...cipher.update(challenge), ...cipher.final()]);
}

export function checkVncAuthResponse(password: string, challenge: Uint8Array, response: Uint8Array): boolean {
  const expected = vncAuthResponse(password, challenge);
  return response.length === expected.length && timingSafeEqual(expected, response);
}

/** A fresh password of exactly the 8 characters VNC uses (about 46 bits). */
export function oneTimeVncPassword(): string {
  let password = '';
  for (let i = 0; i < VNC_PASSWORD_LENGTH; i++) password += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return password;
}
