import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { closeReason, sendableCode, type CloseWith } from './close-codes.ts';
import { FrameTracker, type FrameSink } from './frame-tracker.ts';
import { closePayload, encodeFrame, Opcode, parseClosePayload } from './frames.ts';
import type { SharedViewer } from './shared-console.ts';
import type { RelayEnd, RelayEndBy } from './splice.ts';
import { expiryTimer } from './expiry-timer.ts';

export interface FanoutViewerOptions {
  /** Ping this often; a viewer that has not answered the previous ping is dropped. */
  pingMs: number;
  /** The link's expiry (unix ms): the viewer is closed then with `expired`. */
  expiresAt?: number;
  expired: CloseWith;
  /** A view-only viewer's bytes are counted and dropped, never handed on. */
  viewOnly: boolean;
  /** Unsent bytes past this close the viewer (or call `onBehind`): one slow reader never holds the console back for the others. */
  maxBacklog: number;
  /** Instead of closing a viewer past its backlog, the frame is not sent and this is told; `onDrain` follows once it caught up. */
  onBehind?(): void;
  onDrain?(): void;
  /** A full-control viewer's input, unmasked; valid only during the call. */
  onInput(data: Buffer): void;
  /** Bytes since the last call, reported at each ping and at the end. */
  onBytes?(fromViewer: number, toViewer: number): void;
}

export interface FanoutViewer extends SharedViewer {
  /**
   * Sends a whole frame of the gateway's own (the console's output); false when
   * it was not sent (the viewer is behind, or gone). `written` is called once
   * the frame has left (or will never leave), only when it was sent.
   */
  send(frame: Buffer, payloadLength: number, written?: () => void): boolean;
  /** Stops (or restarts) reading this viewer's input while the console cannot take more. */
  pauseInput(paused: boolean): void;
}

// A viewer may not send frames larger than this (a paste is a few KiB).
const maxViewerFrame = 1024 * 1024;
// A viewer told to close that has not answered the close by then is cut off.
const closeGraceMs = 2000;

/**
 * One viewer of a shared console, after its websocket handshake: the console's
 * output arrives as whole binary frames written by the gateway, and the
 * viewer's frames are read with a frame tracker in payload mode, so text
 * frames are dropped, a view-only viewer's bytes go nowhere, and pings,
 * pongs and the close are the gateway's to answer.
 */
export function startFanoutViewer(socket: Duplex, head: Buffer, options: FanoutViewerOptions): FanoutViewer {
  let finish!: (end: RelayEnd) => void;
  const ended = new Promise<RelayEnd>((resolve) => (finish = resolve));
  let done = false;
  let alive = true;
  let dropped = 0;
  let fromViewer = 0;
  let toViewer = 0;
  let inputPaused = false;
  const tracker = new FrameTracker({ masked: true, mode: 'payload', maxPayload: maxViewerFrame });
  (socket as Socket).setTimeout?.(0);
  (socket as Socket).setNoDelay?.(true);

  const reportBytes = (): void => {
    if (fromViewer === 0 && toViewer === 0) return;
    options.onBytes?.(fromViewer, toViewer);
    fromViewer = 0;
    toViewer = 0;
  };

  const write = (frame: Buffer, written?: () => void): void => {
    if (!done && !socket.destroyed) socket.write(frame, written);
    else written?.();
  };

  /** Ends the viewer once: a close frame when the socket can still take one, then the socket ends. */
  const end = (by: RelayEndBy, code: number, reason: string, told: CloseWith | undefined): void => {
    if (done) return;
    clearInterval(pinger);
    expiry?.cancel();
    if (told && !socket.destroyed) socket.end(encodeFrame(Opcode.close, closePayload(told.code, told.reason), false));
    else socket.destroy();
    done = true;
    reportBytes();
    setTimeout(() => socket.destroy(), closeGraceMs).unref();
    finish({ by, code, reason: closeReason(reason) });
  };

  const sink: FrameSink = {
    pass: () => undefined,
    payload(data) {
      if (done) return;
      if (options.viewOnly) {
        dropped += data.length;
        return;
      }
      fromViewer += data.length;
      options.onInput(data);
    },
    control(opcode, payload) {
      if (opcode === Opcode.pong) alive = true;
      else if (opcode === Opcode.ping) write(encodeFrame(Opcode.pong, payload, false));
      else {
        const { code, reason } = parseClosePayload(payload);
        end('client', code, reason, { code: code === 1005 ? 1000 : sendableCode(code), reason: '' });
      }
    },
    boundary: () => undefined,
  };

  const onData = (chunk: Buffer): void => {
    if (done) return;
    if (!tracker.feed(chunk, sink)) end('client', 1002, tracker.error!, { code: 1002, reason: tracker.error! });
  };
  socket.on('data', onData);
  if (options.onDrain) socket.on('drain', () => !done && options.onDrain!());
  // Sockets from an HTTP server allow half-open connections: a viewer that half-closes has left.
  socket.on('end', () => end('client', 1006, 'the client went away', undefined));
  socket.on('close', () => end('client', 1006, 'the client went away', undefined));
  socket.on('error', () => end('client', 1006, 'client connection failed', undefined));

  const pinger = setInterval(() => {
    reportBytes();
    if (!alive) {
      end('ping-timeout', 1006, 'client stopped answering', { code: 1001, reason: 'the console stopped answering' });
      return;
    }
    alive = false;
    write(encodeFrame(Opcode.ping, Buffer.alloc(0), false));
  }, options.pingMs);
  pinger.unref();

  const expiry = options.expiresAt === undefined ? undefined : expiryTimer(options.expiresAt, () => end('expired', options.expired.code, options.expired.reason, options.expired));

  if (head.length > 0) onData(head);

  return {
    relay: {
      ended,
      close: (code, reason, by = 'shutdown') => end(by, code, reason, { code, reason }),
    },
    get dropped() {
      return dropped;
    },
    send(frame, payloadLength, written) {
      if (done) return false;
      if (socket.writableLength > options.maxBacklog) {
        if (options.onBehind) {
          options.onBehind();
          return false;
        }
        const reason = 'this viewer fell too far behind the console’s output';
        end('backlog', 1008, reason, { code: 1008, reason });
        return false;
      }
      toViewer += payloadLength;
      write(frame, written);
      return true;
    },
    // Every frame toward a viewer is the gateway's own and whole, so a text frame may go at any time.
    // A viewer that is not reading misses it (each presence message is the whole list), so joins
    // and leaves cannot pile up behind it without bound.
    sendText(text) {
      if (done || socket.writableLength > options.maxBacklog) return;
      write(encodeFrame(Opcode.text, Buffer.from(text), false));
    },
    pauseInput(paused) {
      if (paused === inputPaused || done) return;
      inputPaused = paused;
      if (paused) socket.pause();
      else socket.resume();
    },
  };
}
