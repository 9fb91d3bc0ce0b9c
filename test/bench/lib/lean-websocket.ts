// A websocket byte channel that costs its reader little, for benchmarks that
// run many viewers in one process (the shared console's twenty): `ws` gathers
// each message from 64 KiB reads into a new buffer, a copy and a fresh
// allocation per read and per message, and at 150 MB/s across the viewers that
// garbage is collected in the very threads whose latency is measured. Here
// the socket reads into a `ReadArena` and the gateway's `FrameTracker` walks
// the frames where they lie, handing each payload piece on as a view: nothing
// is copied or allocated per byte received. Frames written are masked, as a
// client's must be; pings are answered; a close frame's code and reason are
// reported as `websocketChannel` reports them.
import net from 'node:net';
import tls from 'node:tls';
import { FrameTracker, type FrameSink } from '../../../gateway/console/frame-tracker.ts';
import { encodeFrame, Opcode, parseClosePayload } from '../../../gateway/console/frames.ts';
import { Listeners, type ByteChannel, type WebSocketChannelOptions } from './byte-channel.ts';
import { ReadArena } from './read-arena.ts';
import { MAX_ANSWER_HEAD_BYTES, upgradeAnswer, upgradeRequest } from './websocket-upgrade.ts';

const READ_BYTES = 64 * 1024;
/** Sixteen reads: a chunk stays intact while the next 960 KiB are read. */
const ARENA_BYTES = 16 * READ_BYTES;
/** As `websocketChannel` accepts. */
const MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;
const ANSWER_END = Buffer.from('\r\n\r\n', 'latin1');

/** The channel once the socket carries frames. */
class LeanWebSocket implements ByteChannel, FrameSink {
  private readonly listeners = new Listeners(true);
  private readonly frames = new FrameTracker({ masked: false, mode: 'payload', maxPayload: MAX_PAYLOAD_BYTES });
  private lastError = '';
  private closing = false;

  constructor(private readonly socket: net.Socket) {
    socket.on('error', (err) => (this.lastError = err.message));
    // No close frame came first: what `ws` calls 1006.
    socket.on('close', () => this.listeners.closed(this.lastError || 'closed with 1006'));
  }

  /** Bytes read from the socket after the upgrade's answer; a view that is read into again later. */
  received(chunk: Buffer): void {
    if (this.closing) return;
    if (!this.frames.feed(chunk, this)) {
      this.lastError = `invalid websocket frame: ${this.frames.error}`;
      this.socket.destroy();
    }
  }

  write(data: Buffer): void {
    if (!this.closing && !this.socket.destroyed) this.socket.write(encodeFrame(Opcode.binary, data, true));
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.listeners.onData(listener);
  }

  onClose(listener: (why: string) => void): void {
    this.listeners.onClose(listener);
  }

  close(): void {
    this.socket.destroy();
  }

  payload(data: Buffer): void {
    this.listeners.received(data);
  }

  control(opcode: number, payload: Buffer): void {
    if (opcode === Opcode.ping) {
      this.socket.write(encodeFrame(Opcode.pong, payload, true));
    } else if (opcode === Opcode.close) {
      const { code, reason } = parseClosePayload(payload);
      this.closing = true;
      this.listeners.closed(`closed with ${code} ${reason}`.trim());
      // The close is answered with its code, as `ws` does, and the socket let go once that has left.
      this.socket.end(encodeFrame(Opcode.close, payload.subarray(0, 2), true), () => this.socket.destroy());
    }
  }

  pass(): void {
    throw new Error('a frame tracker in payload mode passes no frames on');
  }

  boundary(): void {
    throw new Error('a frame tracker in payload mode reports no boundaries');
  }
}

/** Like `websocketChannel`, but see above; the server must choose one of the subprotocols offered. */
export function leanWebsocketChannel(url: string, options: WebSocketChannelOptions): Promise<ByteChannel> {
  const target = new URL(url);
  const request = upgradeRequest(target, options.protocols, options.headers);
  const secure = target.protocol === 'wss:';
  const host = target.hostname.replace(/^\[|\]$/g, '');
  const port = Number(target.port) || (secure ? 443 : 80);
  const arena = new ReadArena(ARENA_BYTES, READ_BYTES);
  let consume: (chunk: Buffer) => void = () => undefined;
  const onread: net.OnReadOpts = {
    buffer: () => arena.next(),
    callback: (count, buffer) => {
      arena.filled(count);
      consume((buffer as Buffer).subarray(0, count));
      return true;
    },
  };
  const socket = secure
    // onread works on TLS sockets too; @types/node declares it for net only.
    ? tls.connect(<tls.ConnectionOptions & Pick<net.TcpSocketConnectOpts, 'onread'>>{
      host, port, ...(net.isIP(host) ? {} : { servername: host }), ...(options.ca ? { ca: options.ca } : {}), onread,
    })
    : net.connect({ host, port, onread });
  socket.setNoDelay(true);
  socket.write(request.text);

  return new Promise((resolve, reject) => {
    const refuse = (why: string): void => {
      socket.destroy();
      reject(new Error(`websocket ${url}: ${why}`));
    };
    const onError = (err: Error): void => refuse(err.message);
    const onClose = (): void => refuse('the server closed the connection before upgrading it');
    socket.once('error', onError);
    socket.once('close', onClose);
    // The answer's head is small and may come in pieces: gathered as copies, since the arena is read into again.
    let head = Buffer.alloc(0);
    consume = (chunk) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf(ANSWER_END);
      if (end < 0) {
        if (head.length > MAX_ANSWER_HEAD_BYTES) refuse(`the server's answer is longer than ${MAX_ANSWER_HEAD_BYTES} bytes without ending`);
        return;
      }
      socket.off('error', onError);
      socket.off('close', onClose);
      const answer = upgradeAnswer(head.subarray(0, end).toString('latin1'), request.key, options.protocols);
      if (!answer.upgraded) {
        refuse(answer.why);
        return;
      }
      const channel = new LeanWebSocket(socket);
      consume = (bytes) => channel.received(bytes);
      // A server may speak right behind its 101, in the same read.
      channel.received(head.subarray(end + ANSWER_END.length));
      resolve(channel);
    };
  });
}
