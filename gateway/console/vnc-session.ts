import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  encodeFramebufferUpdateRequest, encodePixelFormat, encodeSetEncodings, type ClientMessage, type PixelFormat,
} from '../../shared/node/rfb.ts';
import { Encoding, RfbServerMessageParser, type ServerMessage } from '../../shared/node/rfb-server-messages.ts';
import { closeCodes } from './close-codes.ts';
import { isStatelessEncoding, upstreamEncodings } from './encoding-policy.ts';
import { FanoutSession } from './fanout-session.ts';
import { encodeFrame, encodeServerFrame, Opcode } from './frames.ts';
import { FramePool, type SharedFrame } from './frame-pool.ts';
import { inTurn } from './in-turn.ts';
import type { PooledReader } from './pooled-reader.ts';
import { encodeServerInit, UpstreamRfbHandshake, type ServerInit } from './rfb-upstream-handshake.ts';
import type { ViewerRequest } from './shared-console.ts';
import { UpdateRequests } from './update-requests.ts';
import { VncViewer, type VncViewerEvents } from './vnc-viewer.ts';

export interface VncSessionOptions {
  /** Ping the API server (and every viewer) this often. */
  pingMs: number;
  /** A viewer with more unsent output than this has its backlog dropped and is given a full refresh. */
  maxViewerBacklog: number;
  /** A viewer that falls behind more often than this within `refreshWindowMs` is closed. */
  maxRefreshes: number;
  refreshWindowMs: number;
  /** Viewers' input is paused while this much waits to reach the API server. */
  maxUpstreamBacklog: number;
}

/** Pseudo-rectangles whose last value a joiner is sent before its first picture: the cursor, the screen's size, what the server supports. */
const replayed = new Set<number>([
  Encoding.DesktopSize, Encoding.ExtendedDesktopSize, Encoding.Cursor, Encoding.QemuExtendedKeyEvent, Encoding.QemuLedState, Encoding.DesktopName,
]);
const sizing = new Set<number>([Encoding.DesktopSize, Encoding.ExtendedDesktopSize]);

// Every shared VNC console's frames come from one pool: a console that stops streaming leaves its buffers to the next.
const frames = new FramePool();

const tooSlow = { code: 1008, reason: 'this viewer stayed too far behind the console' };
const undecodable = { code: 1011, reason: 'the console sent an update this viewer cannot decode' };

function samePixelFormat(a: PixelFormat, b: PixelFormat): boolean {
  return encodePixelFormat(a).equals(encodePixelFormat(b));
}

function describePixelFormat(pf: PixelFormat): string {
  return `${pf.bitsPerPixel}-bit ${pf.trueColour ? 'true colour' : 'colour map'}`;
}

/** A FramebufferUpdate of one rectangle, cut out of `message` (a pseudo-rectangle a joiner is sent again). */
function singleRectangleUpdate(message: Extract<ServerMessage, { type: 'FramebufferUpdate' }>, rectangle: { start: number; end: number }): Buffer {
  const whole = Buffer.concat(message.parts);
  const header = Buffer.from([0, 0, 0, 1]);
  return encodeServerFrame([header, whole.subarray(rectangle.start - message.start, rectangle.end - message.start)]);
}

/**
 * One VNC console of one VMI on this gateway process, shared by its viewers.
 * The gateway is the upstream's RFB client (one handshake, one ServerInit
 * kept) and every viewer's RFB server. The upstream stream is cut into whole
 * messages once, each message framed once and the same frame written to
 * every viewer whose screen is live; an update only to a viewer that asked
 * for one, as any RFB server does, so a busy viewer skips updates instead of
 * queueing them. A joiner (or a viewer that skipped an update, or whose
 * backlog was dropped) starts at the first update that repaints the whole
 * screen in stateless encodings, after the gateway asked for one.
 */
export class VncSession extends FanoutSession<VncViewer> {
  private readonly handshake = new UpstreamRfbHandshake();
  private serverInit: ServerInit | undefined;
  private parser: RfbServerMessageParser | undefined;
  /** The first viewer's pixel format, once it set one: every viewer's. */
  private pixelFormat: PixelFormat | undefined;
  private readonly requests = new UpdateRequests();
  /** Upstream writes waiting for the handshake to end. */
  private readonly queued: Buffer[] = [];
  private askedEncodings: string | undefined;
  /** Whether an update has gone out: a viewer joining after that has missed part of the stream. */
  private updated = false;
  /** The last pseudo-rectangle of each replayed kind, framed as a one-rectangle update. */
  private readonly kept = new Map<number, Buffer>();
  private readonly falls = new Map<VncViewer, number[]>();
  /** Updates fanned out so far: where the next one's round of writes starts. */
  private turn = 0;
  private readonly events: VncViewerEvents = {
    ready: (viewer) => this.greet(viewer),
    message: (viewer, message) => this.fromViewer(viewer, message),
    behind: (viewer) => this.behind(viewer),
    drained: (viewer) => this.drained(viewer),
  };

  constructor(upstream: Socket, reader: PooledReader, upstreamHead: Buffer, private readonly options: VncSessionOptions) {
    super(upstream, reader, options);
    this.start(upstreamHead);
  }

  protected createViewer(socket: Duplex, head: Buffer, request: ViewerRequest): VncViewer {
    return new VncViewer(socket, head, request, { pingMs: this.options.pingMs, maxBacklog: this.options.maxViewerBacklog, fromStart: !this.updated }, this.events);
  }

  protected override viewerLeft(viewer: VncViewer): void {
    this.falls.delete(viewer);
    this.chooseEncodings();
  }

  protected onPayload(data: Buffer): void {
    let rest = data;
    if (!this.parser) {
      const progress = this.handshake.feed(Buffer.from(data));
      for (const reply of progress.replies) this.writeUp(encodeFrame(Opcode.binary, reply, true));
      if (progress.error) return this.fail(progress.error);
      if (!progress.serverInit) return;
      this.serverInit = progress.serverInit;
      this.parser = new RfbServerMessageParser(progress.serverInit.pixelFormat);
      for (const bytes of this.queued.splice(0)) this.writeUp(encodeFrame(Opcode.binary, bytes, true));
      for (const viewer of this.viewers) if (viewer.state === 'handshake' && viewer.readyForInit) this.greet(viewer);
      rest = progress.rest;
    }
    if (rest.length === 0) return;
    const { messages, error } = this.parser.feed(rest);
    for (const message of messages) this.fanOut(message);
    // Whole messages were copied into their frames. A message under way lies in the pooled reads since
    // it began: in this one alone if another message ended here, so earlier reads are free either way.
    if (messages.length > 0 || !this.parser.holding) this.readsFree();
    if (this.parser.holding) this.keepRead();
    if (error) this.fail(error);
  }

  private fail(error: string): void {
    this.serverWentAway(1002, error, { code: 1011, reason: `the VM’s VNC server cannot be read: ${error}` });
  }

  private sendUp(bytes: Buffer): void {
    if (this.parser) this.writeUp(encodeFrame(Opcode.binary, bytes, true));
    else this.queued.push(Buffer.from(bytes));
  }

  /** A viewer's ServerInit: the upstream's, with the screen's current size and the session's pixel format. */
  private greet(viewer: VncViewer): void {
    viewer.readyForInit = true;
    if (!this.serverInit || viewer.state !== 'handshake') return;
    viewer.greet(encodeServerInit({ ...this.serverInit, pixelFormat: this.pixelFormat ?? this.serverInit.pixelFormat }));
    this.chooseEncodings();
  }

  private fromViewer(viewer: VncViewer, message: ClientMessage): void {
    switch (message.type) {
      case 'SetPixelFormat':
        if (!shareablePixelFormat(message.pixelFormat)) {
          // The server messages could not be cut (nor a joiner's colour map replayed) in another format.
          viewer.close({ code: closeCodes.notAllowed, reason: 'a shared console is shown only in true colour of 8, 16 or 32 bits per pixel' }, 'client');
        } else if (!this.pixelFormat) {
          this.pixelFormat = message.pixelFormat;
          this.sendUp(message.raw);
          // Only updates asked for after it are in the new format, and the gateway has asked for none yet.
          this.parser?.setPixelFormat(message.pixelFormat);
        } else if (!samePixelFormat(this.pixelFormat, message.pixelFormat)) {
          viewer.close({
            code: closeCodes.notAllowed,
            reason: `this console is shared in ${describePixelFormat(this.pixelFormat)}; this viewer asked for another pixel format`,
          }, 'client');
        }
        return;
      case 'SetEncodings':
        viewer.encodings = message.encodings;
        this.chooseEncodings();
        return;
      case 'FramebufferUpdateRequest': {
        const full = !message.incremental || (viewer.state === 'waiting' && !viewer.asked);
        viewer.asked = true;
        viewer.wantsUpdate = true;
        this.ask(full);
        return;
      }
      case 'EnableContinuousUpdates':
      case 'ClientFence':
        // Never announced to the upstream (`encoding-policy.ts`): updates stay asked for, and merged.
        return;
      default:
        this.sendUp(message.raw);
    }
  }

  private ask(full: boolean): void {
    const request = this.requests.ask(full);
    if (request) this.sendRequest(request.incremental);
  }

  private sendRequest(incremental: boolean): void {
    const { width, height } = this.serverInit ?? { width: 0, height: 0 };
    this.sendUp(encodeFramebufferUpdateRequest({ incremental, x: 0, y: 0, width, height }));
  }

  private chooseEncodings(): void {
    const viewers = [...this.viewers].filter((v) => v.state !== 'handshake');
    if (!viewers.some((v) => v.encodings)) return;
    const encodings = upstreamEncodings(viewers);
    const key = encodings.join(',');
    if (key === this.askedEncodings) return;
    this.askedEncodings = key;
    this.sendUp(encodeSetEncodings(encodings));
  }

  private fanOut(message: ServerMessage): void {
    if (message.type !== 'FramebufferUpdate') {
      const frame = frames.frame(message.parts);
      const length = message.end - message.start;
      for (const viewer of this.viewers) if (viewer.state === 'live') send(viewer, frame, length);
      frame.release();
      return;
    }
    const next = this.requests.answered();
    if (next) this.sendRequest(next.incremental);
    this.updated = true;
    let covered = 0;
    let stateless = true;
    const keptHere = new Set<number>();
    for (const rectangle of message.rectangles) {
      if (replayed.has(rectangle.encoding)) {
        this.kept.set(rectangle.encoding, singleRectangleUpdate(message, rectangle));
        keptHere.add(rectangle.encoding);
        if (sizing.has(rectangle.encoding) && this.serverInit) this.serverInit = { ...this.serverInit, width: rectangle.width, height: rectangle.height };
      } else if (!isStatelessEncoding(rectangle.encoding)) {
        stateless = false;
      }
      if (rectangle.encoding >= 0 && rectangle.encoding !== Encoding.CopyRect) covered += rectangle.width * rectangle.height;
    }
    const screen = this.serverInit ? this.serverInit.width * this.serverInit.height : Infinity;
    const whole = covered >= screen;
    const frame = frames.frame(message.parts);
    const length = message.end - message.start;
    for (const viewer of inTurn([...this.viewers], this.turn++)) {
      // A viewer that has seen the stream from the start holds any zlib state, so it may start at a zlib-encoded picture.
      if (viewer.state === 'waiting' && viewer.wantsUpdate && whole && (stateless || viewer.fromStart)) {
        for (const [encoding, replay] of this.kept) if (!keptHere.has(encoding)) viewer.send(replay, replay.length);
        viewer.state = 'live';
      }
      if (viewer.state !== 'live') continue;
      if (!stateless && !viewer.fromStart) viewer.close(undecodable);
      else if (!viewer.wantsUpdate) this.skipped(viewer, stateless);
      else {
        viewer.wantsUpdate = false;
        send(viewer, frame, length);
      }
    }
    frame.release();
  }

  /**
   * An update went by that a live viewer had not asked for (it is still busy
   * with the last one): it is not queued for it, so no viewer's lag grows past
   * one update; its next request is answered with the whole screen.
   */
  private skipped(viewer: VncViewer, stateless: boolean): void {
    viewer.state = 'waiting';
    viewer.asked = false;
    if (stateless) return;
    // The update it missed carried zlib state: it can only start again at a stateless picture.
    viewer.fromStart = false;
    this.chooseEncodings();
  }

  /** A viewer's backlog passed the bound: nothing more is sent it until it drains, then it starts again at a full update. */
  private behind(viewer: VncViewer): void {
    if (viewer.state === 'behind') return;
    viewer.state = 'behind';
    // Updates it never got may have carried zlib state: from now on it can only start at stateless pictures.
    viewer.fromStart = false;
    this.chooseEncodings();
    const now = Date.now();
    const recent = (this.falls.get(viewer) ?? []).filter((at) => now - at < this.options.refreshWindowMs);
    recent.push(now);
    this.falls.set(viewer, recent);
    if (recent.length > this.options.maxRefreshes) viewer.close(tooSlow, 'backlog');
  }

  private drained(viewer: VncViewer): void {
    if (viewer.state !== 'behind') return;
    viewer.state = 'waiting';
    // Without a request of its own outstanding, its next one asks for the whole screen.
    viewer.asked = viewer.wantsUpdate;
    if (viewer.wantsUpdate) this.ask(true);
  }
}

/** Sends a pooled frame, which goes back to the pool once every viewer's write of it has left. */
function send(viewer: VncViewer, frame: SharedFrame, length: number): void {
  const written = frame.written();
  if (!viewer.send(frame.bytes, length, written)) written();
}

/** The pixel formats a shared console's messages can be cut in: true colour, 8, 16 or 32 bits per pixel. */
function shareablePixelFormat(pf: PixelFormat): boolean {
  return pf.trueColour && (pf.bitsPerPixel === 8 || pf.bitsPerPixel === 16 || pf.bitsPerPixel === 32);
}
