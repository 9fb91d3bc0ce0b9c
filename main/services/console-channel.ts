// Main's end of an open console, as the renderer's transport consumes it. The
// VNC server speaks first (`RFB 003.008`), usually before the renderer has
// picked the channel up, so everything is buffered until a listener attaches.
// A gateway's text frames (presence) travel apart from the console's bytes.
import type WebSocket from 'ws';

export interface ConsoleChannel {
  onOpen(cb: (protocol: string) => void): void;
  onData(cb: (chunk: Uint8Array) => void): void;
  /** The gateway's text frames (presence); attach before onData to receive those buffered with the data. */
  onText?(cb: (text: string) => void): void;
  onClose(cb: (code: number, reason: string) => void): void;
  send(chunk: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

interface ChannelSource {
  send(chunk: Uint8Array): void;
  close(code: number, reason: string): void;
}

/** A channel fed by calls to open/data/closed, buffering until listeners attach. */
export function bufferedChannel(source: ChannelSource) {
  let protocol: string | undefined;
  let closed: { code: number; reason: string } | undefined;
  const buffered: (Uint8Array | string)[] = [];
  const openListeners: ((protocol: string) => void)[] = [];
  const dataListeners: ((chunk: Uint8Array) => void)[] = [];
  const textListeners: ((text: string) => void)[] = [];
  const deliver = (item: Uint8Array | string) => {
    if (typeof item === 'string') for (const cb of textListeners) cb(item);
    else for (const cb of dataListeners) cb(item);
  };
  const closeListeners: ((code: number, reason: string) => void)[] = [];
  const channel: ConsoleChannel = {
    onOpen(cb) {
      if (protocol !== undefined) cb(protocol);
      else openListeners.push(cb);
    },
    onData(cb) {
      dataListeners.push(cb);
      for (const item of buffered.splice(0)) deliver(item);
    },
    onText(cb) {
      textListeners.push(cb);
    },
    onClose(cb) {
      if (closed) cb(closed.code, closed.reason);
      else closeListeners.push(cb);
    },
    send(chunk) {
      if (!closed) source.send(chunk);
    },
    close(code = 1000, reason = '') {
      if (!closed) source.close(code, reason);
    },
  };
  return {
    channel,
    opened(p: string) {
      protocol = p;
      for (const cb of openListeners.splice(0)) cb(p);
    },
    data(chunk: Uint8Array | string) {
      if (dataListeners.length === 0) buffered.push(chunk);
      else deliver(chunk);
    },
    ended(code: number, reason: string) {
      if (closed) return;
      closed = { code, reason };
      for (const cb of closeListeners.splice(0)) cb(code, reason);
    },
  };
}

// 1005/1006/1015 describe a close; they may not be sent.
const sendable = (code: number) => (code === 1005 || code === 1006 || code === 1015 || code < 1000 || code > 4999 ? 1000 : code);

export interface WebSocketChannelOptions {
  /** Pings the far end this often, so a console that stays silent (a serial console) is not dropped by proxies on the way. */
  keepaliveMs?: number;
}

/** A channel over an open websocket: binary frames both ways; text frames from the far end (a gateway's presence) apart, as text. */
export function channelFromWebSocket(ws: WebSocket, options: WebSocketChannelOptions = {}): ConsoleChannel {
  const fed = bufferedChannel({
    send: (chunk) => {
      if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true });
    },
    close: (code, reason) => {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(sendable(code), reason.slice(0, 120));
      fed.ended(code, reason);
    },
  });
  fed.opened(ws.protocol);
  ws.on('message', (data, isBinary) => {
    const chunk = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    fed.data(isBinary ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength) : chunk.toString('utf8'));
  });
  ws.on('close', (code, reason) => fed.ended(code, reason.toString('utf8')));
  ws.on('error', () => fed.ended(1006, 'the console connection failed'));
  if (options.keepaliveMs !== undefined) {
    const keepalive = setInterval(() => {
      if (ws.readyState === ws.OPEN) ws.ping();
    }, options.keepaliveMs);
    keepalive.unref();
    fed.channel.onClose(() => clearInterval(keepalive));
  }
  ws.resume();
  return fed.channel;
}

/** A console that could not open: it reports its close code (the same ones the gateway uses) once attached. */
export function refusedChannel(code: number, reason: string): ConsoleChannel {
  const fed = bufferedChannel({ send: () => undefined, close: () => undefined });
  fed.ended(code, reason);
  return fed.channel;
}
