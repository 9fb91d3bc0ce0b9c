import type { RawData, WebSocket } from 'ws';

export interface RelayOptions {
  /** Ping both sides this often; a side that has not answered the previous ping is dropped. KubeVirt never pings. */
  pingMs: number;
  /** Close both sides with `expiredCode` at this time (unix ms), so a console does not outlive its link. */
  expiresAt?: number;
  expiredCode?: number;
  expiredReason?: string;
  /** Every client→server chunk passes here; return what may go on, or an Error to close the console. */
  filterClient?: (chunk: Buffer) => Buffer | Error;
  onBytes?: (direction: 'client' | 'server', bytes: number) => void;
  /** How the client is told that the server side went away, from the server's close code. */
  serverClosed?: (code: number, reason: string) => { code: number; reason: string };
}

export interface RelayEnd {
  by: 'client' | 'server' | 'expired' | 'filter' | 'ping-timeout' | 'shutdown' | 'revoked';
  code: number;
  reason: string;
}

export interface Relay {
  readonly ended: Promise<RelayEnd>;
  /** Ends the console from outside: on shutdown, or when its link is revoked. */
  close(code: number, reason: string, by?: 'shutdown' | 'revoked'): void;
}

const maxTimerMs = 2 ** 31 - 1;

// A side that reads faster than the other side writes is paused past this many
// bytes in flight, so a slow viewer cannot make the relay buffer without bound.
const highWaterBytes = 4 * 1024 * 1024;
const lowWaterBytes = 1024 * 1024;

/** Sends `chunk` from `from` to `to`, pausing `from` while too much is still unwritten on `to`. */
function flowControlled(from: WebSocket, to: WebSocket): (chunk: Buffer) => void {
  let inFlight = 0;
  let paused = false;
  return (chunk) => {
    inFlight += chunk.length;
    to.send(chunk, { binary: true }, () => {
      inFlight -= chunk.length;
      if (paused && inFlight <= lowWaterBytes) {
        paused = false;
        from.resume();
      }
    });
    if (!paused && inFlight > highWaterBytes) {
      paused = true;
      from.pause();
    }
  };
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** A close reason within the websocket limit of 123 bytes, cut at a character boundary. */
export function closeReason(reason: string): string {
  let cut = reason;
  while (Buffer.byteLength(cut) > 120) cut = cut.slice(0, -1);
  return cut;
}

// Close codes 1005/1006/1015 may not be sent on the wire; they only describe what happened.
function sendable(code: number): number {
  return code === 1005 || code === 1006 || code === 1015 ? 1011 : code;
}

/**
 * Relays a VNC console between two open websockets: binary frames carry the RFB
 * byte stream both ways, text frames are dropped (as KubeVirt does), pings keep
 * idle consoles alive through proxies, and the console ends at its expiry.
 */
export function relayConsole(client: WebSocket, server: WebSocket, options: RelayOptions): Relay {
  let finish!: (end: RelayEnd) => void;
  const ended = new Promise<RelayEnd>((resolve) => (finish = resolve));
  let done = false;
  const alive = new Map<WebSocket, boolean>([[client, true], [server, true]]);

  const end = (result: RelayEnd, clientCode: number, clientReason: string, serverCode = 1000): void => {
    if (done) return;
    done = true;
    clearInterval(pinger);
    clearTimeout(expiry);
    if (client.readyState === client.OPEN) client.close(sendable(clientCode), closeReason(clientReason));
    else client.terminate();
    if (server.readyState === server.OPEN) server.close(sendable(serverCode));
    else server.terminate();
    finish(result);
  };

  const toServer = flowControlled(client, server);
  const toClient = flowControlled(server, client);

  client.on('message', (data, isBinary) => {
    if (!isBinary) return;
    let chunk = toBuffer(data);
    if (options.filterClient) {
      const filtered = options.filterClient(chunk);
      if (filtered instanceof Error) {
        end({ by: 'filter', code: 4403, reason: filtered.message }, 4403, filtered.message);
        return;
      }
      chunk = filtered;
    }
    if (chunk.length === 0) return;
    options.onBytes?.('client', chunk.length);
    toServer(chunk);
  });
  server.on('message', (data, isBinary) => {
    if (!isBinary) return;
    const chunk = toBuffer(data);
    options.onBytes?.('server', chunk.length);
    toClient(chunk);
  });

  client.on('close', (code, reason) => end({ by: 'client', code, reason: reason.toString() }, 1000, ''));
  server.on('close', (code, reason) => {
    const told = options.serverClosed?.(code, reason.toString()) ?? { code: sendable(code), reason: reason.toString() };
    end({ by: 'server', code, reason: reason.toString() }, told.code, told.reason);
  });
  client.on('error', () => end({ by: 'client', code: 1006, reason: 'client connection failed' }, 1011, ''));
  server.on('error', () => end({ by: 'server', code: 1006, reason: 'server connection failed' }, 1011, 'the console connection failed'));

  for (const ws of [client, server]) ws.on('pong', () => alive.set(ws, true));
  const pinger = setInterval(() => {
    for (const ws of [client, server]) {
      if (!alive.get(ws)) {
        end({ by: 'ping-timeout', code: 1006, reason: ws === client ? 'client stopped answering' : 'server stopped answering' }, 1001, 'the console stopped answering');
        return;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, options.pingMs);
  pinger.unref();

  let expiry: NodeJS.Timeout | undefined;
  const armExpiry = (at: number): void => {
    // Timers overflow past 2^31-1 ms (about 24.8 days) and would fire at once.
    const delay = Math.min(Math.max(0, at - Date.now()), maxTimerMs);
    expiry = setTimeout(() => {
      if (Date.now() < at) return armExpiry(at);
      const code = options.expiredCode ?? 4410;
      const reason = options.expiredReason ?? 'the link expired';
      end({ by: 'expired', code, reason }, code, reason);
    }, delay);
    expiry.unref();
  };
  if (options.expiresAt !== undefined) armExpiry(options.expiresAt);

  return {
    ended,
    close: (code, reason, by = 'shutdown') => end({ by, code, reason }, code, reason, 1001),
  };
}
