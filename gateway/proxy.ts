import type { IncomingMessage, ServerResponse, IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { Upstream } from './upstream.ts';
import { sendError } from './http-util.ts';

/**
 * Request headers that may travel to the API server. Everything else stays
 * behind: the client's credentials (Authorization, cookies), impersonation,
 * method overrides and hop-by-hop headers.
 */
const forwardedRequestHeaders = new Set([
  'accept', 'accept-encoding', 'accept-language', 'content-type', 'content-length', 'content-encoding',
  'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since', 'user-agent', 'x-request-id',
]);

const droppedResponseHeaders = new Set([
  'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'set-cookie',
]);

export function forwardHeaders(headers: IncomingHttpHeaders, bearer: string | undefined): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && forwardedRequestHeaders.has(name)) out[name] = value;
  }
  if (bearer) out.authorization = `Bearer ${bearer}`;
  return out;
}

/**
 * What the API server answered, made safe to serve from the gateway's origin:
 * a proxied page (a service proxy, a log) must not run script there, where it
 * could open consoles with the browser's console cookies, nor be read by other
 * sites through CORS.
 */
export function responseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !droppedResponseHeaders.has(name) && !name.startsWith('access-control-')) out[name] = value;
  }
  out['content-security-policy'] = "sandbox; default-src 'none'";
  out['x-content-type-options'] = 'nosniff';
  out['cache-control'] = 'no-store';
  out['referrer-policy'] = 'no-referrer';
  return out;
}

/** Watches and log follows stream for as long as they last; everything else must answer in time. */
export function isStreaming(path: string, query: string): boolean {
  return /(^|&)(watch|follow)=(true|1)(&|$)/.test(query) || path.includes('/watch/');
}

export interface ProxyTimeouts {
  connectMs: number;
  responseMs: number;
}

export interface ProxyResult {
  status: number;
  upstreamMs?: number;
}

/** Forwards one authorized request to `upstreamPath?query` and streams the answer back. */
export function forward(
  upstream: Upstream,
  req: IncomingMessage,
  res: ServerResponse,
  upstreamPath: string,
  query: string,
  timeouts: ProxyTimeouts,
  /** The upstream bearer: the gateway's service account, or with OAuth the signed-in user's own token. */
  bearer: string | undefined,
): Promise<ProxyResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const base = upstream.url.pathname.replace(/\/$/, '');
    const outgoing = upstream.request({
      method: req.method,
      path: `${base}${upstreamPath}${query ? `?${query}` : ''}`,
      headers: forwardHeaders(req.headers, bearer),
    });
    let answered = false;
    const fail = (code: number, message: string): void => {
      if (answered) return;
      answered = true;
      outgoing.destroy();
      if (!res.headersSent) sendError(res, code, message);
      else res.destroy();
      resolve({ status: code });
    };
    const connectTimer = setTimeout(() => fail(502, 'the Kubernetes API server could not be reached in time'), timeouts.connectMs);
    const responseTimer = isStreaming(upstreamPath, query)
      ? undefined
      : setTimeout(() => fail(504, 'the Kubernetes API server did not answer in time'), timeouts.responseMs);
    outgoing.on('socket', (socket) => {
      if (!socket.connecting) clearTimeout(connectTimer);
      else socket.once('connect', () => clearTimeout(connectTimer));
    });
    outgoing.on('error', (err) => fail(502, `the Kubernetes API server is unreachable (${(err as NodeJS.ErrnoException).code ?? err.message})`));
    outgoing.on('response', (upstreamRes) => {
      clearTimeout(connectTimer);
      clearTimeout(responseTimer);
      if (answered) {
        upstreamRes.resume();
        return;
      }
      answered = true;
      const status = upstreamRes.statusCode ?? 502;
      res.writeHead(status, responseHeaders(upstreamRes.headers));
      upstreamRes.pipe(res);
      res.on('close', () => upstreamRes.destroy());
      resolve({ status, upstreamMs: performance.now() - started });
    });
    req.on('aborted', () => outgoing.destroy());
    req.pipe(outgoing);
  });
}
