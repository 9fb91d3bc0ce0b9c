import type { Duplex } from 'node:stream';
import { RfbClientHandshake, RfbClientMessageParser, type ClientMessage } from '../../shared/node/rfb.ts';
import { closeCodes, type CloseWith } from './close-codes.ts';
import { encodeFrame, Opcode } from './frames.ts';
import { startFanoutViewer, type FanoutViewer } from './fanout-viewer.ts';
import type { FanoutMember } from './fanout-session.ts';
import type { ViewerRequest } from './shared-console.ts';
import type { Relay } from './splice.ts';
import { viewOnlyMayPass } from './view-only-filter.ts';

/**
 * Where a viewer's screen stands: answering its handshake; waiting for an
 * update it can start at (it joined, it had not asked for an update that went
 * by, or its backlog was dropped); live; or behind (its backlog past the
 * bound, nothing sent until it drains).
 */
export type VncViewerState = 'handshake' | 'waiting' | 'live' | 'behind';

export interface VncViewerEvents {
  /** The viewer sent its ClientInit: it is to be sent a ServerInit (`greet`). */
  ready(viewer: VncViewer): void;
  /** A whole message from a viewer past its handshake, input of a view-only viewer excepted. */
  message(viewer: VncViewer, message: ClientMessage): void;
  behind(viewer: VncViewer): void;
  drained(viewer: VncViewer): void;
}

export interface VncViewerOptions {
  pingMs: number;
  maxBacklog: number;
  /** The viewer has seen the upstream stream from its start (it holds any zlib state there is). */
  fromStart: boolean;
}

/**
 * One viewer of a shared VNC console: the gateway is its RFB server for the
 * handshake (version 3.8, security None, a copy of the upstream's
 * ServerInit), then reads its messages whole. Input from a view-only viewer
 * is counted and dropped, by the same rule as `view-only-filter.ts`.
 */
export class VncViewer implements FanoutMember {
  state: VncViewerState = 'handshake';
  /** What it last asked for with SetEncodings; undefined before it said. */
  encodings: number[] | undefined;
  /** Whether it asked for an update since it last had to wait for a full one. */
  asked = false;
  /** It has an update request not yet answered: as an RFB server, the gateway sends it an update only then. */
  wantsUpdate = false;
  /** It sent its ClientInit (its ServerInit may still wait for the upstream's). */
  readyForInit = false;
  /** It has seen every update since the upstream session began (false once a backlog of its was dropped). */
  fromStart: boolean;
  readonly viewOnly: boolean;
  private droppedInput = 0;
  private readonly fanout: FanoutViewer;
  private readonly handshake = new RfbClientHandshake();
  private readonly parser = new RfbClientMessageParser();
  private minor = 8;

  constructor(socket: Duplex, head: Buffer, request: ViewerRequest, options: VncViewerOptions, private readonly events: VncViewerEvents) {
    this.fromStart = options.fromStart;
    this.viewOnly = request.viewOnly;
    this.fanout = startFanoutViewer(socket, Buffer.alloc(0), {
      pingMs: options.pingMs,
      ...(request.expiresAt !== undefined ? { expiresAt: request.expiresAt } : {}),
      expired: request.expired,
      viewOnly: false,
      maxBacklog: options.maxBacklog,
      onBehind: () => events.behind(this),
      onDrain: () => events.drained(this),
      onInput: (data) => this.read(data),
      ...(request.onBytes ? { onBytes: request.onBytes } : {}),
    });
    this.write(Buffer.from('RFB 003.008\n', 'latin1'));
    // What the viewer sent with its upgrade is read once the gateway's greeting has gone, as later reads are.
    if (head.length > 0) socket.emit('data', head);
  }

  get relay(): Relay {
    return this.fanout.relay;
  }

  /** Input messages dropped because the viewer is view-only. */
  get dropped(): number {
    return this.droppedInput;
  }

  sendText(text: string): void {
    this.fanout.sendText(text);
  }

  pauseInput(paused: boolean): void {
    this.fanout.pauseInput(paused);
  }

  /** Sends a frame of the console's output; false when it was not (the viewer fell behind, or is gone). `written`: as `FanoutViewer.send`. */
  send(frame: Buffer, payloadLength: number, written?: () => void): boolean {
    return this.fanout.send(frame, payloadLength, written);
  }

  /** Ends the handshake with this ServerInit: the viewer then waits for an update it can start at. */
  greet(serverInit: Buffer): void {
    this.write(serverInit);
    this.state = 'waiting';
  }

  close(told: CloseWith, by: 'backlog' | 'server' | 'client' = 'server'): void {
    this.fanout.relay.close(told.code, told.reason, by);
  }

  private write(bytes: Buffer): void {
    this.fanout.send(encodeFrame(Opcode.binary, bytes, false), bytes.length);
  }

  private read(data: Buffer): void {
    let rest = data;
    if (!this.handshake.done) {
      const progress = this.handshake.feed(data);
      for (const step of progress.steps) {
        if (step.step === 'version') {
          this.minor = step.minor;
          this.write(Buffer.from([1, 1]));
        } else if (step.step === 'security') {
          if (this.minor >= 8) this.write(Buffer.alloc(4));
        } else {
          this.events.ready(this);
        }
      }
      if (progress.error) return this.refuse(progress.error);
      if (!progress.done) return;
      rest = progress.rest;
    }
    if (rest.length === 0) return;
    const { messages, error } = this.parser.feed(rest);
    for (const message of messages) {
      if (this.viewOnly && !viewOnlyMayPass(message)) this.droppedInput += 1;
      else this.events.message(this, message);
    }
    if (error) this.refuse(error);
  }

  private refuse(error: string): void {
    this.close({ code: closeCodes.notAllowed, reason: `this viewer’s VNC stream cannot be read: ${error}` }, 'client');
  }
}
