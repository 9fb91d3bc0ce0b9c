// A few JSON calls to the Kubernetes API with the controller's own service
// account, over the gateway's upstream connection (CA, token re-read on
// rotation, keep-alive).

import type { IncomingMessage } from 'node:http';
import type { Upstream } from '../upstream.ts';

export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  constructor(readonly status: number, readonly reason: string, message: string) {
    super(message);
  }
}

export interface KubeClient {
  /** Parsed JSON of a 2xx answer; KubeApiError with the API server's Status message otherwise. */
  request<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T>;
  /** The open response of a watch (newline-delimited JSON); KubeApiError unless 200. */
  stream(path: string, signal: AbortSignal): Promise<IncomingMessage>;
}

async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function apiError(status: number, text: string, what: string): KubeApiError {
  try {
    const body = JSON.parse(text) as { reason?: string; message?: string };
    return new KubeApiError(status, body.reason ?? '', body.message ?? `${what} answered ${status}`);
  } catch {
    return new KubeApiError(status, '', `${what} answered ${status}: ${text.slice(0, 200)}`);
  }
}

export function createKubeClient(upstream: Upstream): KubeClient {
  const base = upstream.url.pathname.replace(/\/$/, '');
  const send = (method: string, path: string, body: string | undefined, signal?: AbortSignal): Promise<IncomingMessage> =>
    new Promise((resolve, reject) => {
      const bearer = upstream.bearerToken();
      const req = upstream.request({
        method,
        path: `${base}${path}`,
        headers: {
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        },
        ...(signal ? { signal } : {}),
      });
      req.on('response', resolve);
      req.on('error', reject);
      req.end(body);
    });

  return {
    async request<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
      const res = await send(method, path, body === undefined ? undefined : JSON.stringify(body));
      const text = await readBody(res);
      const status = res.statusCode ?? 0;
      if (status < 200 || status >= 300) throw apiError(status, text, `${method} ${path}`);
      return JSON.parse(text) as T;
    },
    async stream(path: string, signal: AbortSignal): Promise<IncomingMessage> {
      const res = await send('GET', path, undefined, signal);
      if (res.statusCode !== 200) throw apiError(res.statusCode ?? 0, await readBody(res), `GET ${path}`);
      return res;
    },
  };
}
