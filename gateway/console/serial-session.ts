import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { explainUpstreamClose, type CloseWith } from './close-codes.ts';
import { FrameTracker, type FrameSink } from './frame-tracker.ts';
import { closePayload, encodeFrame, Opcode, parseClosePayload } from './frames.ts';
import type { PooledReader } from './pooled-reader.ts';
import { RingBuffer } from './ring-buffer.ts';
import { startSerialViewer, type SerialViewer } from './serial-viewer.ts';
import type { SessionEnd, SharedSession, SharedViewer, ViewerRequest } from './shared-console.ts';

export interface SerialSessionOptions {
  /** Ping the API server (and every viewer) this often; KubeVirt sends no keepalive of its own. */
  pingMs: number;
  /** How much of the latest output a joiner is sent first. */
  ringBytes: number;
  /** A viewer with more unsent output than this is closed. */
  maxViewerBacklog: number;
  /** Viewers' input is paused while this much waits to reach the API server. */
  maxUpstreamBacklog: number;
}

// Toward the API server the gateway is the client: it waits for the server to answer its close.
const closeGraceMs = 2000;

/**
 * One serial console of one VMI on this gateway process: one websocket to the
 * API server, its output kept in a ring buffer and fanned out to every viewer
 * as whole binary frames, the full-control viewers' input sent up in the order
 * it arrives. The session ends when the API server's side does (every viewer
 * is told why) or when its last viewer has left.
 */
export class SerialSession implements SharedSession {
  readonly ended: Promise<SessionEnd>;
  private finish!: (end: SessionEnd) => void;
  private readonly viewers = new Set<SerialViewer>();
  private readonly ring: RingBuffer;
  private readonly tracker = new FrameTracker({ masked: false, mode: 'payload', maxPayload: Number.MAX_SAFE_INTEGER });
  private readonly pinger: NodeJS.Timeout;
  private serverAlive = true;
  private inputPaused = false;
  /** Viewers being let in (a use counted, say) keep the session open with none joined yet. */
  private holds = 0;
  private done = false;

  constructor(
    private readonly upstream: Socket,
    private readonly reader: PooledReader,
    upstreamHead: Buffer,
    private readonly options: SerialSessionOptions,
  ) {
    this.ended = new Promise((resolve) => (this.finish = resolve));
    this.ring = new RingBuffer(options.ringBytes);
    const sink: FrameSink = {
      pass: () => undefined,
      // The payload lies in a pooled read buffer: the ring and each frame copy it.
      payload: (data) => {
        this.ring.append(data);
        const frame = encodeFrame(Opcode.binary, data, false);
        for (const viewer of this.viewers) viewer.send(frame, data.length);
      },
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
    }, options.pingMs);
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

  /** Keeps the session open while a viewer is being let in; the returned function lets go. */
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

  /** Adds a viewer whose websocket was just accepted: it is sent what the ring buffer holds, then everything new. */
  addViewer(socket: Duplex, head: Buffer, request: ViewerRequest): SerialViewer {
    const kept = this.ring.contents();
    if (kept.length > 0) socket.write(encodeFrame(Opcode.binary, kept, false));
    const viewer = startSerialViewer(socket, head, {
      pingMs: this.options.pingMs,
      ...(request.expiresAt !== undefined ? { expiresAt: request.expiresAt } : {}),
      expired: request.expired,
      viewOnly: request.viewOnly,
      maxBacklog: this.options.maxViewerBacklog,
      onInput: (data) => this.writeUp(encodeFrame(Opcode.binary, data, true)),
      ...(request.onBytes ? { onBytes: request.onBytes } : {}),
    });
    // The ring's bytes were written before the viewer counted bytes: they are reported with its first.
    if (kept.length > 0) request.onBytes?.(0, kept.length);
    this.viewers.add(viewer);
    if (this.inputPaused) viewer.pauseInput(true);
    void viewer.relay.ended.then(() => {
      this.viewers.delete(viewer);
      this.closeIfUnwatched();
    });
    return viewer;
  }

  /** Closes every viewer but `keep`, each told why. */
  closeOthers(keep: SharedViewer, told: CloseWith): void {
    for (const viewer of this.viewers) if (viewer !== keep) viewer.relay.close(told.code, told.reason, 'taken-over');
  }

  /** Ends the session from outside: the viewers are told `told`, the API server gets a normal close. */
  close(told: CloseWith): void {
    for (const viewer of this.viewers) viewer.relay.close(told.code, told.reason);
    this.end(undefined);
  }

  private writeUp(frame: Buffer): void {
    if (this.done || this.upstream.destroyed) return;
    this.upstream.write(frame);
    if (this.upstream.writableLength > this.options.maxUpstreamBacklog) this.pauseInput(true);
  }

  private pauseInput(paused: boolean): void {
    if (paused === this.inputPaused) return;
    this.inputPaused = paused;
    for (const viewer of this.viewers) viewer.pauseInput(paused);
  }

  private closeIfUnwatched(): void {
    if (this.viewers.size === 0 && this.holds === 0) this.end(undefined);
  }

  private serverWentAway(code: number, reason: string): void {
    if (this.done) return;
    const told = explainUpstreamClose(code, reason);
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
