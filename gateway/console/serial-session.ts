import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { startFanoutViewer, type FanoutViewer } from './fanout-viewer.ts';
import { FanoutSession } from './fanout-session.ts';
import { encodeFrame, Opcode } from './frames.ts';
import type { PooledReader } from './pooled-reader.ts';
import { RingBuffer } from './ring-buffer.ts';
import type { ViewerRequest } from './shared-console.ts';

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

/**
 * One serial console of one VMI on this gateway process: its output kept in a
 * ring buffer and fanned out to every viewer as whole binary frames, the
 * full-control viewers' input sent up in the order it arrives.
 */
export class SerialSession extends FanoutSession<FanoutViewer> {
  private readonly ring: RingBuffer;

  constructor(upstream: Socket, reader: PooledReader, upstreamHead: Buffer, private readonly options: SerialSessionOptions) {
    super(upstream, reader, options);
    this.ring = new RingBuffer(options.ringBytes);
    this.start(upstreamHead);
  }

  // The payload lies in a pooled read buffer: the ring and each frame copy it.
  protected onPayload(data: Buffer): void {
    this.ring.append(data);
    const frame = encodeFrame(Opcode.binary, data, false);
    for (const viewer of this.viewers) viewer.send(frame, data.length);
  }

  /** A viewer whose websocket was just accepted: it is sent what the ring buffer holds, then everything new. */
  protected createViewer(socket: Duplex, head: Buffer, request: ViewerRequest): FanoutViewer {
    const kept = this.ring.contents();
    if (kept.length > 0) socket.write(encodeFrame(Opcode.binary, kept, false));
    const viewer = startFanoutViewer(socket, head, {
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
    return viewer;
  }
}
