import type { IncomingMessage, ServerResponse } from 'node:http';

/** Headers every gateway response carries: nothing it serves may be cached or leak a referrer. */
export const baseHeaders: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

export const pageCsp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const statusText: Record<number, string> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed',
  413: 'RequestEntityTooLarge', 429: 'TooManyRequests', 431: 'RequestHeaderFieldsTooLarge', 500: 'InternalError', 502: 'BadGateway',
  503: 'ServiceUnavailable', 504: 'GatewayTimeout',
};

/** kube-gateway's error body: `{"api":"kube-gateway/proxy","code":403,"kind":"Error","message":…,"status":"Forbidden"}`. */
export function sendError(res: ServerResponse, code: number, message: string): void {
  sendJson(res, code, { api: 'kube-gateway/proxy', code, kind: 'Error', message, status: statusText[code] ?? 'Error' });
}

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { ...baseHeaders, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendHtml(res: ServerResponse, code: number, html: string, headers: Record<string, string> = {}): void {
  res.writeHead(code, { ...baseHeaders, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': pageCsp, 'content-length': Buffer.byteLength(html), ...headers });
  res.end(html);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export class BodyTooLargeError extends Error {}

/** Reads a request body up to `limit` bytes; larger bodies are refused, not truncated. */
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError(`request body larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
