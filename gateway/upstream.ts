import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createSecureContext, type SecureContext } from 'node:tls';
import { Pool, type Dispatcher } from 'undici';

export interface UpstreamOptions {
  /** `https://kubernetes.default.svc` or, in tests, `http://…`. */
  apiServer: string;
  /** PEM of the CA that signed the API server's certificate; undefined = system CAs. */
  caPem?: string;
  skipVerifyTls: boolean;
  /** The service-account token file; projected tokens rotate, so it is re-read when it changes. */
  bearerTokenFile?: string;
  /** How long a new connection for proxied requests may take; 5 s by default. */
  connectTimeoutMs?: number;
}

export interface ApiAnswer {
  status: number;
  body: string;
}

export interface ApiCall {
  method: string;
  /** Path on the API server (its URL's own path prefix is added). */
  path: string;
  /** Whose token: the service account's by default, a caller's own, or none (`null`) for public endpoints. */
  bearer?: string | null;
  /** Sent as JSON. */
  body?: unknown;
  /** The body's media type when it is a JSON patch flavour; `application/json` by default. */
  contentType?: string;
  timeoutMs?: number;
}

/** Reads a small response whole: JSON answers from the API server or an OAuth server. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export interface Upstream {
  readonly url: URL;
  /** The API server URL's own path, without a trailing slash: every request path goes after it. */
  readonly pathPrefix: string;
  readonly agent: http.Agent;
  readonly controlAgent: http.Agent;
  /** TLS settings for other clients of the API server's CA (the OAuth token exchange). */
  readonly tls: { ca?: string; rejectUnauthorized: boolean };
  /**
   * TLS options for console websockets to the API server: one secure context
   * shared by all of them, since building one per console (parsing the CA each
   * time) cost CPU on every open and memory for every console held.
   */
  readonly websocketTls: { secureContext?: SecureContext; rejectUnauthorized: boolean };
  /** The service account's bearer token, current as of this call. */
  bearerToken(): string | undefined;
  /**
   * Clients' proxied requests: undici's pool of keep-alive connections, which
   * costs far less CPU per request than node's http client on the same sockets.
   */
  readonly pool: Dispatcher;
  /** A request on the agent for the gateway's other clients of the API (the GateToken controller). */
  request(options: http.RequestOptions): http.ClientRequest;
  /**
   * The gateway's own requests (its key, its revocation list, use counters) on an
   * agent of their own, so clients holding every proxy connection open cannot
   * stall a key rotation or a revocation.
   */
  controlRequest(options: http.RequestOptions): http.ClientRequest;
  /** One of the gateway's own requests with a small JSON answer, read whole. */
  call(call: ApiCall): Promise<ApiAnswer>;
}

/**
 * A file read again only when its modification time or size changes, and
 * looked at no more than once a second: it sits on every proxied request.
 */
function watchedFile(path: string, recheckMs = 1000): () => string {
  let stamp = '';
  let value = '';
  let checkedAt = -Infinity;
  return () => {
    const now = performance.now();
    if (now - checkedAt < recheckMs) return value;
    checkedAt = now;
    const st = statSync(path);
    const next = `${st.mtimeMs}:${st.size}:${st.ino}`;
    if (next !== stamp) {
      value = readFileSync(path, 'utf8').trim();
      stamp = next;
    }
    return value;
  };
}

export function createUpstream(options: UpstreamOptions): Upstream {
  const url = new URL(options.apiServer);
  const secure = url.protocol === 'https:';
  const tls = { ...(options.caPem ? { ca: options.caPem } : {}), rejectUnauthorized: !options.skipVerifyTls };
  // Keep-alive: the gateway's own requests and the GateToken controller's reuse connections to the API server.
  const newAgent = (maxSockets: number) => (secure ? new https.Agent({ keepAlive: true, maxSockets, ...tls }) : new http.Agent({ keepAlive: true, maxSockets }));
  const agent = newAgent(256);
  const controlAgent = newAgent(16);
  const token = options.bearerTokenFile ? watchedFile(options.bearerTokenFile) : undefined;
  const bearerToken = (): string | undefined => {
    if (!token) return undefined;
    try {
      return token();
    } catch {
      return undefined;
    }
  };
  const requestWith = (via: http.Agent) => (requestOptions: http.RequestOptions): http.ClientRequest =>
    (secure ? https : http).request({
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port || (secure ? 443 : 80),
      agent: via,
      ...requestOptions,
    });
  const request = requestWith(agent);
  const controlRequest = requestWith(controlAgent);
  const prefix = url.pathname.replace(/\/$/, '');
  // One secure context for every connection made here: parsing the CA per connection costs CPU and memory.
  const websocketTls = {
    ...(secure && options.caPem ? { secureContext: createSecureContext({ ca: options.caPem }) } : {}),
    rejectUnauthorized: !options.skipVerifyTls,
  };
  const pool = new Pool(url.origin, {
    connections: 256,
    connect: { ...websocketTls, timeout: options.connectTimeoutMs ?? 5_000 },
  });
  return {
    url,
    pathPrefix: prefix,
    agent,
    pool,
    controlAgent,
    tls,
    websocketTls,
    bearerToken,
    request,
    controlRequest,
    call({ method, path, bearer, body, contentType = 'application/json', timeoutMs = 10_000 }) {
      const token = bearer === null ? undefined : bearer ?? bearerToken();
      const payload = body === undefined ? undefined : JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const req = controlRequest({
          method,
          path: `${prefix}${path}`,
          headers: {
            accept: 'application/json',
            ...(payload ? { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) } : {}),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        });
        req.setTimeout(timeoutMs, () => req.destroy(new Error('the API server did not answer in time')));
        req.on('error', reject);
        req.on('response', (res) => {
          readAll(res).then((text) => resolve({ status: res.statusCode ?? 502, body: text }), reject);
        });
        req.end(payload);
      });
    },
  };
}
