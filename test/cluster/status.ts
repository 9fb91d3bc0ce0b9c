import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import { decodeKubernetesProtobuf } from './protobuf.ts';

/** A Kubernetes `metav1.Status` failure, the body of every error the stand-in returns. */
export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string; retryAfterSeconds?: number };
  code: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusBody['details'],
  ) {
    super(message);
  }

  body(): StatusBody {
    return {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason,
      ...(this.details ? { details: this.details } : {}), code: this.code,
    };
  }
}

/** `secrets`, or `virtualmachines.kubevirt.io` for a non-core group, as Kubernetes names resources in messages. */
export function qualifiedResource(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

export const errors = {
  unauthorized: (): ApiError => new ApiError(401, 'Unauthorized', 'Unauthorized'),
  notFound: (resource: string, group: string, name: string): ApiError =>
    new ApiError(404, 'NotFound', `${qualifiedResource(resource, group)} "${name}" not found`, { name, group, kind: resource }),
  alreadyExists: (resource: string, group: string, name: string): ApiError =>
    new ApiError(409, 'AlreadyExists', `${qualifiedResource(resource, group)} "${name}" already exists`, { name, group, kind: resource }),
  conflict: (resource: string, group: string, name: string, why: string): ApiError =>
    new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(resource, group)} "${name}": ${why}`, { name, group, kind: resource }),
  badRequest: (message: string): ApiError => new ApiError(400, 'BadRequest', message),
  invalid: (message: string): ApiError => new ApiError(422, 'Invalid', message),
  methodNotAllowed: (): ApiError => new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'),
  pageNotFound: (): ApiError => new ApiError(404, 'NotFound', 'the server could not find the requested resource'),
  expired: (message: string): ApiError => new ApiError(410, 'Expired', message),
  unsupportedMediaType: (type: string): ApiError => new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/merge-patch+json, application/strategic-merge-patch+json; got ${type}`),
};

export function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

export function sendError(res: ServerResponse, error: ApiError): void {
  sendJson(res, error.code, error.body());
}

/** For upgrade requests, which have no ServerResponse: a complete HTTP response on the raw socket, then close. */
export function writeRawResponse(socket: Duplex, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ''}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(text)}\r\n` +
      'Connection: close\r\n\r\n' +
      text,
  );
}

const MAX_BODY = 8 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ApiError(413, 'RequestEntityTooLarge', 'request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/** The request body as JSON; kubectl's protobuf bodies for built-in kinds are decoded into the same shape. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const type = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim();
  if (type === PROTOBUF) {
    try {
      return decodeKubernetesProtobuf(await readBody(req));
    } catch (e) {
      throw errors.unsupportedMediaType(`${type} (${(e as Error).message})`);
    }
  }
  if (!type.endsWith('json')) throw errors.unsupportedMediaType(type);
  const raw = (await readBody(req)).toString('utf8');
  try {
    return JSON.parse(raw) as unknown;
  } catch (e) {
    throw errors.badRequest(`the request body is not valid JSON: ${(e as Error).message}`);
  }
}
