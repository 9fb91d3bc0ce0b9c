import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

export interface UpstreamOptions {
  /** `https://kubernetes.default.svc` or, in tests, `http://…`. */
  apiServer: string;
  /** PEM of the CA that signed the API server's certificate; undefined = system CAs. */
  caPem?: string;
  skipVerifyTls: boolean;
  /** The service-account token file; projected tokens rotate, so it is re-read when it changes. */
  bearerTokenFile?: string;
}

export interface Upstream {
  readonly url: URL;
  readonly agent: http.Agent;
  /** TLS options for a websocket client to the API server (ws takes them directly). */
  readonly tls: { ca?: string; rejectUnauthorized: boolean };
  /** The service account's bearer token, current as of this call. */
  bearerToken(): string | undefined;
  request(options: http.RequestOptions): http.ClientRequest;
}

/** A file read again only when its modification time or size changes. */
function watchedFile(path: string): () => string {
  let stamp = '';
  let value = '';
  return () => {
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
  // Keep-alive: every proxied request and watch reuses connections to the API server.
  const agent = secure
    ? new https.Agent({ keepAlive: true, maxSockets: 256, ...tls })
    : new http.Agent({ keepAlive: true, maxSockets: 256 });
  const token = options.bearerTokenFile ? watchedFile(options.bearerTokenFile) : undefined;
  const bearerToken = (): string | undefined => {
    if (!token) return undefined;
    try {
      return token();
    } catch {
      return undefined;
    }
  };
  return {
    url,
    agent,
    tls,
    bearerToken,
    request(requestOptions) {
      const transport = secure ? https : http;
      return transport.request({
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port || (secure ? 443 : 80),
        agent,
        ...requestOptions,
      });
    },
  };
}
