// A VNC client for tests, written from RFC 6143 so it shares nothing with the
// bridge it checks: exact reads over TCP, and the RFB 3.8 handshake with VNC
// Authentication (DES via des.js, not the app's vnc-auth.ts).
import { connect, type Socket } from 'node:net';
import des from 'des.js';

/** What a VNC client does with the password: DES-ECB of the challenge, keyed by the password with each byte's bits mirrored. */
function answer(password: string, challenge: Buffer): Buffer {
  const key = Buffer.alloc(8);
  Buffer.from(password, 'latin1').copy(key, 0, 0, 8);
  const mirrored = key.map((byte) => parseInt(byte.toString(2).padStart(8, '0').split('').reverse().join(''), 2));
  return Buffer.from(des.DES.create({ type: 'encrypt', key: mirrored, padding: false }).update(challenge));
}

/** A VNC client's view of a TCP connection: exact reads, and how it ended. */
export class VncClientSocket {
  private buffered = Buffer.alloc(0);
  private readonly waiters: (() => void)[] = [];
  ended = false;
  readonly closed: Promise<void>;

  constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.wake();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.on('close', () => {
      this.ended = true;
      this.wake();
      resolve();
    }));
  }

  static async open(address: string): Promise<VncClientSocket> {
    const [host, port] = address.split(':');
    const socket = connect({ host: host!, port: Number(port) });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new VncClientSocket(socket);
  }

  async read(count: number): Promise<Buffer> {
    while (this.buffered.length < count) {
      if (this.ended) throw new Error(`the bridge closed with ${this.buffered.length} of ${count} bytes`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    const bytes = this.buffered.subarray(0, count);
    this.buffered = this.buffered.subarray(count);
    return bytes;
  }

  write(bytes: Buffer | number[]): void {
    this.socket.write(Buffer.from(bytes));
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

/** RFB 3.8 up to SecurityResult, with VNC Authentication. */
export async function login(client: VncClientSocket, password: string): Promise<{ result: number; reason?: string }> {
  const version = (await client.read(12)).toString('latin1');
  if (version !== 'RFB 003.008\n') throw new Error(`the server speaks ${JSON.stringify(version)}, not RFB 3.8`);
  client.write(Buffer.from('RFB 003.008\n', 'latin1'));
  const count = (await client.read(1))[0]!;
  const types = [...(await client.read(count))];
  if (types.join() !== '2') throw new Error(`the server offers security types ${types.join(', ')}, not only VNC Authentication`);
  client.write([2]);
  const challenge = await client.read(16);
  client.write(answer(password, challenge));
  const result = (await client.read(4)).readUInt32BE(0);
  if (result === 0) return { result };
  const length = (await client.read(4)).readUInt32BE(0);
  return { result, reason: (await client.read(length)).toString('utf8') };
}

/** ClientInit (shared) and the ServerInit's desktop name. */
export async function serverName(client: VncClientSocket): Promise<string> {
  client.write([1]);
  const init = await client.read(24);
  return (await client.read(init.readUInt32BE(20))).toString('utf8');
}

/** Whether nothing listens at a loopback address any more. */
export async function refused(address: string): Promise<boolean> {
  try {
    (await VncClientSocket.open(address)).socket.destroy();
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  }
}

