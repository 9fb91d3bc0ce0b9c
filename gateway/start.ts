import { randomUUID, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Config } from './config.ts';
import { watchKeyFile, watchKeySecret, type KeySource } from './key-watch.ts';
import { createLogger, type Logger } from './log.ts';
import { createMetrics } from './metrics.ts';
import { createGateway } from './server.ts';
import { createUpstream } from './upstream.ts';
import { createVerifier } from './verify.ts';
import { refusingRevoked } from './authorize.ts';
import { createJwtRequestRoute } from './jwt-request.ts';
import { createOAuthRoutes, type OAuthEndpoints } from './oauth.ts';
import { watchRevocations } from './revocations.ts';
import { createUseCounter } from './use-counter.ts';
import { warnAboutBroadAccess } from './access-check.ts';
import { postForm } from './post-form.ts';
import { DEFAULT_TIMING, type ElectionTiming } from './gatetoken/lease.ts';
import { startLinkJanitor, type LinkJanitor } from './link-janitor.ts';
import { createConsoleAudit } from './console-audit-events.ts';
import { clientAddressOf } from './client-address.ts';
import { kubeConsoleLeases } from './console/console-lease.ts';
import { servingAddress } from './serving-address.ts';

/** A file the gateway cannot start without; the CLI turns this into exit code 2. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/** The package root: two levels up when running from source, three from the built dist/gateway/. */
function findPackageRoot(): string {
  for (const up of ['../', '../../']) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(`${dir}package.json`)) return dir;
  }
  throw new Error('package.json not found next to the gateway');
}

const packageRoot = findPackageRoot();
const defaultPublicDir = './web/public';
const builtViewerDir = `${packageRoot}dist/viewer`;
const version = (JSON.parse(readFileSync(`${packageRoot}package.json`, 'utf8')) as { version: string }).version;

function readRequired(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new StartupError(`cannot read ${what} ${JSON.stringify(path)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The DER of the certificate the gateway serves with (the first of the file): what another replica must present. */
function servingCertificate(pem: string): Buffer {
  try {
    return new X509Certificate(pem).raw;
  } catch (err) {
    throw new StartupError(`cannot read the gateway certificate: ${(err as Error).message}`);
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\./.test(hostname);
}

/** Given OAuth endpoints, or the API server's discovery document, fetched once and kept. */
function oauthEndpoints(config: Config, upstream: ReturnType<typeof createUpstream>): () => Promise<OAuthEndpoints> {
  let discovered: Promise<OAuthEndpoints> | undefined;
  return () => {
    if (config.oauthServerAuthUrl && config.oauthServerTokenUrl) {
      return Promise.resolve({ authorizationEndpoint: config.oauthServerAuthUrl.href, tokenEndpoint: config.oauthServerTokenUrl.href });
    }
    discovered ??= discoverOAuth(upstream).catch((err: unknown) => {
      discovered = undefined;
      throw err;
    });
    return discovered;
  };
}

async function discoverOAuth(upstream: ReturnType<typeof createUpstream>): Promise<OAuthEndpoints> {
  const answer = await upstream.call({ method: 'GET', path: '/.well-known/oauth-authorization-server', bearer: null });
  if (answer.status !== 200) throw new Error(`OAuth discovery answered ${answer.status}`);
  const doc = JSON.parse(answer.body) as { authorization_endpoint?: string; token_endpoint?: string };
  if (!doc.authorization_endpoint || !doc.token_endpoint) throw new Error('the OAuth discovery document names no authorization or token endpoint');
  return { authorizationEndpoint: doc.authorization_endpoint, tokenEndpoint: doc.token_endpoint };
}

export interface RunningGateway {
  url: string;
  metricsUrl?: string;
  log: Logger;
  /** Resolves once a public key is loaded (what /readyz reports). */
  ready: Promise<void>;
  /** SIGTERM: readiness off, no new connections, in-flight requests get the grace period, consoles close with 1001. */
  shutdown(): Promise<void>;
}

export interface StartOptions {
  logDestination?: NodeJS.WritableStream;
  /** Timings that are not flags; tests shorten them to see timeouts and pings happen. */
  tuning?: { responseTimeoutMs?: number; pingMs?: number; connectTimeoutMs?: number; requestTimeoutMs?: number; janitorTiming?: ElectionTiming; consoleLeaseMs?: number };
}

export async function startGateway(config: Config, options: StartOptions = {}): Promise<RunningGateway> {
  const log = createLogger(config.logLevel, options.logDestination);
  const connectTimeoutMs = options.tuning?.connectTimeoutMs ?? 5_000;
  const caPem = config.apiServerCaFile && config.apiServer.protocol === 'https:' ? readRequired(config.apiServerCaFile, 'the API server CA file') : undefined;
  const upstream = createUpstream({
    apiServer: config.apiServer.href,
    ...(caPem ? { caPem } : {}),
    skipVerifyTls: config.apiServerSkipVerifyTls,
    connectTimeoutMs,
    ...(config.apiServerBearerTokenFile && existsSync(config.apiServerBearerTokenFile) ? { bearerTokenFile: config.apiServerBearerTokenFile } : {}),
  });
  if (config.apiServerBearerTokenFile && !existsSync(config.apiServerBearerTokenFile)) {
    log.warn({ file: config.apiServerBearerTokenFile }, 'no service-account token file: requests reach the API server unauthenticated');
  }
  if (config.apiServerSkipVerifyTls) log.warn('the API server certificate is not verified (--api-server-skip-verify-tls)');

  let keys: KeySource;
  if (config.jwtPublicKeyFile) {
    try {
      keys = watchKeyFile(config.jwtPublicKeyFile, log);
    } catch (err) {
      throw new StartupError(`cannot load the public key file ${JSON.stringify(config.jwtPublicKeyFile)}: ${(err as Error).message}`);
    }
  } else {
    keys = watchKeySecret(upstream, { namespace: config.jwtPublicKeyNamespace, name: config.jwtPublicKeyName, key: config.jwtPublicKeyFilename }, log);
  }

  const verify = createVerifier({
    keys: () => keys.current(),
    clockSkewMs: config.clockSkewMs,
    maxLifetimeMs: config.maxTokenLifetimeMs,
    audiences: config.audiences,
    ceiling: config.allowedUrls,
  });
  // The gateway's own namespace: where its key secret, revocations and use counters live.
  const namespace = config.jwtPublicKeyNamespace;
  const revocations = watchRevocations(upstream, namespace, log);
  const check = refusingRevoked(verify, revocations.isRevoked);
  void warnAboutBroadAccess(upstream, { namespace, publicKeySecret: config.jwtPublicKeyName }, log);

  const secureCookies = !(config.gatewayListen.protocol === 'http:' && isLoopback(config.gatewayListen.hostname));
  const optionalRoutes: NonNullable<Parameters<typeof createGateway>[1]['optionalRoutes']> = {};
  if (config.jwtRequestEnable) {
    optionalRoutes['/auth/jwt/request'] = createJwtRequestRoute({
      upstream,
      secret: { namespace: config.jwtPrivateKeyNamespace, name: config.jwtPrivateKeyName, key: config.jwtPrivateKeyFilename },
      maxLifetimeMs: config.maxTokenLifetimeMs,
    });
  }
  if (config.oauthServerEnable) {
    const oauth = createOAuthRoutes({
      clientId: config.oauthServerClientId,
      clientSecret: config.oauthServerClientSecret,
      callbackAddress: config.oauthServerCallbackAddress,
      basePath: config.basePath,
      secureCookies,
      endpoints: oauthEndpoints(config, upstream),
      postForm: (url, form) => postForm(upstream, url, form),
    });
    optionalRoutes['/auth/login'] = oauth.login;
    optionalRoutes['/auth/callback'] = oauth.callback;
    optionalRoutes['/auth/logout'] = oauth.logout;
  }

  const secure = config.gatewayListen.protocol === 'https:';
  const tls = secure
    ? {
        cert: readRequired(config.gatewayCertFile, 'the gateway certificate'),
        key: readRequired(config.gatewayKeyFile, 'the gateway key'),
        ...(config.clientCa ? { ca: readRequired(config.clientCa, 'the client CA'), requestCert: true, rejectUnauthorized: true } : {}),
      }
    : undefined;
  const publicDir = config.publicDir === defaultPublicDir && !existsSync(defaultPublicDir) ? builtViewerDir : config.publicDir;
  let listening = config.gatewayListen.href;
  // Unique per process: two gateways on one host (or in one test) must not share a Lease as one holder.
  const identity = `${process.env['POD_NAME'] || hostname()}_${randomUUID().slice(0, 8)}`;
  const consoleLeaseMs = options.tuning?.consoleLeaseMs ?? 30_000;
  const leaseSettings = {
    namespace, identity, durationMs: consoleLeaseMs,
    // Leases are written only for consoles, which arrive once the gateway listens.
    servingAddress: () => servingAddress(process.env['POD_IP'], listening),
    ...(process.env['POD_NAME'] ? { pod: `${process.env['POD_NAMESPACE'] ?? namespace}/${process.env['POD_NAME']}` } : {}),
  };
  const metrics = createMetrics();
  const audit = createConsoleAudit({ upstream, log, metrics });
  const gateway = createGateway({
    apiPath: config.apiPath,
    basePath: config.basePath,
    clientPath: config.clientPath,
    publicDir,
    secureCookies,
    pingMs: options.tuning?.pingMs ?? 30_000,
    connectTimeoutMs,
    responseTimeoutMs: options.tuning?.responseTimeoutMs ?? 30_000,
    version,
    // `audience` only when this gateway knows its own name: without --audience it must refuse a token with `aud`.
    enforces: ['viewOnly', 'maxUses', 'revocation', 'consoleExpiry', ...(config.audiences.length > 0 ? ['audience'] : [])],
    oauth: config.oauthServerEnable,
    identity,
    consoleLeaseMs,
    replicas: { secure, ...(tls ? { servingCert: servingCertificate(tls.cert) } : {}) },
  }, {
    upstream, keys, check, log, metrics, useLink: createUseCounter(upstream, namespace), optionalRoutes,
    consoleLeases: { serial: kubeConsoleLeases(upstream, { kind: 'serial', ...leaseSettings }), vnc: kubeConsoleLeases(upstream, { kind: 'vnc', ...leaseSettings }) },
    audit, clientAddress: clientAddressOf({ trustedProxies: config.trustedProxies }),
  });

  revocations.onChange(() => gateway.closeRevoked(revocations.isRevoked));

  let janitor: LinkJanitor | undefined;
  if (config.janitorEnable) {
    janitor = startLinkJanitor({
      upstream,
      namespace,
      identity,
      intervalMs: config.janitorIntervalMs,
      // The verifier accepts a link until exp + clock skew; a minute more covers clocks that differ between replicas.
      graceMs: config.clockSkewMs + 60_000,
      timing: options.tuning?.janitorTiming ?? DEFAULT_TIMING,
      log,
      onRemoved: (kind, count) => metrics.janitorRemoved.inc({ kind }, count),
    });
  }

  // requestTimeout bounds receiving a request (a trickled body), not streaming a
  // response, so watches and consoles are unaffected by it.
  const requestTimeout = options.tuning?.requestTimeoutMs ?? 60_000;
  const serverOptions = {
    maxHeaderSize: 16 * 1024,
    requestTimeout,
    headersTimeout: Math.min(20_000, requestTimeout),
    // How often Node looks for requests past their time; it defaults to 30 s.
    connectionsCheckingInterval: Math.min(30_000, requestTimeout / 2),
  };
  const server = tls ? https.createServer({ ...serverOptions, ...tls }, gateway.handle) : http.createServer(serverOptions, gateway.handle);
  server.on('upgrade', gateway.upgrade);
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return;
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large'
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout'
      : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  });

  const listen = (target: http.Server, url: URL): Promise<string> =>
    new Promise((resolve, reject) => {
      target.once('error', (err) => reject(new StartupError(`cannot listen on ${url.host}: ${(err as NodeJS.ErrnoException).code ?? err.message}`)));
      target.listen(Number(url.port || (url.protocol === 'https:' ? 443 : 80)), url.hostname.replace(/^\[|\]$/g, ''), () => {
        const { port } = target.address() as AddressInfo;
        resolve(`${url.protocol}//${url.hostname}:${port}`);
      });
    });

  const url = await listen(server, config.gatewayListen);
  listening = url;
  let metricsServer: http.Server | undefined;
  let metricsUrl: string | undefined;
  if (config.metricsListen) {
    metricsServer = http.createServer((req, res) => {
      if (req.url !== '/metrics') return void res.writeHead(404).end();
      void metrics.registry.metrics().then((text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text));
    });
    metricsUrl = await listen(metricsServer, config.metricsListen);
  }
  log.info({ url, metricsUrl, publicDir, apiServer: config.apiServer.href, ceiling: config.allowedUrls, trustedProxies: config.trustedProxies }, 'gateway listening');

  return {
    url,
    ...(metricsUrl ? { metricsUrl } : {}),
    log,
    ready: keys.loaded,
    async shutdown() {
      log.info({ graceMs: config.shutdownGracePeriodMs }, 'shutting down');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const janitorStopped = janitor?.stop();
      await gateway.drain();
      // The consoles' close Events, and counts of refusals not written yet, before the API client goes.
      await audit.drain();
      server.closeIdleConnections();
      const grace = new Promise<void>((resolve) => setTimeout(resolve, config.shutdownGracePeriodMs).unref());
      await Promise.race([closed, grace]);
      server.closeAllConnections();
      await janitorStopped;
      keys.close();
      revocations.close();
      upstream.agent.destroy();
      upstream.controlAgent.destroy();
      await upstream.pool.destroy();
      metricsServer?.close();
      log.flush();
    },
  };
}
