// The VNC session's use of the pooled reads it cuts in place, driven read by
// read as Node's `onread` would: what it holds must not outgrow the message
// under way, however the reads fall against message boundaries.
import { once } from 'node:events';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PIXEL_FORMAT_RGB888 } from '../../shared/node/rfb.ts';
import { framebufferUpdate, rawRect } from '../../test/support/rfb-server-stream.ts';
import { encodeServerFrame } from './frames.ts';
import { PooledReader } from './pooled-reader.ts';
import { encodeServerInit } from './rfb-upstream-handshake.ts';
import { VncSession } from './vnc-session.ts';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** A connected socket for the session to write its requests to (nobody reads them). */
async function upstreamSocket(): Promise<net.Socket> {
  const server = net.createServer((peer) => peer.resume());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
  await once(socket, 'connect');
  cleanups.push(() => {
    socket.destroy();
    server.close();
  });
  return socket;
}

/** Hands `stream` to the reader in reads of `size` bytes at most, each into the buffer the reader gives. */
function readInto(reader: PooledReader, stream: Buffer, size: number): number {
  const nextBuffer = reader.onread.buffer as () => Buffer;
  let reads = 0;
  for (let at = 0; at < stream.length; reads++) {
    const into = nextBuffer();
    const length = Math.min(size, into.length, stream.length - at);
    stream.copy(into, 0, at, at + length);
    reader.onread.callback(length, into);
    at += length;
  }
  return reads;
}

describe('VncSession reading pooled reads in place', () => {
  it('lets go of earlier reads whenever a message ends, even when no read ends on a message boundary', async () => {
    const reader = new PooledReader();
    const release = vi.spyOn(reader, 'release');
    const session = new VncSession(await upstreamSocket(), reader, Buffer.alloc(0), {
      pingMs: 60_000, maxViewerBacklog: 4 * 1024 * 1024, maxRefreshes: 3, refreshWindowMs: 30_000, maxUpstreamBacklog: 256 * 1024,
    });
    cleanups.push(() => session.close({ code: 1001, reason: '' }));
    const handshake = Buffer.concat([
      Buffer.from('RFB 003.008\n'), Buffer.from([1, 1]), Buffer.alloc(4),
      encodeServerInit({ width: 32, height: 32, pixelFormat: PIXEL_FORMAT_RGB888, name: Buffer.from('vm') }),
    ]);
    // 100 updates of 4,112 bytes back to back, in frames of 3,000 bytes that ignore message boundaries (as
    // KubeVirt's are), read 5,000 bytes at a time: nearly every read and every frame ends inside a message.
    const rfb = Buffer.concat([handshake, ...Array.from({ length: 100 }, (_, i) => framebufferUpdate([rawRect({ x: 0, y: 0, width: 32, height: 32 }, PIXEL_FORMAT_RGB888, i + 1)]))]);
    const frames = Array.from({ length: Math.ceil(rfb.length / 3000) }, (_, i) => encodeServerFrame([rfb.subarray(i * 3000, (i + 1) * 3000)]));
    const stream = Buffer.concat(frames);
    const reads = readInto(reader, stream, 5000);
    expect(session.open).toBe(true);
    // Without letting go at each message's end, nothing would be released until a read ended exactly on a boundary.
    expect(release.mock.calls.length).toBeGreaterThan(reads * 0.6);
  });
});
