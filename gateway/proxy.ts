import type { IncomingMessage, ServerResponse, IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
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

export function forwardHeaders(headers: IncomingHttpHeaders, bearer: string | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && forwardedRequestHeaders.has(name)) out[name] = value;
  }
  if (bearer) out.authorization = `Bearer ${bearer}`;
  return out;
}

/**
 * What the API server answered, made safe to serve from the gateway's origin:
 * a proxied page (a service proxy, a log) must not run script there, where it
 * could open consoles with the browser's console cookies, nor be read by other
 * sites through CORS. A flat list of names and values, as `writeHead` takes it.
 */
export function responseHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): string[] {
  const out: string[] = [];
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || droppedResponseHeaders.has(name) || name.startsWith('access-control-') || ownResponseHeaders.has(name)) continue;
    out.push(name, typeof value === 'string' ? value : oneValue(name, value));
  }
  out.push(...ownResponseHeaderList);
  return out;
}

const ownResponseHeaderList = [
  'content-security-policy', "sandbox; default-src 'none'",
  'x-content-type-options', 'nosniff',
  'cache-control', 'no-store',
  'referrer-policy', 'no-referrer',
];
/**
 * A repeated header as node's own http client reads it, so the client sees
 * one value: the first for fields that may appear once, else all joined.
 */
function oneValue(name: string, values: readonly string[]): string {
  return singleValuedHeaders.has(name) ? values[0] ?? '' : values.join(', ');
}

const singleValuedHeaders = new Set([
  'age', 'authorization', 'content-length', 'content-type', 'etag', 'expires', 'from', 'host', 'if-modified-since',
  'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'proxy-authorization', 'referer', 'retry-after', 'server', 'user-agent',
]);

/** The gateway's own say replaces the API server's on these. */
const ownResponseHeaders = new Set(ownResponseHeaderList.filter((_, i) => i % 2 === 0));

/** Watches and log follows stream for as long as they last; everything else must answer in time. */
export function isStreaming(path: string, query: string): boolean {
  return /(^|&)(watch|follow)=(true|1)(&|$)/.test(query) || path.includes('/watch/');
}

export interface ProxyResult {
  status: number;
  upstreamMs?: number;
}

function failure(err: Error & { code?: string }): { code: number; message: string } {
  if (err.code === 'UND_ERR_CONNECT_TIMEOUT') return { code: 502, message: 'the Kubernetes API server could not be reached in time' };
  if (err.code === 'UND_ERR_HEADERS_TIMEOUT') return { code: 504, message: 'the Kubernetes API server did not answer in time' };
  return { code: 502, message: `the Kubernetes API server is unreachable (${err.code ?? err.message})` };
}

/**
 * Carries one upstream answer to the client as it arrives: headers once they
 * are in, the body chunk by chunk, pausing the upstream while the client is
 * slow, and ending the upstream request when the client goes away.
 */
class Relay implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined;
  #answered = false;
  #ended = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly started: number,
    private readonly settle: (result: ProxyResult) => void,
  ) {
    res.once('close', () => {
      if (!this.#ended) this.#controller?.abort(new Error('the client went away'));
    });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.res.destroyed) controller.abort(new Error('the client went away'));
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number, headers: Record<string, string | string[]>): void {
    // 1xx answers are the API server's business with the gateway, not the client's.
    if (status < 200 || this.#answered) return;
    this.#answered = true;
    this.res.writeHead(status, responseHeaders(headers));
    this.settle({ status, upstreamMs: performance.now() - this.started });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.res.destroyed) return;
    if (!this.res.write(chunk)) {
      controller.pause();
      this.res.once('drain', () => controller.resume());
    }
  }

  onResponseEnd(): void {
    this.#ended = true;
    this.res.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.#ended = true;
    if (this.#answered) {
      this.res.destroy();
      return;
    }
    this.#answered = true;
    const { code, message } = failure(err);
    if (!this.res.headersSent) sendError(this.res, code, message);
    else this.res.destroy();
    this.settle({ status: code });
  }
}

/** Forwards one authorized request to `upstreamPath?query` and streams the answer back. */
export function forward(
  upstream: Upstream,
  req: IncomingMessage,
  res: ServerResponse,
  upstreamPath: string,
  query: string,
  /** How long the API server may take to answer a request that is not a stream. */
  responseTimeoutMs: number,
  /** The upstream bearer: the gateway's service account, or with OAuth the signed-in user's own token. */
  bearer: string | undefined,
): Promise<ProxyResult> {
  const started = performance.now();
  const headers = forwardHeaders(req.headers, bearer);
  // Only a request that announces a body has one; a GET is sent without waiting for its (empty) stream to end.
  const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  return new Promise((resolve) => {
    upstream.pool.dispatch(
      {
        method: req.method ?? 'GET',
        path: `${upstream.pathPrefix}${upstreamPath}${query ? `?${query}` : ''}`,
        headers,
        body: hasBody ? req : null,
        // A watch or a followed log may be silent for as long as it lasts.
        headersTimeout: isStreaming(upstreamPath, query) ? 0 : responseTimeoutMs,
        bodyTimeout: 0,
      },
      new Relay(res, started, resolve),
    );
  });
}
