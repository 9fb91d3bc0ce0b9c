// Which proxy a connection goes through: the kubeconfig cluster's `proxy-url`
// first (kubectl's rule), else HTTPS_PROXY / HTTP_PROXY by the target's scheme,
// unless NO_PROXY names the host. Like curl and Node's own env-proxy support,
// loopback hosts are proxied too unless NO_PROXY says otherwise. Proxies are
// reached with CONNECT, so TLS to the target stays end to end and websockets work.
import type { Agent } from 'node:http';
import { isIP } from 'node:net';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { DesktopFailure } from './errors.ts';

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name] ?? env[name.toLowerCase()];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** The proxy URL for a connection to `target`, or undefined for a direct one. */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv, explicit?: string): string | undefined {
  if (explicit !== undefined && explicit !== '') return explicit;
  const secure = target.protocol === 'https:' || target.protocol === 'wss:';
  const proxy = secure ? envValue(env, 'HTTPS_PROXY') : envValue(env, 'HTTP_PROXY');
  if (proxy === undefined) return undefined;
  const port = target.port === '' ? (secure ? 443 : 80) : Number(target.port);
  return noProxyMatches(target.hostname, port, envValue(env, 'NO_PROXY') ?? '') ? undefined : proxy;
}

/**
 * NO_PROXY as curl and Go read it: comma-separated entries, `*` for every host,
 * a host or domain (a leading dot optional) matching itself and its subdomains,
 * an optional `:port`, and IPv4 CIDR blocks.
 */
export function noProxyMatches(hostname: string, port: number, noProxy: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  for (const raw of noProxy.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const portMatch = /^(.*):(\d+)$/.exec(entry);
    const [name, entryPort] = portMatch && !entry.includes('::') ? [portMatch[1] ?? '', Number(portMatch[2])] : [entry, undefined];
    if (entryPort !== undefined && entryPort !== port) continue;
    const bare = name.replace(/^\[(.*)\]$/, '$1');
    if (bare.includes('/')) {
      if (inCidr(host, bare)) return true;
      continue;
    }
    const domain = bare.replace(/^\*?\./, '');
    if (host === domain || host.endsWith(`.${domain}`)) return true;
  }
  return false;
}

function inCidr(host: string, cidr: string): boolean {
  const [base = '', bitsText = ''] = cidr.split('/');
  const bits = Number(bitsText);
  if (isIP(host) !== 4 || isIP(base) !== 4 || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const toInt = (ip: string) => ip.split('.').reduce((n, part) => (n << 8) + Number(part), 0) >>> 0;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((toInt(host) & mask) >>> 0) === ((toInt(base) & mask) >>> 0);
}

const agents = new Map<string, Agent>();

/** A (shared) CONNECT-tunnelling agent for a proxy; TLS options for the target go in each request. */
export function proxyAgent(proxy: string): Agent {
  let agent = agents.get(proxy);
  if (agent) return agent;
  let url: URL;
  try {
    url = new URL(proxy);
  } catch {
    throw new DesktopFailure('kubeconfig', `the proxy ${JSON.stringify(proxy)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new DesktopFailure('unsupported', `the proxy ${url.protocol}//${url.host} is not supported: only http:// and https:// (CONNECT) proxies are`);
  }
  agent = new HttpsProxyAgent(url, { keepAlive: true });
  agents.set(proxy, agent);
  return agent;
}

/** The agent for a connection: a proxy agent when one applies, else undefined (Node's default). */
export function agentFor(target: URL, env: NodeJS.ProcessEnv, explicitProxy?: string): Agent | undefined {
  const proxy = proxyFor(target, env, explicitProxy);
  return proxy === undefined ? undefined : proxyAgent(proxy);
}
