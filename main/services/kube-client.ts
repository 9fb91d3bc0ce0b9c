// One context's connection to its API server: credentials and TLS from the
// kubeconfig (client-node applies exec, OIDC, tokens and certificates), the
// proxy from connections.ts, and Kubernetes Status errors turned into
// DesktopErrors that say what the person may not do.
import http from 'node:http';
import https from 'node:https';
import { KubeConfig, type User } from '@kubernetes/client-node';
import WebSocket from 'ws';
import type { DesktopError } from '../../shared/desktop-api.ts';
import { agentFor } from './connections.ts';
import { DesktopFailure, networkError } from './errors.ts';
import type { ContextEntry } from './kubeconfig.ts';
import { mergePaths, type ResolveLoginPath } from './login-path.ts';

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KubeObject;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; creationTimestamp?: string; labels?: Record<string, string>; annotations?: Record<string, string>; uid?: string };
  [key: string]: unknown;
}

export interface KubeClient {
  readonly context: string;
  readonly server: string;
  readonly namespace: string | undefined;
  /** A JSON request; non-2xx answers throw a DesktopFailure. */
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** A request whose body is returned as bytes, whatever the status. */
  requestBytes(method: string, path: string, accept?: string): Promise<{ status: number; body: Buffer; contentType: string }>;
  /** Streams watch events until the server ends the watch (resolves), the signal aborts (resolves) or it fails (rejects). */
  watch(path: string, onEvent: (event: WatchEvent) => void, signal: AbortSignal, onOpen?: () => void): Promise<void>;
  /** An open websocket to the API server with the context's credentials, paused: resume() once listening. */
  openWebSocket(path: string, protocols: string[]): Promise<WebSocket>;
}

export interface KubeClientOptions {
  env: NodeJS.ProcessEnv;
  loginPath?: ResolveLoginPath;
  timeoutMs?: number;
}

/** Exec plugins run with the login shell's PATH (see login-path.ts) unless the kubeconfig sets PATH itself. */
async function withLoginPath(user: User, options: KubeClientOptions): Promise<User> {
  const exec = (user.exec ?? undefined) as { env?: { name: string; value: string }[] } | undefined;
  if (!exec || !options.loginPath || exec.env?.some((e) => e.name === 'PATH')) return user;
  const path = mergePaths(await options.loginPath(), options.env.PATH);
  if (path === undefined) return user;
  return { ...user, exec: { ...exec, env: [...(exec.env ?? []), { name: 'PATH', value: path }] } };
}

interface StatusBody {
  kind?: string;
  message?: string;
  reason?: string;
  code?: number;
}

/** A Kubernetes answer that is not 2xx, in words. */
export function statusError(status: number, body: string, context: string): DesktopFailure {
  let message = body.trim().slice(0, 500);
  try {
    const parsed = JSON.parse(body) as StatusBody;
    if (typeof parsed.message === 'string' && parsed.message !== '') message = parsed.message;
  } catch {
    // not a Status object: keep the text
  }
  const detail = message === '' ? `HTTP ${status}` : message;
  const code: DesktopError['code'] =
    status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : status === 404 ? 'not-found' : status === 400 || status === 422 ? 'invalid-input' : status >= 500 ? 'unreachable' : 'internal';
  const text = status === 401 ? `the cluster of context "${context}" did not accept its credentials (expired or revoked?): ${detail}` : detail;
  const failure = new DesktopFailure(code, text, context);
  (failure as { status?: number }).status = status;
  return failure;
}

export function httpStatusOf(error: unknown): number | undefined {
  return (error as { status?: number } | undefined)?.status;
}

export function createKubeClient(entry: ContextEntry, options: KubeClientOptions): KubeClient {
  const { name } = entry;
  const cluster = entry.cluster;
  const user = entry.user;
  if (!cluster || !user || !entry.context) throw new DesktopFailure('kubeconfig', entry.error?.message ?? `context "${name}" is incomplete`, name);
  const server = cluster.server.replace(/\/$/, '');
  const base = new URL(server);
  const secure = base.protocol === 'https:';
  const timeoutMs = options.timeoutMs ?? 15_000;
  let kubeConfig: Promise<KubeConfig> | undefined;

  const config = () =>
    (kubeConfig ??= withLoginPath(user, options).then((resolvedUser) => {
      const kc = new KubeConfig();
      kc.loadFromOptions({ clusters: [cluster], users: [resolvedUser], contexts: [{ ...entry.context, name }], currentContext: name });
      return kc;
    }));

  const connection = async (target: URL): Promise<https.RequestOptions> => {
    const opts: https.RequestOptions = {};
    try {
      await (await config()).applyToHTTPSOptions(opts);
    } catch (error) {
      throw new DesktopFailure('unauthorized', `cannot get credentials for context "${name}": ${(error as Error).message.trim()}`, name);
    }
    delete opts.agent;
    const agent = agentFor(target, options.env, cluster.proxyUrl);
    if (agent) opts.agent = agent;
    return opts;
  };

  const urlOf = (path: string) => new URL(`${server}${path}`);

  const send = async (method: string, path: string, body: unknown, accept: string, stream?: (res: http.IncomingMessage) => void): Promise<{ status: number; body: Buffer; contentType: string }> => {
    const url = urlOf(path);
    const opts = await connection(url);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: http.OutgoingHttpHeaders = { ...(opts.headers as http.OutgoingHttpHeaders | undefined), accept };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(url, { ...opts, method, headers, timeout: stream ? 0 : timeoutMs }, (res) => {
        if (stream && res.statusCode === 200) {
          stream(res);
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), contentType: String(res.headers['content-type'] ?? '') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })));
      req.on('error', (error) => reject(networkFailure(error)));
      req.end(payload);
    });
  };

  const networkFailure = (error: unknown): unknown => {
    const described = networkError(error, name, `the API server of context "${name}" (${server})`);
    return described ? new DesktopFailure(described.code, described.message, name) : error;
  };

  return {
    context: name,
    server,
    namespace: entry.context.namespace,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await send(method, path, body, 'application/json');
      const text = res.body.toString('utf8');
      if (res.status < 200 || res.status >= 300) throw statusError(res.status, text, name);
      return (text === '' ? undefined : JSON.parse(text)) as T;
    },
    requestBytes: (method, path, accept = '*/*') => send(method, path, undefined, accept),
    watch(path, onEvent, signal, onOpen) {
      return new Promise<void>((resolve, reject) => {
        if (signal.aborted) return resolve();
        const finish = (error?: unknown) => (error === undefined || signal.aborted ? resolve() : reject(error));
        send('GET', path, undefined, 'application/json', (res) => {
          signal.addEventListener('abort', () => res.destroy(), { once: true });
          onOpen?.();
          let pending = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            pending += chunk;
            let newline: number;
            while ((newline = pending.indexOf('\n')) !== -1) {
              const line = pending.slice(0, newline).trim();
              pending = pending.slice(newline + 1);
              if (line === '') continue;
              try {
                onEvent(JSON.parse(line) as WatchEvent);
              } catch (error) {
                res.destroy();
                finish(error);
                return;
              }
            }
          });
          res.on('end', () => finish());
          res.on('close', () => finish());
          res.on('error', (error) => finish(networkFailure(error)));
        }).then(
          (res) => finish(statusError(res.status, res.body.toString('utf8'), name)),
          (error: unknown) => finish(error),
        );
      });
    },
    async openWebSocket(path, protocols) {
      const url = urlOf(path);
      const opts = await connection(url);
      url.protocol = secure ? 'wss:' : 'ws:';
      const { headers, agent, ...tls } = opts;
      const socket = new WebSocket(url, protocols, { ...tls, headers: headers as Record<string, string>, ...(agent ? { agent } : {}), handshakeTimeout: timeoutMs });
      return new Promise<WebSocket>((resolve, reject) => {
        // Paused until the caller has its listeners on: the VNC server speaks first, often in the same packet as the handshake.
        socket.once('open', () => {
          socket.pause();
          resolve(socket);
        });
        socket.once('unexpected-response', (_req, res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => reject(statusError(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), name)));
          res.on('error', () => reject(statusError(res.statusCode ?? 0, '', name)));
        });
        socket.once('error', (error) => reject(networkFailure(error)));
      });
    },
  };
}
