import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { closeReason, sendableCode, type CloseWith } from './close-codes.ts';
import { FrameTracker, type FrameSink } from './frame-tracker.ts';
import { closePayload, encodeFrame, Opcode, parseClosePayload } from './frames.ts';
import type { PooledReader } from './pooled-reader.ts';
import { expiryTimer } from './expiry-timer.ts';

export interface SpliceOptions {
  /** Ping both sides this often; a side that has not answered the previous ping is dropped. KubeVirt never pings. */
  pingMs: number;
  /** Close both sides at this time (unix ms), so a console does not outlive its link. */
  expiresAt?: number;
  /** What the client is told at expiry. */
  expired: CloseWith;
  /**
   * A view-only policy: the client's RFB bytes pass through it, and what it
   * returns goes on (an Error closes the console). Without it the client's
   * frames are passed on unparsed.
   */
  filterClient?: (chunk: Buffer) => Buffer | Error;
  /** Bytes relayed since the last call, counted at each ping and at the end (not per read: this sits on the hot path). */
  onBytes?: (fromClient: number, fromServer: number) => void;
  /** How the client is told that the server side went away, from the server's close code and reason. */
  serverClosed: (code: number, reason: string) => CloseWith;
  /** The server's text frames reach the client: the server is another gateway replica, whose text frames are its own (presence). */
  passServerText?: boolean;
}

/** `taken-over` and `backlog` end only viewers of a shared console (a console another viewer took, a viewer too slow for it). */
export type RelayEndBy = 'client' | 'server' | 'expired' | 'filter' | 'ping-timeout' | 'shutdown' | 'revoked' | 'taken-over' | 'backlog';

export interface RelayEnd {
  by: RelayEndBy;
  code: number;
  reason: string;
}

export interface Relay {
  readonly ended: Promise<RelayEnd>;
  /** Ends the console from outside: on shutdown, when its link is revoked, or when another replica counted its last use first. */
  close(code: number, reason: string, by?: RelayEndBy): void;
}

// A client may not send frames larger than this (the screen never flows that way).
const maxClientFrame = 4 * 1024 * 1024;
// Bytes waiting to be written to a viewer before the console is paused for it.
const maxClientBacklog = 256 * 1024;
// A side told to close that has not finished its last frame or answered the close by then is cut off.
const closeGraceMs = 2000;

/** One direction's output: frames of the gateway's own wait for the passed stream to be between frames. */
class Outlet {
  private readonly waiting: Buffer[] = [];
  private closeFrameQueued = false;
  /** After the gateway's close frame: nothing more goes out. */
  closed = false;

  constructor(
    readonly socket: Duplex,
    /** The tracker of the stream that is passed into this outlet. */
    private readonly source: FrameTracker,
    /**
     * Whether the gateway ends the connection right after its close frame, as the
     * server side does; toward the API server the gateway is the client, which
     * waits for the server to answer and close (a frame still on its way to the
     * viewer must be able to arrive).
     */
    private readonly endAfterClose: boolean,
  ) {}

  /** Writes a frame of the gateway's own now, or at the passed stream's next frame boundary. */
  send(frame: Buffer, isClose = false): void {
    if (this.closed || this.closeFrameQueued) return;
    if (isClose) this.closeFrameQueued = true;
    if (this.source.midFrame) {
      this.waiting.push(frame);
      this.source.wantsBoundary = true;
    } else {
      this.write(frame);
      if (isClose) this.finish();
    }
  }

  /** The passed stream reached a frame boundary. */
  flush(): void {
    this.source.wantsBoundary = false;
    for (const frame of this.waiting.splice(0)) this.write(frame);
    if (this.closeFrameQueued) this.finish();
  }

  /** Passed bytes; returns false when the socket wants the source paused. */
  pass(bytes: Buffer): boolean {
    if (this.closed) return true;
    return this.socket.write(bytes);
  }

  private write(frame: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(frame);
  }

  private finish(): void {
    this.closed = true;
    if (this.endAfterClose) this.socket.end();
  }
}

/**
 * Relays a console between the client's socket and the API server's, both
 * after their websocket handshakes: the framebuffer (server→client) passes
 * byte for byte out of pooled read buffers, the client's input passes as its
 * frames came (or through the view-only filter, re-framed), and two frame
 * trackers keep the rules — text frames dropped, pings answered and sent,
 * pongs consumed, the gateway's own close frames put between frames — with
 * each socket's own flow control (a full socket pauses its source).
 */
export function spliceConsole(
  client: Duplex,
  clientHead: Buffer,
  upstream: Socket,
  reader: PooledReader,
  upstreamHead: Buffer,
  options: SpliceOptions,
): Relay {
  let finish!: (end: RelayEnd) => void;
  const ended = new Promise<RelayEnd>((resolve) => (finish = resolve));
  let done = false;
  let clientAlive = true;
  let serverAlive = true;
  let fromClientBytes = 0;
  let fromServerBytes = 0;
  const fromClient = new FrameTracker({ masked: true, mode: options.filterClient ? 'payload' : 'pass', maxPayload: maxClientFrame });
  const fromServer = new FrameTracker({ masked: false, mode: 'pass', maxPayload: Number.MAX_SAFE_INTEGER, keepText: options.passServerText === true });
  const toClient = new Outlet(client, fromServer, true);
  const toServer = new Outlet(upstream, fromClient, false);
  let upstreamPaused = false;

  const reportBytes = (): void => {
    if (fromClientBytes === 0 && fromServerBytes === 0) return;
    options.onBytes?.(fromClientBytes, fromServerBytes);
    fromClientBytes = 0;
    fromServerBytes = 0;
  };

  /**
   * Ends the console once: each side gets a close frame at its next frame
   * boundary (or is cut off when it can never reach one), then its socket ends.
   */
  const end = (result: RelayEnd, toClientClose: CloseWith | undefined, toServerCode: number | undefined): void => {
    if (done) return;
    done = true;
    clearInterval(pinger);
    expiry?.cancel();
    reportBytes();
    if (toClientClose && !client.destroyed) toClient.send(encodeFrame(Opcode.close, closePayload(toClientClose.code, toClientClose.reason), false), true);
    else client.destroy();
    if (toServerCode !== undefined && !upstream.destroyed) toServer.send(encodeFrame(Opcode.close, closePayload(toServerCode), true), true);
    else upstream.destroy();
    // A source that is paused cannot bring its frame to an end; one that stalls mid-frame is cut off.
    client.resume();
    if (upstreamPaused) resumeUpstream();
    setTimeout(() => {
      client.destroy();
      upstream.destroy();
      reader.dispose();
    }, closeGraceMs).unref();
    finish(result);
  };

  const serverWentAway = (code: number, reason: string): void => {
    const told = options.serverClosed(code, reason);
    // A frame cut off mid-way cannot be followed by a close frame: the client only sees the connection drop.
    end({ by: 'server', code, reason }, fromServer.midFrame ? undefined : told, code === 1006 ? undefined : code);
  };

  const clientSink: FrameSink = {
    pass(chunk, start, stop) {
      if (!toServer.pass(start === 0 && stop === chunk.length ? chunk : chunk.subarray(start, stop))) client.pause();
      fromClientBytes += stop - start;
    },
    payload(data) {
      if (done) return;
      const allowed = options.filterClient!(data);
      if (allowed instanceof Error) {
        end({ by: 'filter', code: 4403, reason: allowed.message }, { code: 4403, reason: allowed.message }, 1000);
        return;
      }
      if (allowed.length === 0) return;
      if (!toServer.pass(encodeFrame(Opcode.binary, allowed, true))) client.pause();
      fromClientBytes += allowed.length;
    },
    control(opcode, payload) {
      if (opcode === Opcode.pong) clientAlive = true;
      else if (opcode === Opcode.ping) toClient.send(encodeFrame(Opcode.pong, payload, false));
      else {
        const { code, reason } = parseClosePayload(payload);
        end({ by: 'client', code, reason }, { code: code === 1005 ? 1000 : sendableCode(code), reason: '' }, 1000);
      }
    },
    boundary: () => toServer.flush(),
  };

  // Reads that arrive in one turn of the event loop (a TLS socket hands over one 16 KiB
  // record per read) leave in one writev, not one write each.
  let clientCorked = false;
  const uncorkClient = (): void => {
    clientCorked = false;
    client.uncork();
    if (client.writableLength === 0) reader.release();
  };

  const serverSink: FrameSink = {
    pass(chunk, start, stop) {
      if (!clientCorked) {
        clientCorked = true;
        client.cork();
        setImmediate(uncorkClient);
      }
      toClient.pass(start === 0 && stop === chunk.length ? chunk : chunk.subarray(start, stop));
      // The write keeps a reference to the pooled buffer until its bytes leave.
      reader.retain();
      if (client.writableLength > maxClientBacklog) upstreamPaused = true;
      fromServerBytes += stop - start;
    },
    payload: () => undefined,
    control(opcode, payload) {
      if (opcode === Opcode.pong) serverAlive = true;
      else if (opcode === Opcode.ping) toServer.send(encodeFrame(Opcode.pong, payload, true));
      else {
        const { code, reason } = parseClosePayload(payload);
        serverWentAway(code, reason);
      }
    },
    boundary: () => toClient.flush(),
  };

  const resumeUpstream = (): void => {
    upstreamPaused = false;
    upstream.resume();
  };

  const fromClientData = (chunk: Buffer): void => {
    if (toServer.closed && !fromClient.midFrame) return;
    if (!fromClient.feed(chunk, clientSink)) {
      end({ by: 'client', code: 1002, reason: fromClient.error! }, { code: 1002, reason: fromClient.error! }, 1000);
    }
  };

  reader.onData = (chunk) => {
    // Everything written before this read has left: the buffers it held can be read into again.
    if (client.writableLength === 0) reader.release();
    if (!fromServer.feed(chunk, serverSink)) {
      end({ by: 'server', code: 1002, reason: fromServer.error! }, fromServer.midFrame ? undefined : { code: 1011, reason: 'the console connection failed' }, 1002);
      return false;
    }
    return !upstreamPaused;
  };

  client.on('drain', () => {
    reader.release();
    if (upstreamPaused) resumeUpstream();
  });
  upstream.on('drain', () => client.resume());
  client.on('data', fromClientData);
  // Sockets from an HTTP server allow half-open connections: a client that half-closes ends the console, or it would stay open forever.
  client.on('end', () => end({ by: 'client', code: 1006, reason: 'the client went away' }, undefined, 1000));
  client.on('close', () => end({ by: 'client', code: 1006, reason: 'the client went away' }, undefined, 1000));
  client.on('error', () => end({ by: 'client', code: 1006, reason: 'client connection failed' }, undefined, 1000));
  upstream.on('end', () => serverWentAway(1006, ''));
  upstream.on('close', () => {
    reader.dispose();
    serverWentAway(1006, '');
  });
  upstream.on('error', () => serverWentAway(1006, 'server connection failed'));

  const pinger = setInterval(() => {
    reportBytes();
    if (!clientAlive || !serverAlive) {
      const reason = clientAlive ? 'server stopped answering' : 'client stopped answering';
      end({ by: 'ping-timeout', code: 1006, reason }, { code: 1001, reason: 'the console stopped answering' }, 1001);
      return;
    }
    clientAlive = false;
    serverAlive = false;
    toClient.send(encodeFrame(Opcode.ping, Buffer.alloc(0), false));
    toServer.send(encodeFrame(Opcode.ping, Buffer.alloc(0), true));
  }, options.pingMs);
  pinger.unref();

  const expiry = options.expiresAt === undefined ? undefined : expiryTimer(options.expiresAt, () => end({ by: 'expired', ...options.expired }, options.expired, 1000));

  // What arrived with the handshakes goes first, in order (the RFB banner often comes with the 101).
  if (upstreamHead.length > 0) reader.onData(upstreamHead);
  if (clientHead.length > 0) fromClientData(clientHead);
  if (!done && !upstreamPaused) upstream.resume();

  return {
    ended,
    close: (code, reason, by = 'shutdown') => end({ by, code, reason: closeReason(reason) }, { code, reason }, 1001),
  };
}
