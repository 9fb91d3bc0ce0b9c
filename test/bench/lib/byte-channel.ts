// A byte stream to a VNC server, whatever carries it: plain TCP, or a
// websocket whose binary frames carry the RFB stream with arbitrary boundaries.
import net from 'node:net';
import WebSocket from 'ws';

export interface ByteChannel {
  write(data: Buffer): void;
  /**
   * Sets the one listener (replacing the previous one); chunks arrive in order, those that came before any listener included.
   * A chunk may be a view of a reused read buffer (`leanWebsocketChannel`): its bytes then stay as they are only
   * while the next several hundred KiB are read, so a listener copies whatever it keeps for longer.
   */
  onData(listener: (chunk: Buffer) => void): void;
  /** Sets the one listener for the end of the channel, told why (at once if it has ended already). */
  onClose(listener: (why: string) => void): void;
  close(): void;
}

/**
 * Where a channel's bytes and its end go. A server may speak in the same
 * packet as it accepts (a gateway answering the RFB handshake itself sends its
 * version right behind the websocket's 101), before the caller has had a
 * chance to listen: those bytes, and an early end, are held for the listener.
 */
export class Listeners {
  private data: ((chunk: Buffer) => void) | undefined;
  private close: ((why: string) => void) | undefined;
  private early: Buffer[] = [];
  private ended: string | undefined;

  /** `holdCopies`: chunks are views of a reused buffer, so those held for a listener are copied. */
  constructor(private readonly holdCopies = false) {}

  received(chunk: Buffer): void {
    if (this.data) this.data(chunk);
    else this.early.push(this.holdCopies ? Buffer.from(chunk) : chunk);
  }

  closed(why: string): void {
    if (this.ended !== undefined) return;
    this.ended = why;
    this.close?.(why);
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.data = listener;
    for (const chunk of this.early.splice(0)) listener(chunk);
  }

  onClose(listener: (why: string) => void): void {
    this.close = listener;
    if (this.ended !== undefined) listener(this.ended);
  }
}

export function tcpChannel(target: { host: string; port: number } | { path: string }): Promise<ByteChannel> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(target);
    socket.setNoDelay(true);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      const listeners = new Listeners();
      let lastError = '';
      socket.on('data', (chunk: Buffer) => listeners.received(chunk));
      socket.on('error', (err) => (lastError = err.message));
      socket.on('close', () => listeners.closed(lastError || 'the server closed the TCP connection'));
      resolve({
        write: (data) => void socket.write(data),
        onData: (listener) => listeners.onData(listener),
        onClose: (listener) => listeners.onClose(listener),
        close: () => socket.destroy(),
      });
    });
  });
}

export interface WebSocketChannelOptions {
  protocols: string[];
  headers?: Record<string, string>;
  /** CA for a wss:// URL. */
  ca?: string;
}

export function websocketChannel(url: string, options: WebSocketChannelOptions): Promise<ByteChannel> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options.protocols, {
      headers: options.headers ?? {},
      perMessageDeflate: false,
      maxPayload: 256 * 1024 * 1024,
      ...(options.ca ? { ca: options.ca } : {}),
    });
    ws.binaryType = 'nodebuffer';
    const refused = (err: Error): void => reject(new Error(`websocket ${url}: ${err.message}`));
    ws.once('error', refused);
    ws.once('unexpected-response', (_req, res) => {
      ws.off('error', refused);
      res.resume();
      reject(new Error(`websocket ${url}: HTTP ${res.statusCode}`));
    });
    // Listening starts before 'open': ws parses whatever came behind the 101 in the same tick.
    const listeners = new Listeners();
    let lastError = '';
    ws.on('message', (data, isBinary) => {
      if (isBinary) listeners.received(data as Buffer);
    });
    ws.once('open', () => {
      ws.off('error', refused);
      // websockify's close frame is malformed; ws reports it as an error before the close: keep it as the reason only.
      ws.on('error', (err) => (lastError = err.message));
      ws.on('close', (code, reason) => listeners.closed(lastError || `closed with ${code} ${reason.toString()}`.trim()));
      resolve({
        write: (data) => ws.send(data, { binary: true }),
        onData: (listener) => listeners.onData(listener),
        onClose: (listener) => listeners.onClose(listener),
        close: () => ws.terminate(),
      });
    });
  });
}
