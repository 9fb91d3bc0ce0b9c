import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import tls, { type SecureContext } from 'node:tls';
import { PooledReader } from './pooled-reader.ts';

export const kubevirtSubprotocol = 'plain.kubevirt.io';
const websocketGuid = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const maxResponseHead = 16 * 1024;
// ALPN `http/1.1` in its wire form (RFC 7301 §3.1), as a DataView: Node copies a
// list of strings or a Uint8Array into a slice of its shared 8 KiB Buffer pool and
// the socket keeps that slice for life, so every few idle consoles pinned a whole
// slab (2 KiB each, measured); a DataView is copied into a buffer of its own.
const alpnHttp11 = new DataView(Uint8Array.from([8, ...Buffer.from('http/1.1')]).buffer);

/** The value a server must answer a websocket key with (RFC 6455 §4.2.2). */
export function websocketAccept(key: string): string {
  return createHash('sha1').update(key + websocketGuid).digest('base64');
}

export interface UpstreamConsoleTarget {
  /** The API server's URL; its path is a prefix of `path`. */
  server: URL;
  /** Path and query on the API server, e.g. `/apis/subresources.kubevirt.io/v1/…/vnc?preserveSession=true`. */
  target: string;
  bearer: string | undefined;
  tls: {
    secureContext?: SecureContext;
    rejectUnauthorized: boolean;
    /** DER of the only certificate the server may present; checked before a byte of the request is sent. */
    pinnedCert?: Buffer;
  };
  timeoutMs: number;
  /** The `Host` header when it is not the server's own (a viewer's request forwarded to another replica). */
  host?: string;
  /** Whole header lines sent as they are, after the websocket's own. */
  headers?: readonly string[];
  /** The `Sec-WebSocket-Protocol` offered, and the one the answer must choose (null: none); the KubeVirt subprotocol by default. */
  subprotocol?: { offer: string | undefined; expect: string | null };
}

export type UpstreamConsole =
  | { open: true; socket: net.Socket; reader: PooledReader; /** Bytes that came right after the 101, in the same read. */ head: Buffer }
  | { open: false; /** The API server's HTTP status when it answered, else why not. */ status?: number; error?: string };

/**
 * Opens a console websocket on the API server over a socket of the gateway's
 * own, so that after the handshake the relay owns the raw stream: no
 * websocket library re-frames it, and the socket reads into pooled buffers.
 * No extension is offered, so frames are never rewritten on the way.
 */
export function openUpstreamConsole(options: UpstreamConsoleTarget): { result: Promise<UpstreamConsole>; abort(): void } {
  const { server } = options;
  const secure = server.protocol === 'https:';
  const host = server.hostname.replace(/^\[|\]$/g, '');
  const port = Number(server.port) || (secure ? 443 : 80);
  const reader = new PooledReader();
  const socket = secure
    // onread works on TLS sockets too (they are stream handles like TCP); @types/node only declares it for net.
    ? tls.connect(<tls.ConnectionOptions & Pick<net.TcpSocketConnectOpts, 'onread'>>{
      host,
      port,
      // SNI carries host names only (RFC 6066 §3); the certificate is still checked against an address.
      ...(net.isIP(host) ? {} : { servername: host }),
      ALPNProtocols: alpnHttp11,
      ...(options.tls.secureContext ? { secureContext: options.tls.secureContext } : {}),
      rejectUnauthorized: options.tls.rejectUnauthorized,
      onread: reader.onread,
    })
    : net.connect({ host, port, onread: reader.onread });
  // RFB input is a stream of small messages: each goes out at once.
  socket.setNoDelay(true);

  const key = randomBytes(16).toString('base64');
  const result = new Promise<UpstreamConsole>((resolve) => {
    let settled = false;
    const settle = (outcome: UpstreamConsole): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeListener('error', onError);
      socket.removeListener('close', onClose);
      if (!outcome.open) {
        socket.destroy();
        reader.dispose();
      }
      resolve(outcome);
    };
    const onError = (err: Error): void => settle({ open: false, error: err.message });
    const onClose = (): void => settle({ open: false, error: 'the API server closed the connection' });
    const timer = setTimeout(() => settle({ open: false, error: 'the API server did not answer in time' }), options.timeoutMs);
    socket.once('error', onError);
    socket.once('close', onClose);
    const offer = options.subprotocol ? options.subprotocol.offer : kubevirtSubprotocol;
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      const pinned = options.tls.pinnedCert;
      if (pinned && !(socket as tls.TLSSocket).getPeerCertificate().raw?.equals(pinned)) {
        settle({ open: false, error: 'the server presented a certificate other than the expected one' });
        return;
      }
      socket.write([
        `GET ${options.target} HTTP/1.1`,
        `Host: ${options.host ?? server.host}`,
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        `Sec-WebSocket-Key: ${key}`,
        ...(offer ? [`Sec-WebSocket-Protocol: ${offer}`] : []),
        ...(options.bearer ? [`Authorization: Bearer ${options.bearer}`] : []),
        ...(options.headers ?? []),
        '', '',
      ].join('\r\n'));
    });

    let received = Buffer.alloc(0);
    reader.onData = (chunk) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) {
        if (received.length > maxResponseHead) settle({ open: false, error: 'the API server sent an oversized answer' });
        return true;
      }
      const answer = parseResponseHead(received.subarray(0, end).toString('latin1'));
      if (answer.status !== 101) {
        settle({ open: false, status: answer.status });
        return false;
      }
      const problem = handshakeProblem(answer.headers, websocketAccept(key), options.subprotocol?.expect);
      if (problem) {
        settle({ open: false, error: problem });
        return false;
      }
      // Nothing more is read until the relay takes over; what already came is handed to it.
      reader.onData = () => false;
      settle({ open: true, socket, reader, head: Buffer.from(received.subarray(end + 4)) });
      return false;
    };
  });
  return { result, abort: () => socket.destroy() };
}

function parseResponseHead(head: string): { status: number; headers: Map<string, string> } {
  const [statusLine = '', ...lines] = head.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status: status ? Number(status) : 502, headers };
}

/** `expected`: the one subprotocol the answer must choose (null: none); absent, KubeVirt's or none. */
function handshakeProblem(headers: Map<string, string>, expectedAccept: string, expected?: string | null): string | undefined {
  if (headers.get('upgrade')?.toLowerCase() !== 'websocket') return 'the server did not upgrade to a websocket';
  if (headers.get('sec-websocket-accept') !== expectedAccept) return 'the server answered the websocket key wrongly';
  if (headers.has('sec-websocket-extensions')) return 'the server chose a websocket extension that was not offered';
  const protocol = headers.get('sec-websocket-protocol');
  const fits = expected === undefined ? protocol === undefined || protocol === kubevirtSubprotocol : (protocol ?? null) === expected;
  if (!fits) return 'the server chose a subprotocol other than the one expected';
  return undefined;
}
