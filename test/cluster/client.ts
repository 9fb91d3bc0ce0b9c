import { request } from 'node:https';
import type { ClusterHandle } from './server.ts';

export interface ClusterResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed body; undefined when it is not JSON. */
  json: unknown;
}

export interface ClusterRequest {
  /** A context from the kubeconfig; its token or client certificate is used. Anonymous when absent. */
  context?: string;
  /** Overrides the context's credentials. */
  token?: string;
  method?: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One HTTPS request to the stand-in as one of its kubeconfig identities, for tests. */
export function clusterRequest(cluster: Pick<ClusterHandle, 'server' | 'caPem' | 'credentials'>, r: ClusterRequest): Promise<ClusterResponse> {
  const creds = r.context !== undefined ? cluster.credentials[r.context] : undefined;
  if (r.context !== undefined && !creds) throw new Error(`no context ${r.context} in the cluster's kubeconfig`);
  const token = r.token ?? creds?.token;
  const headers: Record<string, string> = { Accept: 'application/json', ...r.headers };
  if (token !== undefined) headers['Authorization'] = `Bearer ${token}`;
  const payload = r.body === undefined ? undefined : typeof r.body === 'string' ? r.body : JSON.stringify(r.body);
  if (payload !== undefined) headers['Content-Type'] ??= 'application/json';
  const url = new URL(r.path, cluster.server);
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: r.method ?? 'GET',
      headers,
      ca: cluster.caPem,
      ...(creds?.clientCertificate && r.token === undefined ? { cert: creds.clientCertificate.certPem, key: creds.clientCertificate.keyPem } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}
