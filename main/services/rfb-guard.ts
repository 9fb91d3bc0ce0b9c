// The RFB 3.x handshake on both sides of a password-guarded VNC bridge. The
// console upstream (KubeVirt's QEMU) offers security type None, which must not
// reach a loopback port other local users can connect to; so the bridge speaks
// the handshake itself: VNC Authentication (type 2) toward the local client,
// None toward the console, and only after both succeed do the two streams meet
// at ClientInit, from where every byte passes through unchanged.
import { randomBytes } from 'node:crypto';
import { checkVncAuthResponse, SECURITY_VNC_AUTH, VNC_CHALLENGE_LENGTH } from './vnc-auth.ts';

const SECURITY_INVALID = 0;
const SECURITY_NONE = 1;
const RESULT_OK = 0;
const RESULT_FAILED = 1;
const VERSION_SHAPE = /^RFB (\d{3})\.(\d{3})\n$/;
const MAX_REASON_BYTES = 64 * 1024;

export type RfbMinor = 3 | 7 | 8;

/** The other side broke the protocol or refused; the message says which, for a person. */
export class RfbError extends Error {
  override name = 'RfbError';
}

/** Exact-length reads from a byte stream that arrives in arbitrary chunks. */
export class ByteReader {
  private buffered = Buffer.alloc(0);
  private wanted: { count: number; resolve: (bytes: Buffer) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;

  /** `limit`: a handshake is a few dozen bytes, so a peer sending far more before it is done is refused, not buffered. */
  constructor(private readonly limit = 64 * 1024) {}

  push(chunk: Uint8Array): void {
    if (this.buffered.length + chunk.length > this.limit) {
      this.buffered = Buffer.alloc(0);
      this.fail(new Error(`more than ${this.limit} bytes arrived before the handshake was done`));
      return;
    }
    this.buffered = Buffer.concat([this.buffered, chunk]);
    this.settle();
  }

  /** The stream ended: a pending or later read that cannot be met rejects with `error`. */
  fail(error: Error): void {
    this.failure ??= error;
    this.settle();
  }

  read(count: number): Promise<Buffer> {
    if (this.wanted) return Promise.reject(new Error('one read at a time'));
    return new Promise((resolve, reject) => {
      this.wanted = { count, resolve, reject };
      this.settle();
    });
  }

  /** Whatever arrived beyond the reads, handed on once the handshake is over. */
  rest(): Buffer {
    const rest = this.buffered;
    this.buffered = Buffer.alloc(0);
    return rest;
  }

  private settle(): void {
    const wanted = this.wanted;
    if (!wanted) return;
    if (this.buffered.length >= wanted.count) {
      this.wanted = undefined;
      const bytes = Buffer.from(this.buffered.subarray(0, wanted.count));
      this.buffered = this.buffered.subarray(wanted.count);
      wanted.resolve(bytes);
    } else if (this.failure) {
      this.wanted = undefined;
      wanted.reject(this.failure);
    }
  }
}

export interface RfbPeer {
  reader: ByteReader;
  write(bytes: Buffer): void;
}

const versionText = (minor: RfbMinor) => `RFB 003.00${minor}\n`;

/** RFC 6143 §7.1.1: 3.8 and later speak 3.8, 3.7 is 3.7, anything else of major 3 is 3.3. */
function minorOf(raw: Buffer, who: string): RfbMinor {
  const match = VERSION_SHAPE.exec(raw.toString('latin1'));
  if (!match || Number(match[1]) !== 3) throw new RfbError(`${who} does not speak RFB 3.x (it sent ${JSON.stringify(raw.toString('latin1'))})`);
  const minor = Number(match[2]);
  return minor >= 8 ? 8 : minor === 7 ? 7 : 3;
}

function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value, 0);
  return bytes;
}

/** SecurityResult; only 3.8 carries a reason with a failure. */
export function securityResult(minor: RfbMinor, failure?: string): Buffer {
  if (failure === undefined) return u32(RESULT_OK);
  if (minor < 8) return u32(RESULT_FAILED);
  const reason = Buffer.from(failure, 'utf8');
  return Buffer.concat([u32(RESULT_FAILED), u32(reason.length), reason]);
}

async function readReason(peer: RfbPeer): Promise<string> {
  const length = (await peer.reader.read(4)).readUInt32BE(0);
  if (length > MAX_REASON_BYTES) throw new RfbError(`the console sent a ${length}-byte failure reason`);
  return (await peer.reader.read(length)).toString('utf8');
}

export type ClientAuthentication = { minor: RfbMinor; ok: true } | { minor: RfbMinor; ok: false };

/**
 * Offers the local client VNC Authentication and checks its answer. On success
 * the SecurityResult is left to the caller (who first needs the console); on a
 * wrong answer the failure result has been sent.
 */
export async function authenticateClient(client: RfbPeer, password: string): Promise<ClientAuthentication> {
  client.write(Buffer.from(versionText(8), 'latin1'));
  const minor = minorOf(await client.reader.read(12), 'the VNC client');
  if (minor === 3) {
    client.write(u32(SECURITY_VNC_AUTH));
  } else {
    client.write(Buffer.from([1, SECURITY_VNC_AUTH]));
    const chosen = (await client.reader.read(1))[0];
    if (chosen !== SECURITY_VNC_AUTH) {
      client.write(securityResult(minor, 'this bridge needs VNC password authentication'));
      throw new RfbError(`the VNC client chose security type ${chosen}, not VNC password authentication`);
    }
  }
  const challenge = randomBytes(VNC_CHALLENGE_LENGTH);
  client.write(challenge);
  const response = await client.reader.read(VNC_CHALLENGE_LENGTH);
  if (checkVncAuthResponse(password, challenge, response)) return { minor, ok: true };
  client.write(securityResult(minor, 'wrong password'));
  return { minor, ok: false };
}

/** Speaks the console's side of the handshake with security None, up to (not including) ClientInit. */
export async function negotiateUpstream(upstream: RfbPeer): Promise<void> {
  const minor = minorOf(await upstream.reader.read(12), 'the console');
  upstream.write(Buffer.from(versionText(minor), 'latin1'));
  if (minor === 3) {
    const type = (await upstream.reader.read(4)).readUInt32BE(0);
    if (type === SECURITY_INVALID) throw new RfbError(`the console refused the connection: ${await readReason(upstream)}`);
    if (type !== SECURITY_NONE) throw new RfbError(`the console asks for security type ${type}; only an open console (None) can be bridged`);
    return;
  }
  const count = (await upstream.reader.read(1))[0] ?? 0;
  if (count === 0) throw new RfbError(`the console refused the connection: ${await readReason(upstream)}`);
  const types = [...(await upstream.reader.read(count))];
  if (!types.includes(SECURITY_NONE)) throw new RfbError(`the console asks for security types ${types.join(', ')}; only an open console (None) can be bridged`);
  upstream.write(Buffer.from([SECURITY_NONE]));
  if (minor === 7) return;
  const result = (await upstream.reader.read(4)).readUInt32BE(0);
  if (result !== RESULT_OK) throw new RfbError(`the console refused the connection: ${await readReason(upstream)}`);
}
