// Connections to a gateway. Certificate checks are never turned off: a
// gateway whose ConfigMap publishes `gatewayCA` gets that CA trusted for its
// origin alone (beside the system CAs), and a link's `pin=sha256/…` is checked
// against the gateway certificate's SubjectPublicKeyInfo for that host alone,
// on a socket that carries no request until the pin matched. The key of a
// gateway verified with its private CA is remembered as a pin for the links
// issued for it, since their recipients do not have that CA.
import { createHash, type X509Certificate } from 'node:crypto';
import http, { type Agent } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls, { rootCertificates } from 'node:tls';
import { agentFor, proxyFor } from './connections.ts';

export interface GatewayTrust {
  /** PEM of a CA trusted for this gateway's origin only. */
  ca?: string;
  /** `sha256/<base64>` of the gateway certificate's SubjectPublicKeyInfo. */
  pin?: string;
}

/** Remembers which origin trusts which private CA (from the ConfigMap `gatepass`). */
/**
 * Private CAs and the pins they vouched for, per kubeconfig context and gateway
 * origin: a ConfigMap in one cluster must never change what the app trusts for
 * another cluster's gateway, nor for a link someone sent (links carry their own pin).
 */
export class GatewayTrustStore {
  private readonly cas = new Map<string, string>();
  private readonly pins = new Map<string, string>();

  private static key(context: string, gatewayUrl: string | URL): string {
    return `${context}\n${new URL(gatewayUrl).origin}`;
  }

  setCa(context: string, gatewayUrl: string, caPem: string | undefined): void {
    const key = GatewayTrustStore.key(context, gatewayUrl);
    this.pins.delete(key);
    if (caPem === undefined || caPem.trim() === '') this.cas.delete(key);
    else this.cas.set(key, caPem);
  }

  /** Records the key a gateway presented once its private CA vouched for it. */
  setPin(context: string, gatewayUrl: string, pin: string): void {
    const key = GatewayTrustStore.key(context, gatewayUrl);
    if (this.cas.has(key)) this.pins.set(key, pin);
  }

  /** The pin to put in links for a gateway trusted through a private CA; undefined for publicly trusted ones. */
  pinFor(context: string, gatewayUrl: string): string | undefined {
    return this.pins.get(GatewayTrustStore.key(context, gatewayUrl));
  }

  /** A context's own gateway: its ConfigMap's CA, when it published one. */
  trustForContext(context: string, url: string | URL): GatewayTrust {
    const ca = this.cas.get(GatewayTrustStore.key(context, url));
    return ca ? { ca } : {};
  }
}

/** A received link's gateway: the system CAs, or the link's own pin — never a cluster's CA. */
export function trustForLink(pin: string | undefined): GatewayTrust {
  return pin ? { pin } : {};
}

export function spkiPin(certificate: X509Certificate): string {
  return `sha256/${createHash('sha256').update(certificate.publicKey.export({ type: 'spki', format: 'der' })).digest('base64')}`;
}

type ConnectCallback = (error: Error | null, socket?: Duplex) => void;

/** A TCP or CONNECT-tunnelled socket to host:port. */
function rawSocket(host: string, port: number, proxy: string | undefined, done: (error: Error | null, socket?: Duplex) => void): void {
  if (proxy === undefined) {
    const socket = net.connect({ host, port });
    socket.once('connect', () => done(null, socket));
    socket.once('error', (error) => done(error));
    return;
  }
  const proxyUrl = new URL(proxy);
  const request = (proxyUrl.protocol === 'https:' ? https : http).request({ host: proxyUrl.hostname, port: proxyUrl.port || (proxyUrl.protocol === 'https:' ? 443 : 80), method: 'CONNECT', path: `${host}:${port}`, headers: { host: `${host}:${port}` } });
  request.once('connect', (res, socket) => {
    if (res.statusCode !== 200) {
      socket.destroy();
      done(new Error(`the proxy ${proxyUrl.host} refused to connect to ${host}:${port} (HTTP ${res.statusCode})`));
    } else done(null, socket);
  });
  request.once('error', (error) => done(error));
  request.end();
}

/** The pin replaces the CA, not the name check: the certificate must still name the host. */
function identityError(certificate: X509Certificate, host: string): Error | undefined {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const named = net.isIP(bare) ? certificate.checkIP(bare) !== undefined : certificate.checkHost(bare) !== undefined;
  if (named) return undefined;
  return Object.assign(new Error(`the gateway's certificate is not for ${host} (it names ${certificate.subjectAltName ?? certificate.subject})`), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
}

/** An agent whose sockets are handed over only after the certificate matched the pin (and the host name). */
class PinnedAgent extends https.Agent {
  constructor(private readonly pin: string, private readonly proxy: string | undefined) {
    super({ keepAlive: false });
  }

  override createConnection(options: tls.ConnectionOptions & { host?: string; port?: number; servername?: string }, callback: ConnectCallback): undefined {
    const host = options.host ?? 'localhost';
    const port = Number(options.port ?? 443);
    rawSocket(host, port, this.proxy, (error, socket) => {
      if (error || !socket) return callback(error ?? new Error('no socket'));
      const servername = options.servername ?? (/^[\d.:]+$/.test(host) ? undefined : host);
      const secure = tls.connect({ socket, ...(servername ? { servername } : {}), rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
      secure.once('secureConnect', () => {
        const certificate = secure.getPeerX509Certificate();
        const actual = certificate ? spkiPin(certificate) : 'none';
        const identity = certificate ? identityError(certificate, host) : undefined;
        if (actual !== this.pin) {
          secure.destroy();
          return callback(Object.assign(new Error(`the gateway's certificate does not match the link's pin (${actual} ≠ ${this.pin})`), { code: 'ERR_TLS_PIN_MISMATCH' }));
        }
        if (identity) {
          secure.destroy();
          return callback(identity);
        }
        callback(null, secure);
      });
      secure.once('error', (e) => callback(e));
    });
    return undefined;
  }
}

export interface GatewayConnection {
  agent?: Agent;
  tls: https.RequestOptions;
}

/** Agent and TLS options for one request or websocket to a gateway URL. */
export function gatewayConnection(url: URL, trust: GatewayTrust, env: NodeJS.ProcessEnv): GatewayConnection {
  const secure = url.protocol === 'https:' || url.protocol === 'wss:';
  if (!secure) {
    const agent = agentFor(url, env);
    return { ...(agent ? { agent } : {}), tls: {} };
  }
  if (trust.pin) return { agent: new PinnedAgent(trust.pin, proxyFor(url, env)), tls: {} };
  const agent = agentFor(url, env);
  if (!trust.ca) return { ...(agent ? { agent } : {}), tls: {} };
  // No TLS session resumption: a resumed session shows no certificate, and the pin for issued links is read from it.
  return { agent: agent ?? new https.Agent({ maxCachedSessions: 0 }), tls: { ca: [...rootCertificates, trust.ca] } };
}

/** A small GET to a gateway (discovery), JSON or text, with the gateway's trust. */
export function gatewayGet(url: URL, trust: GatewayTrust, env: NodeJS.ProcessEnv, timeoutMs = 10_000): Promise<{ status: number; body: string; contentType: string; pin?: string }> {
  const { agent, tls: tlsOptions } = gatewayConnection(url, trust, env);
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(url, { ...tlsOptions, ...(agent ? { agent } : {}), method: 'GET', headers: { accept: 'application/json' }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > 256 * 1024) req.destroy(new Error('the answer is too large'));
        else chunks.push(c);
      });
      const certificate = res.socket instanceof tls.TLSSocket ? res.socket.getPeerX509Certificate() : undefined;
      res.on('end', () => resolve({
        status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), contentType: String(res.headers['content-type'] ?? ''),
        ...(certificate ? { pin: spkiPin(certificate) } : {}),
      }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}
