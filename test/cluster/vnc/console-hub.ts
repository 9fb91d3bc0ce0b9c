/**
 * The VNC subresource of the cluster stand-in, behind the API server's checks.
 * It behaves as KubeVirt's does towards a viewer: subprotocol `plain.kubevirt.io`
 * only, binary frames carrying the raw RFB stream, text frames dropped, no
 * pings, one session per VMI (a new one drops the old websocket without a close
 * frame, so its viewer sees 1006; with `preserveSession` the newcomer gets 503).
 * Behind it sits, per VM, either the built-in RFB server (in-process, created on
 * first use) or an external VNC server over TCP or a unix socket — QEMU's, as in
 * KubeVirt. Screenshots come from the built-in framebuffer or from a shared
 * one-shot RFB client, so they never take the session.
 */
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { RawData, WebSocket } from 'ws';
import { createDuplexPair } from './duplex-pair.ts';
import { BuiltinRfbServer } from './rfb-server.ts';
import { snapshotRfb } from './rfb-snapshot.ts';

export const VNC_SUBPROTOCOL = 'plain.kubevirt.io';

export type VncBackendSpec = { kind: 'builtin' } | { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

export interface VncTarget {
  namespace: string;
  name: string;
  backend: VncBackendSpec;
  /** Shown on the built-in screen, e.g. "team-a/web-1". */
  title: string;
}

/** `builtin`, `tcp://host:port` or `unix:/path`; no spec means the built-in server. */
export function parseVncBackend(spec: string | undefined): VncBackendSpec {
  if (spec === undefined || spec === 'builtin') return { kind: 'builtin' };
  const expected = "expected 'builtin', 'tcp://<host>:<port>' or 'unix:<path>'";
  if (spec.startsWith('unix:')) {
    const path = spec.slice('unix:'.length);
    if (path === '') throw new Error(`VNC backend ${JSON.stringify(spec)} has an empty socket path; ${expected}`);
    return { kind: 'unix', path };
  }
  if (spec.startsWith('tcp://')) {
    let url: URL;
    try {
      url = new URL(spec);
    } catch {
      throw new Error(`VNC backend ${JSON.stringify(spec)} is not a valid address; ${expected}`);
    }
    const port = Number(url.port);
    if (url.hostname === '' || url.port === '' || !(port > 0 && port < 65536)) {
      throw new Error(`VNC backend ${JSON.stringify(spec)} needs a host and a port between 1 and 65535; ${expected}`);
    }
    if (url.pathname !== '' && url.pathname !== '/') throw new Error(`VNC backend ${JSON.stringify(spec)} must not have a path; ${expected}`);
    return { kind: 'tcp', host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
  }
  throw new Error(`unknown VNC backend ${JSON.stringify(spec)}; ${expected}`);
}

/** Pause reading the backend while this much is queued towards a slow viewer. */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;

interface Session {
  ws: WebSocket | undefined;
  backend: Duplex | undefined;
}

export class ConsoleHub {
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(VNC_SUBPROTOCOL) ? VNC_SUBPROTOCOL : false),
  });
  private readonly sessions = new Map<string, Session>();
  private readonly builtins = new Map<string, BuiltinRfbServer>();

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, target: VncTarget, opts: { preserveSession: boolean }): void {
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!offered.includes(VNC_SUBPROTOCOL)) {
      return refuse(socket, 400, 'BadRequest', `websocket subprotocol ${VNC_SUBPROTOCOL} is required`);
    }
    const key = sessionKey(target.namespace, target.name);
    if (opts.preserveSession && this.sessions.has(key)) {
      return refuse(socket, 503, 'ServiceUnavailable', `a VNC session to ${key} is already open and preserveSession was requested`);
    }
    this.endSession(key);
    // Registered before the upgrade completes so that a racing preserveSession request sees it.
    const session: Session = { ws: undefined, backend: undefined };
    this.sessions.set(key, session);
    socket.on('error', () => this.endSession(key, session));
    // ws answers a malformed handshake itself and never calls back: forget the placeholder then.
    socket.once('close', () => {
      if (!session.ws) this.forget(key, session);
    });
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (this.sessions.get(key) !== session) return void ws.terminate();
      session.ws = ws;
      session.backend = this.openBackend(target);
      bridge(ws, session.backend, () => this.forget(key, session));
    });
  }

  async screenshot(target: VncTarget): Promise<Buffer> {
    if (target.backend.kind === 'builtin') return this.builtinFor(target).framebufferPng();
    return snapshotRfb(connectExternal(target.backend));
  }

  disconnect(namespace: string, name: string): void {
    this.endSession(sessionKey(namespace, name));
  }

  builtinServer(namespace: string, name: string): BuiltinRfbServer | undefined {
    return this.builtins.get(sessionKey(namespace, name));
  }

  async close(): Promise<void> {
    for (const key of [...this.sessions.keys()]) this.endSession(key);
    for (const server of this.builtins.values()) server.close();
    this.builtins.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private builtinFor(target: VncTarget): BuiltinRfbServer {
    const key = sessionKey(target.namespace, target.name);
    let server = this.builtins.get(key);
    if (!server) {
      server = new BuiltinRfbServer(target.title);
      this.builtins.set(key, server);
    }
    return server;
  }

  private openBackend(target: VncTarget): Duplex {
    if (target.backend.kind !== 'builtin') return connectExternal(target.backend);
    const [hubSide, serverSide] = createDuplexPair();
    this.builtinFor(target).attach(serverSide);
    return hubSide;
  }

  /** Drops the session's websocket (no close frame, as KubeVirt) and its backend; `only` guards against ending a successor. */
  private endSession(key: string, only?: Session): void {
    const session = this.sessions.get(key);
    if (!session || (only && session !== only)) return;
    this.forget(key, session);
    session.ws?.terminate();
    session.backend?.destroy();
  }

  private forget(key: string, session: Session): void {
    if (this.sessions.get(key) === session) this.sessions.delete(key);
  }
}

function sessionKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

function connectExternal(backend: Exclude<VncBackendSpec, { kind: 'builtin' }>): net.Socket {
  return backend.kind === 'tcp' ? net.connect({ host: backend.host, port: backend.port }) : net.connect({ path: backend.path });
}

/**
 * Copies binary frames to the backend and backend bytes to binary frames, with
 * backpressure both ways. When the backend fails or ends, the viewer gets a
 * close frame saying so; when the viewer goes, the backend connection is closed.
 */
function bridge(ws: WebSocket, backend: Duplex, ended: () => void): void {
  let queued = 0;
  backend.on('data', (chunk: Buffer) => {
    queued += chunk.length;
    ws.send(chunk, { binary: true }, () => {
      queued -= chunk.length;
      if (queued < HIGH_WATER_BYTES && backend.isPaused()) backend.resume();
    });
    if (queued >= HIGH_WATER_BYTES) backend.pause();
  });
  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (!isBinary || backend.destroyed) return;
    const chunk = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (!backend.write(chunk)) {
      ws.pause();
      backend.once('drain', () => ws.resume());
    }
  });
  let backendError: Error | undefined;
  backend.on('error', (error) => {
    backendError = error;
  });
  backend.on('close', () => {
    // A viewer paused for a drain that will never come must still read the close handshake.
    ws.resume();
    if (ws.readyState === ws.OPEN) {
      if (backendError) ws.close(1011, `VNC backend failed: ${backendError.message}`.slice(0, 123));
      else ws.close(1000, 'VNC backend closed the connection');
    }
    ended();
  });
  ws.on('close', () => {
    backend.destroy();
    ended();
  });
  ws.on('error', () => ws.terminate());
}

function refuse(socket: Duplex, code: number, reason: string, message: string): void {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
  const statusText = code === 400 ? 'Bad Request' : 'Service Unavailable';
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${code} ${statusText}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
