// The development bridge: the desktop app's renderer in a plain browser, with
// DesktopApi carried over a loopback websocket to the real main services. For
// development, screenshots and tests; never packaged (electron-builder.yml).
//
// Only the page it served may use it: a random per-run token (in the page's URL
// fragment, so never in a request line the page did not make itself), the page's
// own Origin on every websocket, and a Host check against DNS rebinding.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { extname, join, resolve, sep } from 'node:path';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import type { ConsoleChannel, DesktopApiImpl } from '../desktop-api-impl.ts';
import { CONTENT_SECURITY_POLICY } from '../electron/csp.ts';
import { toDesktopError } from '../electron/ipc-reply.ts';
import { parseRequest } from '../../shared/bridge-protocol.ts';

export interface DevBridgeOptions {
  api: DesktopApiImpl;
  /** The built renderer (index.html and its assets). */
  staticDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** A fixed token, for tests; by default a random one per run. */
  token?: string;
}

export interface DevBridge {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};
const MAX_FRAME_BYTES = 1024 * 1024;
/** The page's CSP also lets it reach this server's websockets. */
const BRIDGE_CSP = CONTENT_SECURITY_POLICY.replace("connect-src 'self'", "connect-src 'self' ws://127.0.0.1:* ws://localhost:*");

export async function startDevBridge(options: DevBridgeOptions): Promise<DevBridge> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const staticDir = resolve(options.staticDir);
  const sockets = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  let port = 0;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const server = createServer((req, res) => {
    if (!allowedHosts().has(req.headers.host ?? '')) return refuseHttp(res, 421, 'unexpected Host');
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuseHttp(res, 405, 'only GET');
    serveStatic(staticDir, req, res).catch(() => (res.headersSent ? res.destroy() : refuseHttp(res, 400, 'bad request')));
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://bridge.invalid');
    if (!allowedHosts().has(req.headers.host ?? '')) return refuseUpgrade(socket, 421, 'unexpected Host');
    if (!allowedOrigins().has(req.headers.origin ?? '')) return refuseUpgrade(socket, 403, 'foreign Origin');
    if (!sameToken(url.searchParams.get('token') ?? '', token)) return refuseUpgrade(socket, 401, 'wrong token');
    if (url.pathname === '/rpc') {
      wss.handleUpgrade(req, socket, head, (ws) => serveRpc(ws, options.api, sockets));
      return;
    }
    const consoleId = /^\/console\/([^/]+)$/.exec(url.pathname)?.[1];
    if (consoleId !== undefined) {
      let id: string;
      try {
        id = decodeURIComponent(consoleId);
      } catch {
        return refuseUpgrade(socket, 400, 'bad console id');
      }
      const channel = options.api.takeConsoleChannel(id);
      if (!channel) return refuseUpgrade(socket, 404, 'no such console');
      relayConsole(channel, (accept) => wss.handleUpgrade(req, socket, head, (ws) => {
        sockets.add(ws);
        ws.on('close', () => sockets.delete(ws));
        accept(ws);
      }));
      return;
    }
    refuseUpgrade(socket, 404, 'not found');
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}/#bridge=${token}`,
    port,
    token,
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function refuseHttp(res: ServerResponse, status: number, reason: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${reason}\n`);
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${reason.length + 1}\r\n\r\n${reason}\n`);
}

async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://bridge.invalid').pathname);
  const file = resolve(join(root, pathname === '/' ? 'index.html' : pathname));
  if (file !== root && !file.startsWith(root + sep)) return refuseHttp(res, 403, 'outside the app');
  try {
    if (!(await stat(file)).isFile()) return refuseHttp(res, 404, 'not found');
    const body = await readFile(file);
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': BRIDGE_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    refuseHttp(res, 404, 'not found');
  }
}

function serveRpc(ws: WebSocket, api: DesktopApiImpl, sockets: Set<WebSocket>): void {
  sockets.add(ws);
  const send = (frame: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
  };
  const unsubscribe = api.onEvent((event) => send({ event }));
  ws.on('close', () => {
    sockets.delete(ws);
    unsubscribe();
  });
  ws.on('message', (data, isBinary) => {
    if (isBinary) return send({ id: 0, error: { code: 'invalid-input', message: 'the bridge takes text frames' } });
    const parsed = parseRequest(data.toString());
    if (!parsed.ok) return send({ id: parsed.id ?? 0, error: { code: 'invalid-input', message: parsed.problem } });
    const { id, method, params } = parsed.request;
    const call = api[method] as (...args: unknown[]) => Promise<unknown>;
    Promise.resolve()
      .then(() => call.apply(api, params))
      .then((result) => send({ id, result }), (error: unknown) => send({ id, error: toDesktopError(error) }));
  });
}

/**
 * Relays an opened console to a browser websocket. The websocket is accepted
 * once main's end is open, so the page hears "open" when the console is; when
 * it ends before that, the websocket is accepted and closed at once with the
 * code and reason, which is how a browser gets to see them.
 */
function relayConsole(channel: ConsoleChannel, accept: (onSocket: (ws: WebSocket) => void) => void): void {
  let ws: WebSocket | undefined;
  let accepting = false;
  let ended: { code: number; reason: string } | undefined;
  const pending: (Uint8Array | string)[] = [];
  channel.onOpen(() => {
    if (accepting) return;
    accepting = true;
    accept((socket) => {
      ws = socket;
      for (const chunk of pending.splice(0)) socket.send(chunk);
      if (ended) return closeSocket(socket, ended.code, ended.reason);
      socket.on('message', (data, isBinary) => {
        if (isBinary && !ended) channel.send(new Uint8Array(data as Buffer));
      });
      socket.on('close', (code, reason) => {
        if (!ended) channel.close(code === 1005 ? 1000 : code, reason.toString());
      });
    });
  });
  // Text goes on as text (a browser hands it over as a string), so presence stays apart from the console's bytes.
  const forward = (item: Uint8Array | string) => {
    if (ws) ws.send(item);
    else pending.push(item);
  };
  channel.onText?.(forward);
  channel.onData(forward);
  channel.onClose((code, reason) => {
    ended = { code, reason };
    if (ws) closeSocket(ws, code, reason);
    else if (!accepting) {
      accepting = true;
      accept((socket) => closeSocket(socket, code, reason));
    }
  });
}

/** Only codes a websocket may send go on the wire; anything else ends as 1011 with the reason kept. */
function closeSocket(ws: WebSocket, code: number, reason: string): void {
  const sendable = code === 1000 || (code >= 3000 && code <= 4999) || (code >= 1001 && code <= 1014 && ![1004, 1005, 1006].includes(code));
  ws.close(sendable ? code : 1011, Buffer.byteLength(reason) > 123 ? reason.slice(0, 100) : reason);
}
