import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import send from 'send';
import { createAuthRoutes } from './auth-routes.ts';
import type { TokenClaims } from '../shared/claims.ts';
import { auditReasons } from '../shared/console-audit.ts';
import { parseConsolePath, type ConsoleKind } from '../shared/kubevirt-paths.ts';
import type { ConsoleAudit, ConsoleAuditFact } from './console-audit-events.ts';
import { authorizeRequest, type Authorized, type TokenCheck } from './authorize.ts';
import { closeCodes, refusalCode } from './console/close-codes.ts';
import { ConsoleProxy, consoleClientProblem } from './console/console-proxy.ts';
import { consoleQuery } from './console/console-query.ts';
import { ConsoleForwarder, isForwardedRequest } from './console/forward-console.ts';
import type { ConsoleLeaseApi } from './console/console-lease.ts';
import { ConsoleRegistry, type SharedConsoleOutcome } from './console/console-registry.ts';
import { presenceName } from './console/presence-roster.ts';
import { serialEngine } from './console/serial-consoles.ts';
import { vncEngine } from './console/vnc-consoles.ts';
import { createViewOnlyFilter } from './console/view-only-filter.ts';
import { baseHeaders, sendError, sendJson } from './http-util.ts';
import type { KeySource } from './key-watch.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { oauthBearer } from './oauth.ts';
import { forward, isStreaming } from './proxy.ts';
import { OpenStreams } from './open-streams.ts';
import { tokenCandidates } from './token-sources.ts';
import type { Upstream } from './upstream.ts';
import type { UseCounter } from './use-counter.ts';
import { consoleSessionOf } from './console-session.ts';

export interface GatewayOptions {
  apiPath: string;
  basePath: string;
  clientPath: string;
  publicDir: string;
  secureCookies: boolean;
  pingMs: number;
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  version: string;
  /** The Gatepass extensions this gateway enforces, advertised at /.well-known/gatepass. */
  enforces: readonly string[];
  /** With OAuth on, a signed-in user's own token is the upstream bearer, and discovery passes through. */
  oauth: boolean;
  /** This replica's name in the Leases of the consoles it holds. */
  identity: string;
  /** How long a console's Lease stays held without renewal. */
  consoleLeaseMs: number;
  /** How replicas reach each other: over HTTPS when this one serves it, the holder presenting this replica's own certificate (DER). */
  replicas?: { secure: boolean; servingCert?: Buffer };
}

export interface GatewayDeps {
  upstream: Upstream;
  keys: KeySource;
  check: TokenCheck;
  log: Logger;
  metrics: Metrics;
  /** Checks, and once a console has opened counts, the uses of a limited-use link across replicas. */
  useLink: UseCounter;
  /** Who holds each VMI's consoles across replicas (Leases in the gateway's namespace), by console kind. */
  consoleLeases: Record<ConsoleKind, ConsoleLeaseApi>;
  /** The console audit trail (Events on the VMI and JSON audit lines); none in tests that do not look at it. */
  audit?: ConsoleAudit;
  /** Who a request comes from (`--trusted-proxies`); the socket's peer when absent. */
  clientAddress?: (req: IncomingMessage) => string | undefined;
  /** Extra routes that exist only when a flag turns them on (`/auth/jwt/request`, OAuth). */
  optionalRoutes?: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void> | void>;
}

const staticDir = fileURLToPath(new URL('./static/', import.meta.url));
const methodOverrideHeaders = ['x-http-method-override', 'x-http-method', 'x-method-override'];
const maxStreamsPerLink = 16;

/** Splits a raw request target at its first `?` without decoding or normalising anything. */
export function splitTarget(url: string): { path: string; query: string } {
  const at = url.indexOf('?');
  return at < 0 ? { path: url, query: '' } : { path: url.slice(0, at), query: url.slice(at + 1) };
}

// RFC 3986 query characters. Anything else (a `#`, a space, a raw quote) is
// forwarded by no client that means well, and made the upstream URL invalid.
const queryChars = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*$/;

/** Why a query string is refused, or undefined when it may be forwarded as it is. */
export function queryProblem(query: string): string | undefined {
  if (!queryChars.test(query)) return 'the query string holds characters a URL query may not';
  if (/%(?![0-9A-Fa-f]{2})/.test(query)) return 'the query string holds a malformed percent-encoding';
  return undefined;
}

function socketAddress(req: IncomingMessage): string | undefined {
  return req.socket.remoteAddress;
}

/** The id revocation, use counting and the logs all know a link by. */
export function tokenIdOf(claims: TokenClaims): string | undefined {
  return claims.jti ?? claims.id;
}

/** A cookie rides along with any request the browser makes, so a cookie-authenticated console must come from this gateway's own pages. */
function isSameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (!origin || !host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export function createGateway(options: GatewayOptions, deps: GatewayDeps) {
  const { upstream, keys, check, log, metrics } = deps;
  const clientAddress = deps.clientAddress ?? socketAddress;
  const apiPrefix = options.apiPath.endsWith('/') ? options.apiPath : `${options.apiPath}/`;
  const basePath = options.basePath.endsWith('/') ? options.basePath : `${options.basePath}/`;
  const consoles = new ConsoleProxy(upstream, { pingMs: options.pingMs, connectTimeoutMs: options.connectTimeoutMs });
  const forwarder = new ConsoleForwarder(consoles, {
    identity: options.identity, secure: options.replicas?.secure ?? false, connectTimeoutMs: options.connectTimeoutMs, pingMs: options.pingMs,
    ...(options.replicas?.servingCert ? { servingCert: options.replicas.servingCert } : {}),
  });
  const registryOptions = { connectTimeoutMs: options.connectTimeoutMs, leaseDurationMs: options.consoleLeaseMs, identity: options.identity, log, forwarder };
  const shared: Record<ConsoleKind, ConsoleRegistry> = {
    serial: new ConsoleRegistry(upstream, consoles, deps.consoleLeases.serial, serialEngine({ pingMs: options.pingMs }), registryOptions),
    vnc: new ConsoleRegistry(upstream, consoles, deps.consoleLeases.vnc, vncEngine({ pingMs: options.pingMs }), registryOptions),
  };
  const auth = createAuthRoutes({ apiPath: apiPrefix, clientPath: options.clientPath, secureCookies: options.secureCookies, check });
  const streams = new OpenStreams();
  let keysLoaded = false;
  void keys.loaded.then(() => (keysLoaded = true));
  let draining = false;

  const record = (req: IncomingMessage, route: string, status: number, started: number, extra: Record<string, unknown> = {}): void => {
    metrics.countRequest(route, status);
    log.info({ method: req.method, route, status, ms: Math.round(performance.now() - started), client: clientAddress(req), ...extra }, 'request');
  };

  const tokenFields = (decision: Authorized): Record<string, unknown> =>
    decision.allow ? { tokenId: tokenIdOf(decision.claims), sub: decision.claims.sub, via: decision.source } : { rejected: decision.reason };

  /** What the audit says of a console request before anything else is known: which VMI, from where, with which link. */
  const consoleFacts = (req: IncomingMessage, path: string, decision?: Authorized): Omit<ConsoleAuditFact, 'reason'> | undefined => {
    const target = parseConsolePath(`/${path.slice(apiPrefix.length)}`);
    if (!target) return undefined;
    const client = clientAddress(req);
    const facts: Omit<ConsoleAuditFact, 'reason'> = { namespace: target.namespace, vm: target.name, console: target.kind, viewOnly: false, ...(client ? { client } : {}) };
    if (!decision?.allow) return facts;
    const { claims } = decision;
    const linkId = tokenIdOf(claims);
    return {
      ...facts, viewOnly: decision.viewOnly,
      ...(linkId !== undefined ? { linkId } : {}),
      ...(claims.gatepass?.label ? { linkLabel: claims.gatepass.label } : {}),
      ...(claims.sub ? { issuer: claims.sub } : {}),
    };
  };

  /** A console refused at any step: a JSON audit line and an Event on the VMI, in the background. */
  const auditRefusal = (req: IncomingMessage, path: string, decision: Authorized | undefined, code: number, why: string, session?: string): void => {
    const facts = deps.audit && consoleFacts(req, path, decision);
    if (facts) deps.audit!.record({ ...facts, ...(session ? { session } : {}), reason: auditReasons.refused, code, why }, decision?.allow === true);
  };

  async function proxyHttp(req: IncomingMessage, res: ServerResponse, path: string, query: string, started: number): Promise<void> {
    const upstreamPath = `/${path.slice(apiPrefix.length)}`;
    const badQuery = queryProblem(query);
    if (badQuery) {
      sendError(res, 400, badQuery);
      return record(req, 'proxy', 400, started);
    }
    if (methodOverrideHeaders.some((h) => h in req.headers)) {
      sendError(res, 400, 'method override headers are not accepted');
      return record(req, 'proxy', 400, started);
    }
    if (options.oauth) {
      // kube-gateway's OAuth mode: discovery is public, and a signed-in user without a link acts with their own RBAC.
      const userBearer = oauthBearer(req);
      const publicDiscovery = upstreamPath === '/.well-known/oauth-authorization-server' && req.method === 'GET';
      if (publicDiscovery || (userBearer && tokenCandidates(req).length === 0)) {
        const result = await forward(upstream, req, res, upstreamPath, query, options.responseTimeoutMs, publicDiscovery ? undefined : userBearer);
        return record(req, 'proxy', result.status, started, { via: publicDiscovery ? 'public' : 'oauth' });
      }
    }
    const decision = await authorizeRequest(check, req, { method: req.method ?? 'GET', path: upstreamPath, upgrade: false });
    if (!decision.allow) {
      metrics.rejections.inc({ reason: decision.reason });
      sendError(res, decision.status, decision.message);
      return record(req, 'proxy', decision.status, started, tokenFields(decision));
    }
    const tokenId = tokenIdOf(decision.claims);
    if (isStreaming(upstreamPath, query)) {
      // A watch or a followed log lasts as long as the link: it ends at expiry or revocation,
      // and one link cannot hold every upstream connection open.
      if (streams.countOf(tokenId) >= maxStreamsPerLink) {
        sendError(res, 429, `this link already has ${maxStreamsPerLink} streams open`);
        return record(req, 'proxy', 429, started, { ...tokenFields(decision), rejected: 'streams' });
      }
      streams.add(res, tokenId, decision.claims.exp * 1000);
    }
    const result = await forward(upstream, req, res, upstreamPath, query, options.responseTimeoutMs, upstream.bearerToken());
    if (result.upstreamMs !== undefined) metrics.httpUpstreamLatency.observe(result.upstreamMs / 1000);
    record(req, 'proxy', result.status, started, tokenFields(decision));
  }

  function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, path: string, route: string, started: number): void {
    const stream = send(req, path, { root, index: ['index.html'], dotfiles: 'deny', etag: true });
    stream.on('headers', (response: ServerResponse) => {
      for (const [name, value] of Object.entries(baseHeaders)) if (name !== 'cache-control') response.setHeader(name, value);
    });
    stream.on('error', (err: { status?: number }) => {
      const status = err.status ?? 500;
      sendError(res, status, status === 404 ? 'not found' : 'cannot serve this file');
      record(req, route, status, started);
    });
    stream.on('end', () => record(req, route, res.statusCode, started));
    stream.pipe(res);
  }

  type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

  /** Exact paths, each with the route name its requests are counted and logged under. */
  const exactRoutes = new Map<string, { route: string; handler: Handler }>([
    ['/.well-known/gatepass', { route: 'well-known', handler: (_req, res) => sendJson(res, 200, { gateway: 'gatepass', version: options.version, enforces: options.enforces, apiPath: apiPrefix }) }],
    ['/auth/jwt/set', { route: 'auth-set', handler: auth.set }],
    ['/auth/jwt/session', { route: 'auth-session', handler: auth.session }],
    ['/login', { route: 'login', handler: auth.login }],
    ['/open', { route: 'open', handler: auth.open }],
    ...Object.entries(deps.optionalRoutes ?? {}).map(([path, handler]) => [path, { route: path.slice(1).replace(/\//g, '-'), handler }] as const),
  ]);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const { path, query } = splitTarget(req.url ?? '/');
    try {
      // Probes are answered without a log line: the kubelet asks every few seconds.
      if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (path === '/readyz') {
        const ready = keysLoaded && keys.current().length > 0 && !draining;
        return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : draining ? 'shutting down' : 'no public key loaded' });
      }
      const exact = exactRoutes.get(path);
      if (exact) {
        await exact.handler(req, res);
        return record(req, exact.route, res.statusCode, started);
      }
      if (path.startsWith('/_gatepass/')) return serveStatic(req, res, staticDir, path.slice('/_gatepass'.length), 'gatepass-static', started);
      if (path.startsWith(apiPrefix)) return await proxyHttp(req, res, path, query, started);
      if (path.startsWith(basePath)) return serveStatic(req, res, options.publicDir, `/${path.slice(basePath.length)}`, 'static', started);
      sendError(res, 404, 'not found');
      record(req, 'none', 404, started);
    } catch (err) {
      log.error({ err: (err as Error).message, route: path.startsWith(apiPrefix) ? 'proxy' : 'other' }, 'request failed');
      if (!res.headersSent) sendError(res, 500, 'internal error');
      else res.destroy();
    }
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    try {
      await openConsole(req, socket, head);
    } catch (err) {
      // One bad upgrade must never take the gateway (and every console on it) down.
      log.error({ err: (err as Error).message, route: 'console' }, 'console upgrade failed');
      if (!socket.destroyed) socket.destroy();
    }
  }

  async function openConsole(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const started = performance.now();
    const { path, query } = splitTarget(req.url ?? '/');
    if (!path.startsWith(apiPrefix) || (req.headers.upgrade ?? '').toLowerCase() !== 'websocket' || draining) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const badQuery = queryProblem(query);
    if (badQuery) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return record(req, 'console', 400, started, { rejected: 'query' });
    }
    const clientProblem = consoleClientProblem(req);
    if (clientProblem) {
      consoles.refuse(req, socket, closeCodes.notAllowed, clientProblem);
      auditRefusal(req, path, undefined, closeCodes.notAllowed, clientProblem);
      return record(req, 'console', 400, started, { rejected: 'client' });
    }
    const upstreamPath = `/${path.slice(apiPrefix.length)}`;
    const decision = await authorizeRequest(check, req, { method: req.method ?? 'GET', path: upstreamPath, upgrade: true });
    if (decision.allow && decision.source === 'cookie' && !isSameOrigin(req)) {
      metrics.rejections.inc({ reason: 'cross-origin' });
      consoles.refuse(req, socket, closeCodes.notAllowed, 'a console opened with a cookie must come from this gateway’s own page');
      auditRefusal(req, path, decision, closeCodes.notAllowed, 'a console opened with a cookie must come from this gateway’s own page');
      return record(req, 'console', 403, started, { rejected: 'cross-origin' });
    }
    if (!decision.allow) {
      metrics.rejections.inc({ reason: decision.reason });
      consoles.refuse(req, socket, refusalCode(decision), decision.message);
      auditRefusal(req, path, decision, refusalCode(decision), decision.message);
      return record(req, 'console', decision.status, started, tokenFields(decision));
    }
    const consoleTarget = parseConsolePath(upstreamPath);
    // Before anything counts or reaches the cluster: the query is rebuilt from what KubeVirt may be told.
    // A view-only viewer may watch, never push someone else off the console (KubeVirt's one session per VMI).
    const forwarded = consoleQuery(query, { preserveSession: decision.viewOnly });
    if ('problem' in forwarded) {
      consoles.refuse(req, socket, closeCodes.notAllowed, forwarded.problem);
      auditRefusal(req, path, decision, closeCodes.notAllowed, forwarded.problem);
      return record(req, 'console', 400, started, { ...tokenFields(decision), rejected: 'query' });
    }
    const tokenId = tokenIdOf(decision.claims);
    const maxUses = decision.claims.gatepass?.maxUses;
    // A use is spent only by a console that opens; a refusal, or a reconnect from the same session, spends none.
    const session = consoleSessionOf(req, isSameOrigin(req), options.secureCookies);
    if (maxUses !== undefined) {
      const usable = tokenId === undefined
        ? { ok: false as const, reason: 'used-up' as const, message: 'a limited-use link must carry an id' }
        : await deps.useLink.check(tokenId, maxUses, session);
      if (!usable.ok) {
        metrics.rejections.inc({ reason: usable.reason });
        const code = usable.reason === 'used-up' ? closeCodes.notAllowed : 1011;
        consoles.refuse(req, socket, code, usable.message);
        auditRefusal(req, path, decision, code, usable.message, session);
        return record(req, 'console', usable.reason === 'used-up' ? 403 : 503, started, { ...tokenFields(decision), session, rejected: usable.reason });
      }
    }
    // A shared console drops a view-only viewer's input itself; any other websocket a view-only link may open is filtered as RFB.
    const filterClient = decision.viewOnly && !consoleTarget ? createViewOnlyFilter() : undefined;
    const relayed = { client: 0, server: 0 };
    const target = { upstreamPath, query: forwarded.query, expiresAt: decision.claims.exp * 1000, ...(tokenId ? { tokenId } : {}), ...(filterClient ? { filterClient } : {}) };
    // Another replica may have counted the last use since the check: then this console is refused as
    // used up, after the cluster opened it and before the viewer is answered.
    const countUse = maxUses !== undefined && tokenId !== undefined
      ? async () => {
        const used = await deps.useLink.count(tokenId, maxUses, decision.claims.exp * 1000, session);
        if (used.ok) return undefined;
        metrics.rejections.inc({ reason: used.reason });
        return { code: used.reason === 'used-up' ? closeCodes.notAllowed : 1011, reason: used.message };
      }
      : undefined;
    const hooks = {
      onBytes: (fromClient: number, fromServer: number) => {
        relayed.client += fromClient;
        relayed.server += fromServer;
        metrics.bytes.inc({ direction: 'client' }, fromClient);
        metrics.bytes.inc({ direction: 'server' }, fromServer);
      },
      onUpstreamLatency: (ms: number) => metrics.upstreamLatency.observe({ kind: 'console' }, ms / 1000),
      ...(countUse ? { beforeAccept: countUse } : {}),
    };
    // One upstream session per VMI and kind, shared by its viewers: the registry decides join, take-over or refusal.
    const outcome: SharedConsoleOutcome = consoleTarget
      ? await shared[consoleTarget.kind].open(req, socket, head, {
        namespace: consoleTarget.namespace, name: consoleTarget.name, upstreamPath, expiresAt: target.expiresAt, viewOnly: decision.viewOnly,
        preserveSession: forwarded.query === 'preserveSession=true', ...(tokenId ? { tokenId } : {}),
        viewerName: presenceName({ label: decision.claims.gatepass?.label, sub: decision.claims.sub }), presence: forwarded.presence,
        mayForward: !isForwardedRequest(req), client: clientAddress(req),
      }, hooks)
      : await consoles.open(req, socket, head, target, hooks);
    if (outcome.refused) {
      auditRefusal(req, path, decision, outcome.refused.code, outcome.refused.reason, session);
      return record(req, 'console', 502, started, { ...tokenFields(decision), session, refused: outcome.refused.code });
    }
    metrics.consoles.inc();
    const forwardedTo = outcome.forwardedTo;
    record(req, 'console', 101, started, { ...tokenFields(decision), session, ...(forwardedTo !== undefined ? { forwardedTo } : {}) });
    // A viewer relayed to the replica holding its console is audited there, once, with its own address.
    const opened = forwardedTo === undefined && deps.audit && consoleFacts(req, path, decision);
    const audited = opened && { ...opened, connection: randomUUID(), ...(session ? { session } : {}) };
    if (audited) deps.audit!.record({ ...audited, reason: auditReasons.opened }, true);
    // Not awaited: this function (and `upgrade`) return now, so a console that stays
    // open for hours does not keep its upgrade request alive — the headers with the
    // token, and the whole read buffer that `head` is a slice of. The end is logged
    // from the few fields kept here.
    const endFields = { route: 'console-end', ...tokenFields(decision), session, client: clientAddress(req) };
    const openedAt = performance.now();
    void outcome.relay!.ended.then((end) => {
      metrics.consoles.dec();
      log.info({ ...endFields, by: end.by, code: end.code, ms: Math.round(performance.now() - started), bytesIn: relayed.client, bytesOut: relayed.server }, 'console closed');
      if (audited) {
        deps.audit!.record({
          ...audited, reason: auditReasons.closed, closedBy: end.by, code: end.code, durationMs: performance.now() - openedAt,
          bytesFromViewer: relayed.client, bytesToViewer: relayed.server, ...(decision.viewOnly ? { inputDropped: filterClient?.dropped ?? outcome.viewer?.dropped ?? 0 } : {}),
        }, true);
      }
    });
  }

  return {
    handle: (req: IncomingMessage, res: ServerResponse) => void handle(req, res),
    upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void upgrade(req, socket, head),
    /** Readiness turns false; consoles are told the gateway is going away. */
    async drain(): Promise<void> {
      draining = true;
      streams.closeAll();
      await consoles.closeAll();
      await Promise.all(Object.values(shared).map((registry) => registry.closeAll()));
    },
    get activeConsoles() {
      return consoles.active;
    },
    /** A revocation ends consoles already open with that link, not only new ones. */
    closeRevoked(isRevoked: (tokenId: string | undefined) => boolean): void {
      const closed = consoles.closeRevoked(isRevoked) + streams.closeRevoked(isRevoked);
      if (closed > 0) log.info({ closed }, 'consoles and streams of revoked links closed');
    },
  };
}
