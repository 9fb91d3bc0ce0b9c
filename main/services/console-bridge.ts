// "Open in VNC client", like `virtctl vnc --proxy-only`: a local endpoint a
// VNC client connects to, relayed to the console websocket. Other local users
// must not be able to take it: where the platform has Unix sockets it is one
// with mode 0600 inside a private (0700) temporary directory; otherwise (and
// when asked) a loopback port guarded by a one-time VNC password, for which
// the bridge speaks the RFB handshake itself (rfb-guard.ts). One client at a
// time, each with its own console connection, opened only once that client is
// let in; a few wrong passwords close the bridge, so the password cannot be
// guessed; everything closes at the link's expiry. Why it closed is told, so
// the app can say it where the dead address was shown.
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type WebSocket from 'ws';
import type { VncBridge, VncBridgeEnd } from '../../shared/desktop-api.ts';
import { toDesktopError } from './errors.ts';
import { authenticateClient, ByteReader, negotiateUpstream, RfbError, securityResult } from './rfb-guard.ts';
import { oneTimeVncPassword } from './vnc-auth.ts';

/** `unix`: a 0600 socket; `loopback`: 127.0.0.1 with a one-time VNC password. */
export type BridgeTransport = 'unix' | 'loopback';

export interface BridgeOptions {
  /** Opens one console websocket for one VNC client. */
  connect: () => Promise<WebSocket>;
  /** Unix ms; the bridge closes then. */
  until?: number;
  now?: () => number;
  /** Default: `loopback` on Windows (no Unix sockets to protect with a file mode), `unix` elsewhere. */
  transport?: BridgeTransport;
  platform?: NodeJS.Platform;
  /** How long a loopback client has to authenticate. */
  authTimeoutMs?: number;
}

export interface RunningBridge {
  info: VncBridge;
  /** Resolves once nothing listens any more, with why. */
  closed: Promise<VncBridgeEnd>;
  close(): void;
}

export const MAX_FAILED_LOGINS = 3;
const DEFAULT_AUTH_TIMEOUT_MS = 30_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Session {
  socket: net.Socket;
  ws?: WebSocket;
}

const bytesOf = (data: WebSocket.RawData): Buffer => (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));

export function defaultTransport(platform: NodeJS.Platform = process.platform): BridgeTransport {
  return platform === 'win32' ? 'loopback' : 'unix';
}

/** Joins the client socket and the console websocket, first handing on what each had sent early. */
function relay(session: Session, ws: WebSocket, early: { fromClient: Buffer; fromConsole: Buffer }, end: () => void): void {
  const { socket } = session;
  ws.removeAllListeners('message');
  socket.removeAllListeners('data');
  if (early.fromConsole.length > 0) socket.write(early.fromConsole);
  if (early.fromClient.length > 0) ws.send(early.fromClient, { binary: true });
  ws.on('message', (data, isBinary) => {
    if (isBinary) socket.write(bytesOf(data));
  });
  socket.on('data', (chunk: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true });
  });
  ws.on('close', end);
  ws.on('error', end);
  socket.resume();
  ws.resume();
}

/** Unix socket: the file mode is the guard, so bytes flow as they come. */
async function plainSession(session: Session, connect: () => Promise<WebSocket>, end: () => void): Promise<void> {
  session.socket.pause();
  const ws = await connect();
  if (session.socket.destroyed) return void ws.close();
  session.ws = ws;
  relay(session, ws, { fromClient: Buffer.alloc(0), fromConsole: Buffer.alloc(0) }, end);
}

/** Loopback port: the client proves it holds the password before a console is opened for it. */
async function guardedSession(session: Session, password: string, connect: () => Promise<WebSocket>, end: () => void, failedLogin: () => void): Promise<void> {
  const { socket } = session;
  const fromClient = new ByteReader();
  socket.on('data', (chunk: Buffer) => fromClient.push(chunk));
  socket.on('close', () => fromClient.fail(new RfbError('the VNC client went away')));
  const client = { reader: fromClient, write: (bytes: Buffer) => void socket.write(bytes) };
  const auth = await authenticateClient(client, password);
  if (!auth.ok) {
    socket.end();
    failedLogin();
    return;
  }
  let ws: WebSocket;
  try {
    ws = await connect();
  } catch (error) {
    socket.end(securityResult(auth.minor, `the console could not be opened: ${(error as Error).message}`));
    return;
  }
  if (socket.destroyed) return void ws.close();
  session.ws = ws;
  const fromConsole = new ByteReader();
  ws.on('message', (data, isBinary) => {
    if (isBinary) fromConsole.push(bytesOf(data));
  });
  ws.once('close', (code, reason) => fromConsole.fail(new RfbError(`the console closed (${code}${reason.length > 0 ? ` ${reason.toString('utf8')}` : ''})`)));
  ws.resume();
  try {
    await negotiateUpstream({ reader: fromConsole, write: (bytes) => ws.send(bytes, { binary: true }) });
  } catch (error) {
    socket.end(securityResult(auth.minor, (error as Error).message));
    ws.close();
    return;
  }
  socket.write(securityResult(auth.minor));
  relay(session, ws, { fromClient: fromClient.rest(), fromConsole: fromConsole.rest() }, end);
}

async function listenUnix(server: net.Server): Promise<{ address: string; cleanup: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'gatepass-vnc-'));
  chmodSync(dir, 0o700);
  const path = join(dir, 'vnc.sock');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  // The socket file is created with the process umask; 0600 is set before anyone is told the address.
  chmodSync(path, 0o600);
  return { address: `unix:${path}`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

async function listenLoopback(server: net.Server): Promise<{ address: string; cleanup: () => void }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, cleanup: () => undefined };
}

export async function openVncBridge(options: BridgeOptions): Promise<RunningBridge> {
  const transport = options.transport ?? defaultTransport(options.platform);
  const now = options.now ?? Date.now;
  const password = transport === 'loopback' ? oneTimeVncPassword() : undefined;
  const authTimeoutMs = options.authTimeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS;
  let active: Session | undefined;
  let finished = false;
  let failedLogins = 0;
  let expiry: NodeJS.Timeout | undefined;
  let resolveClosed!: (end: VncBridgeEnd) => void;
  const closed = new Promise<VncBridgeEnd>((resolve) => (resolveClosed = resolve));

  const server = net.createServer((socket) => {
    if (active || finished) {
      // One client at a time: a second one is turned away before any byte flows.
      socket.destroy();
      return;
    }
    const session: Session = { socket };
    active = session;
    let authTimer: NodeJS.Timeout | undefined;
    const end = () => {
      clearTimeout(authTimer);
      socket.destroy();
      session.ws?.close();
      if (active === session) active = undefined;
    };
    // Until the console is joined, a silent client would hold the only place.
    if (password !== undefined) {
      authTimer = setTimeout(() => {
        if (!session.ws) end();
      }, authTimeoutMs);
      authTimer.unref();
    }
    socket.on('error', end);
    socket.on('close', end);
    const run = password === undefined
      ? plainSession(session, options.connect, end)
      : guardedSession(session, password, options.connect, end, () => {
        // The place is free again at once; this socket only finishes sending the failure.
        if (active === session) active = undefined;
        failedLogins += 1;
        if (failedLogins >= MAX_FAILED_LOGINS) close({ reason: 'wrong-passwords', attempts: failedLogins });
      });
    run.catch(end);
  });

  const listening = transport === 'loopback' ? await listenLoopback(server) : await listenUnix(server);

  const close = (end: VncBridgeEnd = { reason: 'closed' }) => {
    if (finished) return;
    finished = true;
    clearTimeout(expiry);
    if (active) {
      active.socket.destroy();
      active.ws?.close(1000, 'the VNC bridge closed');
    }
    server.close(() => {
      listening.cleanup();
      resolveClosed(end);
    });
  };
  // An error on the listener (accept failing, out of file descriptors) ends the bridge as a failure the
  // person is told of, rather than leaving it half-working or, unhandled, taking main down.
  server.on('error', (error) => close({ reason: 'failed', error: toDesktopError(error) }));
  // A timer fires after at most ~24.8 days, so a longer-lived link re-arms it rather than closing early.
  const closeAt = (until: number) => {
    const left = until - now();
    if (left <= 0) return close({ reason: 'expired' });
    expiry = setTimeout(() => closeAt(until), Math.min(left, MAX_TIMER_MS));
    expiry.unref();
  };
  if (options.until !== undefined) closeAt(options.until);
  const info: VncBridge = { id: randomUUID(), address: listening.address };
  if (password !== undefined) info.password = password;
  if (options.until !== undefined) info.until = new Date(options.until).toISOString();
  return { info, closed, close: () => close() };
}
