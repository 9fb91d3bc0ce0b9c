// Opening consoles from main, where the credentials stay: a received link
// through its gateway (the token in the Kubernetes bearer subprotocol for a
// Gatepass gateway; the kube-gateway cookie, for that gateway's origin alone,
// for a query-form link), or the operator's own console straight to the API
// server with the kubeconfig's credentials (like `virtctl vnc` and `virtctl
// console`). Either console, the screen (VNC) or the serial console, travels the
// same way: a raw byte stream in binary frames over the same channel.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { viewerConsoleQuery } from '../../shared/console-presence.ts';
import type { ConsoleTicket, LinkSummary } from '../../shared/desktop-api.ts';
import { CONSOLE_KINDS, consoleKindPath, VNC_API_VERSIONS, type ConsoleKind } from '../../shared/kubevirt-paths.ts';
import { decodeClaimsUnverified, LinkError, parseLink, type ParsedLink } from '../../shared/links.ts';
import { matchUrlPattern } from '../../shared/url-policy.ts';
import { channelFromWebSocket, refusedChannel, type ConsoleChannel } from './console-channel.ts';
import { DesktopFailure, networkError } from './errors.ts';
import { gatewayConnection, trustForLink } from './gateway-connection.ts';
import { httpStatusOf, type KubeClient } from './kube-client.ts';
import type { LinkSessions } from './link-sessions.ts';
import { sessionCookieName } from '../../shared/session-cookie.ts';

/** KubeVirt's subprotocol for both consoles. */
export const VNC_SUBPROTOCOL = 'plain.kubevirt.io';
export const BEARER_SUBPROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';
export const SESSION_COOKIE = 'kg-jwt-session-code';
const API_PATH = '/k8s';
/** KubeVirt never pings a serial console, and proxies drop a websocket that stays silent. */
export const SERIAL_KEEPALIVE_MS = 30_000;

const CONSOLE_NAMES: Record<ConsoleKind, string> = { vnc: 'screen', serial: 'serial console' };

export interface OpenedConsole {
  ticket: ConsoleTicket;
  channel: ConsoleChannel;
}

export interface LinkConsoleDeps {
  env: NodeJS.ProcessEnv;
  now: () => number;
  /** So every connection this app makes with one link is one use of a limited-use link. */
  sessions: LinkSessions;
}

function readLink(text: string): ParsedLink {
  try {
    const parsed = parseLink(text);
    if (parsed.name === undefined || parsed.namespace === undefined) throw new LinkError('the link does not say which VM it opens');
    return parsed;
  } catch (error) {
    if (error instanceof LinkError) throw new DesktopFailure('invalid-input', error.message);
    throw error;
  }
}

/**
 * The consoles of the link's VM that its `URLs` claim grant, in either API version.
 * A link whose claims name neither (older links, or another VM) is taken for the
 * screen, as every link was before serial links; the gateway decides in the end.
 */
export function claimedConsoles(urls: unknown, namespace: string | undefined, name: string | undefined): ConsoleKind[] {
  if (namespace === undefined || name === undefined || !Array.isArray(urls)) return ['vnc'];
  const patterns = urls.filter((url): url is string => typeof url === 'string');
  const granted = CONSOLE_KINDS.filter((kind) =>
    VNC_API_VERSIONS.some((version) => patterns.some((pattern) => matchUrlPattern(pattern, consoleKindPath(kind, namespace, name, version)))));
  return granted.length > 0 ? granted : ['vnc'];
}

const isoOf = (seconds: unknown) => (typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : undefined);

/** What a link claims, for a person to read before anything connects. Nothing here is verified. */
export function inspectLink(text: string): LinkSummary {
  const parsed = readLink(text);
  let claims: Record<string, unknown> = {};
  try {
    claims = decodeClaimsUnverified(parsed.token);
  } catch (error) {
    if (error instanceof LinkError) throw new DesktopFailure('invalid-input', error.message);
    throw error;
  }
  const gatepass = (typeof claims.gatepass === 'object' && claims.gatepass !== null ? claims.gatepass : {}) as { viewOnly?: unknown; maxUses?: unknown; label?: unknown };
  const verbs = Array.isArray(claims.verbs) ? claims.verbs : [];
  const summary: LinkSummary = {
    gateway: parsed.gateway,
    gatewayHost: new URL(parsed.gateway).host,
    viewOnly: gatepass.viewOnly === true || verbs.includes('gatepass:view'),
    singleUse: gatepass.maxUses === 1,
    form: parsed.form,
    consoles: claimedConsoles(claims.URLs, parsed.namespace, parsed.name),
  };
  if (parsed.namespace) summary.namespace = parsed.namespace;
  if (parsed.name) summary.name = parsed.name;
  const from = isoOf(claims.nbf);
  const until = isoOf(claims.exp);
  if (from) summary.from = from;
  if (until) summary.until = until;
  if (typeof gatepass.label === 'string') summary.label = gatepass.label;
  if (typeof claims.sub === 'string') summary.issuedBy = claims.sub;
  if (parsed.pin) summary.pin = parsed.pin;
  return summary;
}

/** The close code a refused console handshake means, as the gateway would have said it. */
function refusal(status: number | undefined, message: string): { code: number; reason: string } {
  switch (status) {
    case 400:
      return { code: 4404, reason: `the VM is not running (${message})` };
    case 401:
      return { code: 4401, reason: `not a valid link or credentials (${message})` };
    case 403:
      return { code: 4403, reason: `not allowed (${message})` };
    case 404:
      return { code: 4404, reason: `no such VM (${message})` };
    case 409:
    case 503:
      return { code: 4409, reason: 'the console is in use by someone else' };
    default:
      return { code: 1011, reason: message };
  }
}

/** The link's expiry in unix ms, read unverified: only to know how long its session is kept. */
function expiryOf(token: string): number | undefined {
  try {
    const exp = decodeClaimsUnverified(token).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/**
 * Opens the console websocket a link grants, or rejects with the HTTP refusal
 * (status on the error). Both kinds ask the gateway to preserve the session unless
 * taking over: it shares the screen, and joins the serial console (KubeVirt itself
 * has no such thing for it; the gateway never forwards the flag there).
 */
export function connectWithLink(parsed: ParsedLink, takeOver: boolean, deps: LinkConsoleDeps, kind: ConsoleKind = 'vnc'): Promise<WebSocket> {
  const target = new URL(`${parsed.gateway}${API_PATH}${consoleKindPath(kind, parsed.namespace ?? '', parsed.name ?? '')}`);
  target.search = viewerConsoleQuery(takeOver);
  const wsUrl = new URL(target);
  wsUrl.protocol = target.protocol === 'https:' ? 'wss:' : 'ws:';
  const { agent, tls } = gatewayConnection(target, trustForLink(parsed.pin), deps.env);
  const cookieForm = parsed.form !== 'fragment';
  const protocols = cookieForm ? [VNC_SUBPROTOCOL] : [`${BEARER_SUBPROTOCOL_PREFIX}${base64url(parsed.token)}`, VNC_SUBPROTOCOL];
  const session = `${sessionCookieName(target.protocol === 'https:')}=${deps.sessions.sessionFor(parsed.token, expiryOf(parsed.token))}`;
  const ws = new WebSocket(wsUrl, protocols, {
    ...tls,
    ...(agent ? { agent } : {}),
    // Cookies go on this one request to this gateway's origin, never into a shared jar.
    headers: { cookie: cookieForm ? `${SESSION_COOKIE}=${parsed.token}; ${session}` : session },
    ...(cookieForm ? { origin: target.origin } : {}),
    handshakeTimeout: 15_000,
  });
  return settle(ws, `the gateway at ${parsed.gateway}`);
}

function settle(ws: WebSocket, what: string, context?: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    // Paused until the caller has its listeners on: the VNC server speaks first, often in the same packet as the handshake.
    ws.once('open', () => {
      ws.pause();
      resolve(ws);
    });
    ws.once('unexpected-response', (_req, res) => {
      // A link's gateway may be anyone's: read at most a few KiB of its refusal, and not for long.
      const chunks: Buffer[] = [];
      let size = 0;
      const deadline = setTimeout(() => res.destroy(), 10_000);
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= 4096) chunks.push(c);
        else res.emit('end');
      });
      res.once('close', () => clearTimeout(deadline));
      res.once('end', () => {
        clearTimeout(deadline);
        res.destroy();
        let message = Buffer.concat(chunks).toString('utf8').slice(0, 300);
        try {
          message = (JSON.parse(message) as { message?: string }).message ?? message;
        } catch {
          // plain text
        }
        reject(Object.assign(new DesktopFailure('forbidden', `${what} refused the console (HTTP ${res.statusCode}): ${message}`, context), { status: res.statusCode }));
      });
    });
    ws.once('error', (error) => {
      const described = networkError(error, context, what);
      reject(described ? new DesktopFailure(described.code, described.message, context) : error);
    });
  });
}

function expireAt(channel: ConsoleChannel, until: number | undefined, now: () => number): void {
  if (until === undefined) return;
  const timer = setTimeout(() => channel.close(4410, 'the link expired'), Math.max(0, Math.min(until - now(), 2 ** 31 - 1)));
  timer.unref();
  channel.onClose(() => clearTimeout(timer));
}

async function asChannel(open: () => Promise<WebSocket>, kind: ConsoleKind): Promise<ConsoleChannel> {
  try {
    return channelFromWebSocket(await open(), kind === 'serial' ? { keepaliveMs: SERIAL_KEEPALIVE_MS } : {});
  } catch (error) {
    const status = httpStatusOf(error);
    if (status === undefined) throw error;
    const { code, reason } = refusal(status, (error as Error).message);
    return refusedChannel(code, reason);
  }
}

/**
 * The console of a link to open: the one asked for, which its claims must grant,
 * else the screen when it grants that, else the one it grants. Said before
 * connecting, since a link for the other console would only be refused.
 */
export function linkConsoleKind(summary: Pick<LinkSummary, 'consoles'>, wanted: ConsoleKind | undefined): ConsoleKind {
  if (wanted === undefined) return summary.consoles.includes('vnc') ? 'vnc' : (summary.consoles[0] ?? 'vnc');
  if (summary.consoles.includes(wanted)) return wanted;
  const opens = summary.consoles.map((kind) => CONSOLE_NAMES[kind]).join(' and the ');
  throw new DesktopFailure('invalid-input', `this link opens only the ${opens}, not the ${CONSOLE_NAMES[wanted]}`);
}

export async function openLinkConsole(link: string, takeOver: boolean, deps: LinkConsoleDeps, wanted?: ConsoleKind): Promise<OpenedConsole> {
  const parsed = readLink(link);
  const summary = inspectLink(link);
  const kind = linkConsoleKind(summary, wanted);
  const channel = await asChannel(() => connectWithLink(parsed, takeOver, deps, kind), kind);
  expireAt(channel, summary.until ? Date.parse(summary.until) : undefined, deps.now);
  const ticket: ConsoleTicket = {
    id: randomUUID(),
    title: `${summary.namespace}/${summary.name}${kind === 'serial' ? ' serial console' : ''} via ${summary.gatewayHost}`,
    namespace: summary.namespace ?? '',
    name: summary.name ?? '',
    viewOnly: summary.viewOnly,
    console: kind,
  };
  if (summary.from) ticket.from = summary.from;
  if (summary.until) ticket.until = summary.until;
  return { ticket, channel };
}

/**
 * The operator's own console: the kubeconfig's credentials straight to the API
 * server. The serial console has no `preserveSession` in KubeVirt, so it is
 * opened as `virtctl console` opens it: the newest connection has it.
 */
export function connectOwn(client: KubeClient, namespace: string, name: string, takeOver: boolean, kind: ConsoleKind = 'vnc'): Promise<WebSocket> {
  const preserve = kind === 'vnc' && !takeOver;
  return client.openWebSocket(`${consoleKindPath(kind, namespace, name)}${preserve ? '?preserveSession=true' : ''}`, [VNC_SUBPROTOCOL]);
}

export async function openOwnConsole(client: KubeClient, namespace: string, name: string, takeOver: boolean, kind: ConsoleKind = 'vnc'): Promise<OpenedConsole> {
  const channel = await asChannel(() => connectOwn(client, namespace, name, takeOver, kind), kind);
  const title = `${namespace}/${name}${kind === 'serial' ? ' serial console' : ''} (${client.context})`;
  return { ticket: { id: randomUUID(), title, namespace, name, viewOnly: false, console: kind }, channel };
}
