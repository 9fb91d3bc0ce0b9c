// "Open in VNC client", like `virtctl vnc --proxy-only`: a local endpoint a
// VNC client connects to, relayed to the console websocket. Other local users
// must not be able to take it, so it is a Unix socket with mode 0600 inside a
// private (0700) temporary directory. A loopback TCP port would need a one-time
// VNC password (DES challenge-response), which is not implemented; on Windows
// the bridge is therefore refused as unsupported. One client at a time, each
// with its own console connection; everything closes at the link's expiry.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type WebSocket from 'ws';
import type { VncBridge } from '../../shared/desktop-api.ts';
import { DesktopFailure } from './errors.ts';

export interface BridgeOptions {
  /** Opens one console websocket for one VNC client. */
  connect: () => Promise<WebSocket>;
  /** Unix ms; the bridge closes then. */
  until?: number;
  now?: () => number;
  platform?: NodeJS.Platform;
}

export interface RunningBridge {
  info: VncBridge;
  closed: Promise<void>;
  close(): void;
}

export async function openVncBridge(options: BridgeOptions): Promise<RunningBridge> {
  if ((options.platform ?? process.platform) === 'win32') {
    throw new DesktopFailure('unsupported', 'Open in VNC client needs a private Unix socket, which this system does not offer; use the built-in console instead');
  }
  const now = options.now ?? Date.now;
  const dir = mkdtempSync(join(tmpdir(), 'gatepass-vnc-'));
  chmodSync(dir, 0o700);
  const path = join(dir, 'vnc.sock');
  let active: { socket: net.Socket; ws?: WebSocket } | undefined;
  let finished = false;
  let expiry: NodeJS.Timeout | undefined;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));

  const server = net.createServer((socket) => {
    if (active || finished) {
      // One client at a time: a second one is turned away before any byte flows.
      socket.destroy();
      return;
    }
    const session: { socket: net.Socket; ws?: WebSocket } = { socket };
    active = session;
    const end = () => {
      socket.destroy();
      session.ws?.close();
      if (active === session) active = undefined;
    };
    socket.pause();
    socket.on('error', end);
    socket.on('close', end);
    options.connect().then(
      (ws) => {
        if (socket.destroyed) {
          ws.close();
          return;
        }
        session.ws = ws;
        ws.on('message', (data, isBinary) => {
          if (isBinary) socket.write(Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));
        });
        ws.on('close', end);
        ws.on('error', end);
        socket.on('data', (chunk: Buffer) => {
          if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true });
        });
        socket.resume();
        ws.resume();
      },
      end,
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // The socket file is created with the process umask; 0600 is set before anyone is told the address.
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);

  const close = () => {
    if (finished) return;
    finished = true;
    clearTimeout(expiry);
    if (active) {
      active.socket.destroy();
      active.ws?.close(1000, 'the VNC bridge closed');
    }
    server.close(() => {
      rmSync(dir, { recursive: true, force: true });
      resolveClosed();
    });
  };
  if (options.until !== undefined) {
    expiry = setTimeout(close, Math.max(0, Math.min(options.until - now(), 2 ** 31 - 1)));
    expiry.unref();
  }
  const info: VncBridge = { id: randomUUID(), address: `unix:${path}` };
  if (options.until !== undefined) info.until = new Date(options.until).toISOString();
  return { info, closed, close };
}
