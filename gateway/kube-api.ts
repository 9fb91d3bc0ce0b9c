// A minimal JSON client for the few Kubernetes calls `gatepass-gateway keys` makes,
// authenticated either like the gateway (service-account token file) or from a
// kubeconfig (bearer token or client certificate).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';

export interface KubeConnection {
  server: URL;
  /** PEM; undefined: the system CAs. */
  caPem?: string;
  skipVerifyTls?: boolean;
  /** Read at every request: projected tokens rotate. */
  token?: () => string | undefined;
  clientCertificate?: { certPem: string; keyPem: string };
}

export interface KubeAnswer {
  status: number;
  body: unknown;
}

export interface KubeApi {
  readonly server: string;
  call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<KubeAnswer>;
}

export function tokenFromFile(path: string): () => string | undefined {
  return () => readFileSync(path, 'utf8').trim() || undefined;
}

export function createKubeApi(connection: KubeConnection): KubeApi {
  const secure = connection.server.protocol === 'https:';
  const base = connection.server.pathname.replace(/\/$/, '');
  return {
    server: connection.server.href,
    call(method, path, body) {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const token = connection.token?.();
      const options: https.RequestOptions = {
        method,
        protocol: connection.server.protocol,
        hostname: connection.server.hostname.replace(/^\[|\]$/g, ''),
        port: connection.server.port || (secure ? 443 : 80),
        path: `${base}${path}`,
        headers: {
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(secure
          ? {
              rejectUnauthorized: !connection.skipVerifyTls,
              ...(connection.caPem ? { ca: connection.caPem } : {}),
              ...(connection.clientCertificate ? { cert: connection.clientCertificate.certPem, key: connection.clientCertificate.keyPem } : {}),
            }
          : {}),
      };
      return new Promise((resolve, reject) => {
        const req = (secure ? https : http).request(options, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // Not JSON (a proxy's error page, say): keep the text for the message.
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        });
        req.setTimeout(15_000, () => req.destroy(new Error(`no answer from ${connection.server.host} within 15 s`)));
        req.on('error', reject);
        req.end(payload);
      });
    },
  };
}

/** The API server's own words for a failed call, e.g. `secrets "x" is forbidden: …`. */
export function describeFailure(answer: KubeAnswer): string {
  const message = (answer.body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? `HTTP ${answer.status}: ${message}` : `HTTP ${answer.status}`;
}
