import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import des from 'des.js';
import { checkVncAuthResponse, oneTimeVncPassword, reverseBits, vncAuthResponse, vncKey, VNC_PASSWORD_LENGTH } from './vnc-auth.ts';

describe('VNC authentication', () => {
  it('uses a DES that meets the textbook known answer', () => {
    const cipher = des.DES.create({ type: 'encrypt', key: Buffer.from('133457799bbcdff1', 'hex'), padding: false });
    expect(Buffer.from(cipher.update(Buffer.from('0123456789abcdef', 'hex'))).toString('hex')).toBe('85e813540f0ab405');
  });

  it('answers a challenge as OpenSSL DES-ECB does under the bit-mirrored password', () => {
    // Computed with `openssl enc -des-ecb -nopad -provider legacy` and the key cea6c64ea62e8c4c ("secret12" mirrored).
    expect(vncKey('secret12').toString('hex')).toBe('cea6c64ea62e8c4c');
    const challenge = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    expect(vncAuthResponse('secret12', challenge).toString('hex')).toBe('817402416b165d7ade9c46b5faa42370');
  });

  it('mirrors bits and pads or cuts the password to 8 bytes', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 255 }), (byte) => reverseBits(reverseBits(byte)) === byte));
    expect(reverseBits(0x01)).toBe(0x80);
    expect(reverseBits(0x61)).toBe(0x86);
    expect(vncKey('ab').toString('hex')).toBe('8646000000000000');
    expect(vncKey('abcdefghXYZ')).toEqual(vncKey('abcdefgh'));
  });

  it('accepts only the right password', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (challenge) => {
      const password = oneTimeVncPassword();
      const response = vncAuthResponse(password, challenge);
      const wrong = password === 'aaaaaaaa' ? 'bbbbbbbb' : 'aaaaaaaa';
      return checkVncAuthResponse(password, challenge, response) && !checkVncAuthResponse(wrong, challenge, response) && !checkVncAuthResponse(password, challenge, response.subarray(0, 8));
    }), { numRuns: 25 });
    expect(() => vncAuthResponse('x', Buffer.alloc(8))).toThrow(/16 bytes/);
  });

  it('makes fresh 8-character passwords', () => {
    const passwords = new Set(Array.from({ length: 50 }, oneTimeVncPassword));
    expect(passwords.size).toBe(50);
    for (const p of passwords) expect(p).toMatch(new RegExp(`^[a-zA-Z2-9]{${VNC_PASSWORD_LENGTH}}$`));
  });
});
