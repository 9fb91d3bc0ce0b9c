// The client half of an RFB 3.8 (or 3.7) handshake over a byte channel, with
// security None and a shared session: what every load client and viewer of the
// benchmarks does before the message phase.
import { SECURITY_NONE } from '../../../shared/node/rfb.ts';
import type { ByteChannel } from './byte-channel.ts';

/** Reads exact byte counts off a channel: for the handshake, where messages are small and sequential. */
export class HandshakeReader {
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: { need: number; resolve: (b: Buffer) => void; reject: (err: Error) => void } | undefined;
  private failure: Error | undefined;
  private receivedBytes = 0;

  constructor(channel: ByteChannel) {
    channel.onData((chunk) => {
      this.receivedBytes += chunk.length;
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.deliver();
    });
    channel.onClose((why) => {
      this.failure = new Error(`the connection ended during the RFB handshake: ${why}`);
      this.waiting?.reject(this.failure);
      this.waiting = undefined;
    });
  }

  read(need: number): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting = { need, resolve, reject };
      this.deliver();
    });
  }

  /** Bytes the server has sent so far: where a stalled handshake stopped. */
  get received(): number {
    return this.receivedBytes;
  }

  /** What arrived after the handshake: the start of the message phase. */
  rest(): Buffer {
    const rest = this.buffered;
    this.buffered = Buffer.alloc(0);
    return rest;
  }

  private deliver(): void {
    if (!this.waiting || this.buffered.length < this.waiting.need) return;
    const { need, resolve } = this.waiting;
    this.waiting = undefined;
    const out = this.buffered.subarray(0, need);
    this.buffered = this.buffered.subarray(need);
    resolve(out);
  }
}

export interface Screen {
  width: number;
  height: number;
  name: string;
}

/** RFB 3.8 (or 3.7) handshake with security None, shared session. */
export async function rfbHandshake(channel: ByteChannel, reader: HandshakeReader): Promise<Screen> {
  const version = (await reader.read(12)).toString('latin1');
  if (!/^RFB 003\.00[78]\n$/.test(version)) throw new Error(`unsupported RFB version ${JSON.stringify(version)}`);
  channel.write(Buffer.from(version, 'latin1'));
  const count = (await reader.read(1)).readUInt8(0);
  if (count === 0) {
    const length = (await reader.read(4)).readUInt32BE(0);
    throw new Error(`the VNC server refused: ${(await reader.read(length)).toString('utf8')}`);
  }
  const types = [...(await reader.read(count))];
  if (!types.includes(SECURITY_NONE)) throw new Error(`the VNC server offers security types ${types.join(', ')}, not None (1)`);
  channel.write(Buffer.from([SECURITY_NONE]));
  const result = (await reader.read(4)).readUInt32BE(0);
  if (result !== 0) throw new Error(`the VNC server failed the security handshake (${result})`);
  channel.write(Buffer.from([1]));
  const init = await reader.read(24);
  const name = (await reader.read(init.readUInt32BE(20))).toString('utf8');
  return { width: init.readUInt16BE(0), height: init.readUInt16BE(2), name };
}
