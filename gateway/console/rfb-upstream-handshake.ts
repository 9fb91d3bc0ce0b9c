import { decodePixelFormat, encodePixelFormat, RFB_VERSION_LENGTH, SECURITY_NONE, type PixelFormat } from '../../shared/node/rfb.ts';

/** What the server says of its screen once the handshake is done, kept for every viewer that joins. */
export interface ServerInit {
  width: number;
  height: number;
  pixelFormat: PixelFormat;
  name: Buffer;
}

export function encodeServerInit(init: ServerInit): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(init.width, 0);
  head.writeUInt16BE(init.height, 2);
  const nameLength = Buffer.alloc(4);
  nameLength.writeUInt32BE(init.name.length, 0);
  return Buffer.concat([head, encodePixelFormat(init.pixelFormat), nameLength, init.name]);
}

export interface UpstreamHandshakeProgress {
  /** Bytes to send the server now, in order. */
  replies: Buffer[];
  serverInit?: ServerInit;
  /** Server bytes after ServerInit: the first messages. */
  rest: Buffer;
  error?: string;
}

// A desktop name longer than this is not a name: the handshake fails rather than buffer it.
const maxNameBytes = 64 * 1024;
const maxReasonBytes = 64 * 1024;

type Stage = 'version' | 'security-count' | 'security-types' | 'failure-length' | 'failure' | 'security-result' | 'server-init' | 'name' | 'done';

/**
 * The gateway's side, as an RFB client, of the handshake with the VM's VNC
 * server (KubeVirt's is QEMU's: RFB 3.8, security None): it answers 3.8 (or
 * 3.7 to a 3.7 server), picks None, asks for a shared session, and keeps the
 * ServerInit. A server that offers no None, or fails the handshake, is an
 * error with the server's own reason.
 */
export class UpstreamRfbHandshake {
  private pending: Buffer = Buffer.alloc(0);
  private stage: Stage = 'version';
  private minor = 8;
  private need = RFB_VERSION_LENGTH;
  private head: Buffer | undefined;
  private failing = '';

  get done(): boolean {
    return this.stage === 'done';
  }

  feed(chunk: Buffer): UpstreamHandshakeProgress {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const replies: Buffer[] = [];
    while (this.stage !== 'done' && this.pending.length >= this.need) {
      const bytes = this.pending.subarray(0, this.need);
      this.pending = this.pending.subarray(this.need);
      const step = this.take(bytes, replies);
      if (typeof step === 'string') return { replies, rest: Buffer.alloc(0), error: step };
      if (step) {
        const rest = this.pending;
        this.pending = Buffer.alloc(0);
        return { replies, serverInit: step, rest };
      }
    }
    return { replies, rest: Buffer.alloc(0) };
  }

  private next(stage: Stage, need: number): undefined {
    this.stage = stage;
    this.need = need;
    return undefined;
  }

  private take(bytes: Buffer, replies: Buffer[]): ServerInit | string | undefined {
    switch (this.stage) {
      case 'version': {
        const match = /^RFB 003\.(\d{3})\n$/.exec(bytes.toString('latin1'));
        const minor = match ? Number(match[1]) : NaN;
        if (!(minor >= 7)) return `the VNC server speaks ${JSON.stringify(bytes.toString('latin1'))}, not RFB 3.7 or later`;
        this.minor = Math.min(minor, 8);
        replies.push(Buffer.from(`RFB 003.00${this.minor}\n`, 'latin1'));
        return this.next('security-count', 1);
      }
      case 'security-count': {
        const count = bytes.readUInt8(0);
        if (count === 0) {
          this.failing = 'the VNC server refused the connection';
          return this.next('failure-length', 4);
        }
        return this.next('security-types', count);
      }
      case 'security-types':
        if (!bytes.includes(SECURITY_NONE)) return `the VNC server offers security types ${[...bytes].join(', ')}, not None`;
        replies.push(Buffer.from([SECURITY_NONE]));
        if (this.minor < 8) return this.sendClientInit(replies);
        return this.next('security-result', 4);
      case 'security-result':
        if (bytes.readUInt32BE(0) === 0) return this.sendClientInit(replies);
        this.failing = 'the VNC server failed the handshake';
        return this.next('failure-length', 4);
      case 'failure-length': {
        const length = bytes.readUInt32BE(0);
        if (length === 0 || length > maxReasonBytes) return this.failing;
        return this.next('failure', length);
      }
      case 'failure':
        return `${this.failing}: ${bytes.toString('utf8')}`;
      case 'server-init': {
        this.head = Buffer.from(bytes);
        const nameLength = bytes.readUInt32BE(20);
        if (nameLength > maxNameBytes) return `the VNC server's desktop name of ${nameLength} bytes is too long`;
        if (nameLength > 0) return this.next('name', nameLength);
        return this.finish(Buffer.alloc(0));
      }
      case 'name':
        return this.finish(Buffer.from(bytes));
      default:
        return 'the handshake is already over';
    }
  }

  private sendClientInit(replies: Buffer[]): undefined {
    // Shared: other clients of the VNC server (there are none under KubeVirt) keep their session.
    replies.push(Buffer.from([1]));
    return this.next('server-init', 24);
  }

  private finish(name: Buffer): ServerInit {
    const head = this.head!;
    this.stage = 'done';
    return { width: head.readUInt16BE(0), height: head.readUInt16BE(2), pixelFormat: decodePixelFormat(head.subarray(4, 20)), name };
  }
}
