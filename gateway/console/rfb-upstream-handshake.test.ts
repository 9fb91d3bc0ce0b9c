import { describe, expect, it } from 'vitest';
import { PIXEL_FORMAT_RGB888 } from '../../shared/node/rfb.ts';
import { encodeServerInit, UpstreamRfbHandshake } from './rfb-upstream-handshake.ts';

const init = { width: 640, height: 400, pixelFormat: PIXEL_FORMAT_RGB888, name: Buffer.from('team-a/web-1') };

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
}

describe('the upstream RFB handshake', () => {
  it('answers a 3.8 server with 3.8, security None and a shared ClientInit, and keeps its ServerInit, in any chunking', () => {
    const server = Buffer.concat([Buffer.from('RFB 003.008\n'), Buffer.from([2, 2, 1]), u32(0), encodeServerInit(init), Buffer.from([2])]);
    for (const size of [1, 5, server.length]) {
      const handshake = new UpstreamRfbHandshake();
      const replies: Buffer[] = [];
      let result;
      for (let at = 0; at < server.length && !result; at += size) {
        const progress = handshake.feed(server.subarray(at, at + size));
        expect(progress.error).toBeUndefined();
        replies.push(...progress.replies);
        if (progress.serverInit) result = { ...progress, rest: Buffer.concat([progress.rest, server.subarray(at + size)]) };
      }
      expect(Buffer.concat(replies).toString('latin1')).toBe('RFB 003.008\n\x01\x01');
      expect(result!.serverInit).toEqual(init);
      expect([...result!.rest]).toEqual([2]);
      expect(handshake.done).toBe(true);
    }
  });

  it('skips the security result with a 3.7 server', () => {
    const handshake = new UpstreamRfbHandshake();
    const progress = handshake.feed(Buffer.concat([Buffer.from('RFB 003.007\n'), Buffer.from([1, 1]), encodeServerInit(init)]));
    expect(Buffer.concat(progress.replies).toString('latin1')).toBe('RFB 003.007\n\x01\x01');
    expect(progress.serverInit?.name.toString()).toBe('team-a/web-1');
  });

  it('fails with the server’s reason, or when None is not offered, or on an old protocol', () => {
    expect(new UpstreamRfbHandshake().feed(Buffer.concat([Buffer.from('RFB 003.008\n'), Buffer.from([0]), u32(4), Buffer.from('busy')])).error)
      .toBe('the VNC server refused the connection: busy');
    expect(new UpstreamRfbHandshake().feed(Buffer.concat([Buffer.from('RFB 003.008\n'), Buffer.from([1, 2])])).error)
      .toBe('the VNC server offers security types 2, not None');
    expect(new UpstreamRfbHandshake().feed(Buffer.concat([Buffer.from('RFB 003.008\n'), Buffer.from([1, 1]), u32(1), u32(3), Buffer.from('no!')])).error)
      .toBe('the VNC server failed the handshake: no!');
    expect(new UpstreamRfbHandshake().feed(Buffer.from('RFB 003.003\n')).error).toMatch(/not RFB 3.7 or later/);
  });
});
