// A byte stream to a VNC server, whatever carries it: plain TCP, or a
// websocket whose binary frames carry the RFB stream with arbitrary boundaries.
import net from 'node:net';
import WebSocket from 'ws';

export interface ByteChannel {
  write(data: Buffer): void;
  /** Sets the one listener (replacing the previous one); chunks arrive in order. */
  onData(listener: (chunk: Buffer) => void): void;
  /** Sets the one listener for the end of the channel, told why. */
  onClose(listener: (why: string) => void): void;
  close(): void;
}

export function tcpChannel(target: { host: string; port: number } | { path: string }): Promise<ByteChannel> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(target);
    socket.setNoDelay(true);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      let dataListener: (chunk: Buffer) => void = () => undefined;
      let closeListener: (why: string) => void = () => undefined;
      let lastError = '';
      socket.on('data', (chunk: Buffer) => dataListener(chunk));
      socket.on('error', (err) => (lastError = err.message));
      socket.on('close', () => closeListener(lastError || 'the server closed the TCP connection'));
      resolve({
        write: (data) => void socket.write(data),
        onData: (listener) => (dataListener = listener),
        onClose: (listener) => (closeListener = listener),
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
    ws.once('open', () => {
      ws.off('error', refused);
      let dataListener: (chunk: Buffer) => void = () => undefined;
      let closeListener: (why: string) => void = () => undefined;
      let lastError = '';
      ws.on('message', (data, isBinary) => {
        if (isBinary) dataListener(data as Buffer);
      });
      // websockify's close frame is malformed; ws reports it as an error before the close: keep it as the reason only.
      ws.on('error', (err) => (lastError = err.message));
      ws.on('close', (code, reason) => closeListener(lastError || `closed with ${code} ${reason.toString()}`.trim()));
      resolve({
        write: (data) => ws.send(data, { binary: true }),
        onData: (listener) => (dataListener = listener),
        onClose: (listener) => (closeListener = listener),
        close: () => ws.terminate(),
      });
    });
  });
}
