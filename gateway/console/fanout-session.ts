import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { explainUpstreamClose, type CloseWith } from './close-codes.ts';
import { FrameTracker, type FrameSink } from './frame-tracker.ts';
import { closePayload, encodeFrame, Opcode, parseClosePayload } from './frames.ts';
import type { PooledReader } from './pooled-reader.ts';
import type { SessionEnd, SharedSession, SharedViewer, ViewerRequest } from './shared-console.ts';

export interface FanoutSessionOptions {
  /** Ping the API server this often; KubeVirt sends no keepalive of its own. */
  pingMs: number;
  /** Viewers' input is paused while this much waits to reach the API server. */
  maxUpstreamBacklog: number;
}

export interface FanoutMember extends SharedViewer {
  /** Stops (or restarts) reading this viewer's input while the console cannot take more. */
  pauseInput(paused: boolean): void;
}

// Toward the API server the gateway is the client: it waits for the server to answer its close.
const closeGraceMs = 2000;

/**
 * One console of one VMI on this gateway process: one websocket to the API
 * server, whose binary payloads the engine (serial, VNC) fans out to its
 * viewers, and whose pings, pongs and close are the gateway's. The session
 * ends when the API server's side does (every viewer is told why) or when
 * its last viewer has left.
 */
export abstract class FanoutSession<V extends FanoutMember> implements SharedSession {
  readonly ended: Promise<SessionEnd>;
  private finish!: (end: SessionEnd) => void;
  protected readonly viewers = new Set<V>();
  private readonly tracker = new FrameTracker({ masked: false, mode: 'payload', maxPayload: Number.MAX_SAFE_INTEGER });
  private pinger: NodeJS.Timeout | undefined;
  private serverAlive = true;
  private inputPaused = false;
  /** Viewers being let in (a use counted, say) keep the session open with none joined yet. */
  private holds = 0;
  private done = false;

  constructor(
    private readonly upstream: Socket,
    private readonly reader: PooledReader,
    private readonly sessionOptions: FanoutSessionOptions,
  ) {
    this.ended = new Promise((resolve) => (this.finish = resolve));
  }

  /** The API server's binary payload; it lies in a pooled read buffer, valid only during the call. */
  protected abstract onPayload(data: Buffer): void;

  protected abstract createViewer(socket: Duplex, head: Buffer, request: ViewerRequest): V;

  /** A viewer has left (its relay ended). */
  protected viewerLeft(_viewer: V): void {}

  /** Starts reading the API server, from `upstreamHead` (what came with its 101); the engine calls it once it is ready. */
  protected start(upstreamHead: Buffer): void {
    const { upstream, reader } = this;
    const sink: FrameSink = {
      pass: () => undefined,
      payload: (data) => this.onPayload(data),
      control: (opcode, payload) => {
        if (opcode === Opcode.pong) this.serverAlive = true;
        else if (opcode === Opcode.ping) this.writeUp(encodeFrame(Opcode.pong, payload, true));
        else {
          const { code, reason } = parseClosePayload(payload);
          this.serverWentAway(code, reason);
        }
      },
      boundary: () => undefined,
    };
    reader.onData = (chunk) => {
      if (this.done) return false;
      if (!this.tracker.feed(chunk, sink)) this.serverWentAway(1002, this.tracker.error!);
      return true;
    };
    upstream.on('drain', () => this.pauseInput(false));
    upstream.on('end', () => this.serverWentAway(1006, ''));
    upstream.on('close', () => {
      reader.dispose();
      this.serverWentAway(1006, '');
    });
    upstream.on('error', () => this.serverWentAway(1006, 'server connection failed'));
    this.pinger = setInterval(() => {
      if (!this.serverAlive) {
        this.serverWentAway(1006, 'the server stopped answering');
        return;
      }
      this.serverAlive = false;
      this.writeUp(encodeFrame(Opcode.ping, Buffer.alloc(0), true));
    }, this.sessionOptions.pingMs);
    this.pinger.unref();
    if (upstreamHead.length > 0) reader.onData(upstreamHead);
    if (!this.done) upstream.resume();
  }

  get open(): boolean {
    return !this.done;
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  hold(): () => void {
    this.holds += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds -= 1;
      this.closeIfUnwatched();
    };
  }

  addViewer(socket: Duplex, head: Buffer, request: ViewerRequest): V {
    const viewer = this.createViewer(socket, head, request);
    this.viewers.add(viewer);
    if (this.inputPaused) viewer.pauseInput(true);
    void viewer.relay.ended.then(() => {
      this.viewers.delete(viewer);
      this.viewerLeft(viewer);
      this.closeIfUnwatched();
    });
    return viewer;
  }

  closeOthers(keep: SharedViewer, told: CloseWith): void {
    for (const viewer of this.viewers) if (viewer !== keep) viewer.relay.close(told.code, told.reason, 'taken-over');
  }

  close(told: CloseWith): void {
    for (const viewer of this.viewers) viewer.relay.close(told.code, told.reason);
    this.end(undefined);
  }

  /** What `onPayload` was just given is still referenced: its read buffer is not read into again until `readsFree`. */
  protected keepRead(): void {
    this.reader.retain();
  }

  /** Nothing references earlier reads any more. */
  protected readsFree(): void {
    this.reader.release();
  }

  /** Sends one whole frame (masked, as a client's) to the API server. */
  protected writeUp(frame: Buffer): void {
    if (this.done || this.upstream.destroyed) return;
    this.upstream.write(frame);
    if (this.upstream.writableLength > this.sessionOptions.maxUpstreamBacklog) this.pauseInput(true);
  }

  private pauseInput(paused: boolean): void {
    if (paused === this.inputPaused) return;
    this.inputPaused = paused;
    for (const viewer of this.viewers) viewer.pauseInput(paused);
  }

  private closeIfUnwatched(): void {
    if (this.viewers.size === 0 && this.holds === 0) this.end(undefined);
  }

  /** The API server's side ended (`code` 1006: dropped) or broke the protocol: every viewer is told why. */
  protected serverWentAway(code: number, reason: string, told: CloseWith = explainUpstreamClose(code, reason)): void {
    if (this.done) return;
    for (const viewer of this.viewers) viewer.relay.close(told.code, told.reason, 'server');
    this.end(code);
  }

  private end(serverCode: number | undefined): void {
    if (this.done) return;
    this.done = true;
    clearInterval(this.pinger);
    if (serverCode === undefined && !this.upstream.destroyed) this.upstream.end(encodeFrame(Opcode.close, closePayload(1000), true));
    else if (serverCode !== 1006 && !this.upstream.destroyed) this.upstream.end(encodeFrame(Opcode.close, closePayload(serverCode ?? 1000), true));
    else this.upstream.destroy();
    // A server that never answers the close still lets go of the socket.
    setTimeout(() => {
      this.upstream.destroy();
      this.reader.dispose();
    }, closeGraceMs).unref();
    this.finish(serverCode === undefined ? {} : { serverCode });
  }
}
