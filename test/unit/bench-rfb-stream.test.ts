import { afterEach, describe, expect, it } from 'vitest';
import { PIXEL_FORMAT_RGB888, encodeFramebufferUpdateRequest, encodeSetEncodings } from '../../shared/node/rfb.ts';
import { RfbServerMessageParser } from '../../shared/node/rfb-server-messages.ts';
import { tcpChannel, type ByteChannel } from '../bench/lib/byte-channel.ts';
import { HandshakeReader, rfbHandshake } from '../bench/lib/rfb-handshake.ts';
import { RfbStreamServer } from '../bench/lib/rfb-stream-server.ts';
import { StreamViewer } from '../bench/lib/rfb-viewer.ts';
import { ReadArena } from '../bench/lib/read-arena.ts';
import { StampCatcher, stampedHead } from '../bench/lib/stamped-frames.ts';
import { cursorRect, framebufferUpdate, rawRect, referenceCut } from '../support/rfb-server-stream.ts';

const SCREEN = { width: 1280, height: 800 };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let server: RfbStreamServer | undefined;
let channel: ByteChannel | undefined;

afterEach(async () => {
  channel?.close();
  await server?.close();
  server = undefined;
  channel = undefined;
});

async function start(fps: number): Promise<number> {
  server = new RfbStreamServer({ ...SCREEN, fps, name: 'test stream' });
  return server.listen(0);
}

/** Everything a raw client receives until `bytes` have arrived. */
function collect(c: ByteChannel, leftover: Buffer, bytes: number): Promise<Buffer> {
  let got = leftover;
  return new Promise((resolve) => {
    const check = (): void => {
      if (got.length >= bytes) resolve(got);
    };
    c.onData((chunk) => {
      got = Buffer.concat([got, chunk]);
      check();
    });
    check();
  });
}

describe('the streaming VNC server and the stream viewer', () => {
  it('streams stamped Hextile changes at the screen rate, each one what the upstream built, with latencies from its send', async () => {
    const port = await start(50);
    channel = await tcpChannel({ host: '127.0.0.1', port });
    const viewer = await StreamViewer.open(channel, 5000);
    expect(viewer.screen).toMatchObject(SCREEN);
    await viewer.updatesArrived(5, 5000);
    viewer.openWindow();
    await sleep(600);
    const window = viewer.closeWindow();
    // 50 changes a second for 0.6 s, one request in flight: about 30, never more than the screen changed.
    expect(window.updates).toBeGreaterThanOrEqual(15);
    expect(window.updates).toBeLessThanOrEqual(32);
    expect(window.latenciesMs).toHaveLength(window.updates);
    expect(window.latenciesMs.every((ms) => ms >= 0 && ms < 200)).toBe(true);
    expect(window.bytes).toBe(window.updates * server!.changeBytes);
    expect(viewer.endedBecause).toBeUndefined();
  });

  it('answers a client that asked for Raw only with Raw: the whole screen at once, then a change when the screen changes', async () => {
    const port = await start(20);
    channel = await tcpChannel({ host: '127.0.0.1', port });
    const reader = new HandshakeReader(channel);
    await rfbHandshake(channel, reader);
    channel.write(encodeSetEncodings([0]));
    channel.write(encodeFramebufferUpdateRequest({ incremental: false, x: 0, y: 0, ...SCREEN }));
    const fullBytes = 4 + 20 + 12 + SCREEN.width * SCREEN.height * 4;
    const first = await collect(channel, reader.rest(), fullBytes);
    expect(referenceCut(first, PIXEL_FORMAT_RGB888)).toEqual([{ type: 0, end: fullBytes, encodings: [0, 0] }]);
    channel.write(encodeFramebufferUpdateRequest({ incremental: true, x: 0, y: 0, ...SCREEN }));
    // The stamp, then the animation (480×320), the text line (1280×32) and the picture (64×64), all Raw.
    const changeBytes = 4 + 20 + 3 * 12 + 4 * (480 * 320 + SCREEN.width * 32 + 64 * 64);
    const both = await collect(channel, first, fullBytes + changeBytes);
    expect(referenceCut(both, PIXEL_FORMAT_RGB888)).toEqual([
      { type: 0, end: fullBytes, encodings: [0, 0] },
      { type: 0, end: fullBytes + changeBytes, encodings: [0, 0, 0, 0] },
    ]);
  });

  it('reads the stamp of an update that starts with one, and none from one that does not, from chunks overwritten soon after they are fed', () => {
    const rest = rawRect({ x: 10, y: 10, width: 4, height: 4 }, PIXEL_FORMAT_RGB888);
    const stamped = (sentAt: bigint): Buffer => Buffer.concat([stampedHead(1, sentAt), rest]);
    const unstamped = framebufferUpdate([cursorRect({ x: 0, y: 0, width: 2, height: 1 }, PIXEL_FORMAT_RGB888)]);
    const whole = Buffer.concat([stamped(123456789012345n), unstamped, stamped(42n), stamped(7n)]);
    // Pieces of every size from a byte (the stamp spread over eight chunks) to several messages in one chunk,
    // read into an arena that keeps 32 bytes: enough for the parser's split headers, not for a 100-byte update.
    for (const size of [1, 5, 17, 24, 25, 100, whole.length]) {
      const parser = new RfbServerMessageParser(PIXEL_FORMAT_RGB888);
      const catcher = new StampCatcher();
      const arena = new ReadArena(Math.max(3 * size, 2 * size + 32), size);
      const stamps: Array<bigint | undefined> = [];
      for (let at = 0; at < whole.length; at += size) {
        const read = arena.next();
        const chunk = read.subarray(0, whole.copy(read, 0, at, at + size));
        arena.filled(chunk.length);
        for (const message of parser.feed(chunk).messages) stamps.push(catcher.stampOf(message, chunk, at));
        catcher.fed(chunk, at);
      }
      expect(stamps, `pieces of ${size} bytes`).toEqual([123456789012345n, undefined, 42n, 7n]);
    }
  });
});
