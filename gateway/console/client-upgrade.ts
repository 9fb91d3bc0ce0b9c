import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { offeredSubprotocols } from '../token-sources.ts';
import { encodeFrame, Opcode, closePayload } from './frames.ts';
import { kubevirtSubprotocol, websocketAccept } from './upstream-console.ts';

/**
 * The subprotocol a console is answered with: `plain.kubevirt.io` or `binary`
 * when offered, none when the client offered none (kube-gateway's own
 * `vnc_lite.html` creates noVNC without one, and KubeVirt accepts that).
 * Undefined when the client offered only others: a browser that offered
 * subprotocols fails a handshake that picks none. The bearer subprotocol is a
 * token and is never echoed.
 */
export function consoleSubprotocol(req: IncomingMessage): string | null | undefined {
  const offered = offeredSubprotocols(req);
  if (offered.length === 0) return null;
  if (offered.includes(kubevirtSubprotocol)) return kubevirtSubprotocol;
  if (offered.includes('binary')) return 'binary';
  return undefined;
}

/** Why a request cannot be answered as a websocket (RFC 6455 §4.2.1), or undefined. */
export function upgradeProblem(req: IncomingMessage): string | undefined {
  if (req.method !== 'GET') return 'a websocket opens with GET';
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return 'not a websocket upgrade';
  const version = req.headers['sec-websocket-version'];
  if (version !== '13' && version !== '8') return 'unsupported websocket version';
  if (!/^[+/0-9A-Za-z]{22}==$/.test(req.headers['sec-websocket-key'] ?? '')) return 'missing or malformed Sec-WebSocket-Key';
  return undefined;
}

/** Answers the client's upgrade: 101, the chosen subprotocol, no extension. */
export function acceptUpgrade(req: IncomingMessage, socket: Duplex, protocol: string | null): void {
  socket.write([
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${websocketAccept(req.headers['sec-websocket-key'] ?? '')}`,
    ...(protocol ? [`Sec-WebSocket-Protocol: ${protocol}`] : []),
    '', '',
  ].join('\r\n'));
}

/**
 * Accepts the websocket only to close it at once with a code and a reason, since
 * a browser sees nothing but 1006 when a handshake fails. A request that is no
 * websocket at all gets a plain 400.
 */
export function refuseConsole(req: IncomingMessage, socket: Duplex, code: number, reason: string): void {
  const problem = upgradeProblem(req);
  if (problem) {
    socket.end(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(problem)}\r\n\r\n${problem}`);
    return;
  }
  acceptUpgrade(req, socket, consoleSubprotocol(req) ?? null);
  socket.end(encodeFrame(Opcode.close, closePayload(code, reason), false));
  // A client that never answers the close still lets go of the socket.
  setTimeout(() => socket.destroy(), 5000).unref();
}
