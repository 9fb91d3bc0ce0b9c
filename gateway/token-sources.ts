import type { IncomingMessage } from 'node:http';
import { parseCookie } from 'cookie';

export const compatCookie = 'kg-jwt-session-code';
const consoleCookiePrefix = 'gatepass-console.';
export const bearerSubprotocolPrefix = 'base64url.bearer.authorization.k8s.io.';

/** One cookie per VM console, so two links opened in one browser do not overwrite each other. */
export function consoleCookieName(namespace: string, name: string): string {
  return `${consoleCookiePrefix}${namespace}.${name}`;
}

/** The per-console cookies a request carries, as the browser holds them. */
export function heldConsoleCookies(req: IncomingMessage): { name: string; value: string }[] {
  const header = req.headers.cookie;
  if (!header) return [];
  return Object.entries(parseCookie(header)).flatMap(([name, value]) => (name.startsWith(consoleCookiePrefix) && value !== undefined ? [{ name, value }] : []));
}

export type TokenSource = 'header' | 'subprotocol' | 'cookie';

export interface TokenCandidate {
  source: TokenSource;
  token: string;
}

function decodeBase64Url(text: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  return Buffer.from(text, 'base64url').toString('utf8');
}

export function offeredSubprotocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  if (!header) return [];
  return header.split(',').map((p) => p.trim()).filter(Boolean);
}

/**
 * Every token the request carries, in the order they are tried. An explicit
 * credential (header or subprotocol) is the only one tried when present, so a
 * stale cookie cannot stand in for a token the client chose to send. Tokens are
 * never read from the query string: it ends up in logs.
 */
export function tokenCandidates(req: IncomingMessage): TokenCandidate[] {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return [{ source: 'header', token: match?.[1] ?? '' }];
  }
  const fromProtocol = offeredSubprotocols(req).find((p) => p.startsWith(bearerSubprotocolPrefix));
  if (fromProtocol !== undefined) {
    return [{ source: 'subprotocol', token: decodeBase64Url(fromProtocol.slice(bearerSubprotocolPrefix.length)) ?? '' }];
  }
  const header = req.headers.cookie;
  if (!header) return [];
  const cookies = parseCookie(header);
  const candidates: TokenCandidate[] = [];
  for (const [name, value] of Object.entries(cookies)) {
    if (!value) continue;
    if (name === compatCookie || name.startsWith(consoleCookiePrefix)) candidates.push({ source: 'cookie', token: value });
  }
  // Per-console cookies first: they are the most specific grant the browser holds.
  return candidates.sort((a, b) => Number(a.token === cookies[compatCookie]) - Number(b.token === cookies[compatCookie]));
}
