import type { Duplex } from 'node:stream';
import { PNG } from 'pngjs';
import { PIXEL_FORMAT_RGB888, SECURITY_NONE, encodeFramebufferUpdateRequest, encodeSetEncodings, encodeSetPixelFormat } from '../../../shared/node/rfb.ts';
import { ByteQueue } from './byte-queue.ts';

/**
 * A one-shot RFB client for `…/vnc/screenshot` on external VNC servers: it joins
 * as a shared client (so the open console session stays), asks for one full
 * Raw 32 bpp frame and turns it into a PNG.
 */

const ENCODING_RAW = 0;
const DEFAULT_TIMEOUT_MS = 10_000;

export interface RfbSnapshotOptions {
  timeoutMs?: number;
}

/** PNG of the whole screen of the RFB server on `stream`; the stream is destroyed afterwards. */
export async function snapshotRfb(stream: Duplex, options: RfbSnapshotOptions = {}): Promise<Buffer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const queue = new ByteQueue();
  stream.on('data', (chunk: Buffer) => queue.push(chunk));
  stream.on('end', () => queue.end());
  stream.on('close', () => queue.fail(new Error('VNC server closed the connection')));
  stream.on('error', (error) => queue.fail(new Error(`VNC server connection failed: ${error.message}`)));
  const timer = setTimeout(() => queue.fail(new Error(`VNC screenshot timed out after ${timeoutMs} ms`)), timeoutMs);
  try {
    const { width, height } = await handshake(stream, queue);
    stream.write(Buffer.concat([
      encodeSetPixelFormat(PIXEL_FORMAT_RGB888),
      encodeSetEncodings([ENCODING_RAW]),
      encodeFramebufferUpdateRequest({ incremental: false, x: 0, y: 0, width, height }),
    ]));
    const png = new PNG({ width, height });
    await readFullFrame(queue, width, height, png.data);
    return PNG.sync.write(png);
  } finally {
    clearTimeout(timer);
    stream.destroy();
  }
}

async function readReason(queue: ByteQueue): Promise<string> {
  const length = (await queue.read(4)).readUInt32BE(0);
  return (await queue.read(length)).toString('utf8');
}

async function handshake(stream: Duplex, queue: ByteQueue): Promise<{ width: number; height: number }> {
  const banner = (await queue.read(12)).toString('latin1');
  const match = /^RFB 003\.(\d{3})\n$/.exec(banner);
  if (!match) throw new Error(`not an RFB 3.x server: ${JSON.stringify(banner)}`);
  const minor = Math.min(Number(match[1]), 8) >= 7 ? Math.min(Number(match[1]), 8) : 3;
  stream.write(`RFB 003.00${minor}\n`, 'latin1');
  if (minor === 3) {
    const type = (await queue.read(4)).readUInt32BE(0);
    if (type === 0) throw new Error(`VNC server refused the connection: ${await readReason(queue)}`);
    if (type !== SECURITY_NONE) throw new Error(`VNC server requires security type ${type}; only None is supported`);
  } else {
    const count = (await queue.read(1)).readUInt8(0);
    if (count === 0) throw new Error(`VNC server refused the connection: ${await readReason(queue)}`);
    const types = [...(await queue.read(count))];
    if (!types.includes(SECURITY_NONE)) throw new Error(`VNC server offers security types [${types.join(', ')}], not None`);
    stream.write(Buffer.from([SECURITY_NONE]));
    if (minor === 8 && (await queue.read(4)).readUInt32BE(0) !== 0) throw new Error(`VNC security handshake failed: ${await readReason(queue)}`);
  }
  stream.write(Buffer.from([1]));
  const init = await queue.read(24);
  await queue.read(init.readUInt32BE(20));
  return { width: init.readUInt16BE(0), height: init.readUInt16BE(2) };
}

/** Reads server messages until every pixel has arrived at least once; writes RGBA into `rgba`. */
async function readFullFrame(queue: ByteQueue, width: number, height: number, rgba: Buffer): Promise<void> {
  const covered = new Uint8Array(width * height);
  let missing = width * height;
  while (missing > 0) {
    const type = (await queue.read(1)).readUInt8(0);
    if (type === 0) {
      const rects = (await queue.read(3)).readUInt16BE(1);
      for (let r = 0; r < rects; r++) {
        const head = await queue.read(12);
        const [x, y, w, h] = [head.readUInt16BE(0), head.readUInt16BE(2), head.readUInt16BE(4), head.readUInt16BE(6)];
        const encoding = head.readInt32BE(8);
        if (encoding !== ENCODING_RAW) throw new Error(`VNC server sent encoding ${encoding} although only Raw was asked for`);
        const pixels = await queue.read(w * h * 4);
        for (let row = 0; row < h && y + row < height; row++) {
          for (let col = 0; col < w && x + col < width; col++) {
            const i = (row * w + col) * 4;
            const p = (y + row) * width + x + col;
            rgba[p * 4] = pixels[i + 2] ?? 0;
            rgba[p * 4 + 1] = pixels[i + 1] ?? 0;
            rgba[p * 4 + 2] = pixels[i] ?? 0;
            rgba[p * 4 + 3] = 0xff;
            if (covered[p] === 0) {
              covered[p] = 1;
              missing--;
            }
          }
        }
      }
    } else if (type === 1) {
      const colours = (await queue.read(5)).readUInt16BE(3);
      await queue.read(6 * colours);
    } else if (type === 3) {
      await queue.read(Math.abs((await queue.read(7)).readInt32BE(3)));
    } else if (type !== 2) {
      throw new Error(`unexpected RFB server message type ${type}`);
    }
  }
}
