import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parseCookie } from 'cookie';
import { hostSessionCookie, plainSessionCookie, sessionCookieName } from '../shared/session-cookie.ts';

/**
 * The browser or app session a limited-use link's use is bound to, so a
 * reconnect (after a refusal, a network blip or a gateway rollout) is the same
 * use rather than a second one. Browsers get it from the gateway as an HttpOnly
 * cookie; the app sends the same name (shared/session-cookie.ts) with an id it
 * keeps per opened link. Only its hash is ever stored or logged.
 */
/** The name the gateway sets the browser's session under, and the only one it reads on a console. */
export const browserSessionCookie = sessionCookieName;

const sessionIdPattern = /^[A-Za-z0-9_-]{22,64}$/;

/** 128 random bits: a session id nobody can guess to borrow someone else's use. */
export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}

export function isSessionId(value: string | undefined): value is string {
  return value !== undefined && sessionIdPattern.test(value);
}

/** What the use counter and the audit trail know a session by. */
export function sessionHash(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex').slice(0, 32);
}

/**
 * The session id a request carries, if well formed. The `__Host-` cookie wins
 * over a plain one of the same session name, which anyone on a sibling host
 * could have set; `only` reads just that one name.
 */
export function sessionIdOf(req: IncomingMessage, only?: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  const cookies = parseCookie(header);
  const value = only !== undefined ? cookies[only] : cookies[hostSessionCookie] ?? cookies[plainSessionCookie];
  return isSessionId(value) ? value : undefined;
}

/**
 * The hashed session of a console request. A browser sends the cookie on a
 * websocket from any same-site page, so it counts only from this gateway's own
 * pages or from a client that is no browser (no Origin); otherwise the open is
 * counted as a new use, as it was without sessions.
 */
export function consoleSessionOf(req: IncomingMessage, sameOrigin: boolean, secure: boolean): string | undefined {
  if (req.headers.origin !== undefined && !sameOrigin) return undefined;
  // Over HTTPS only the __Host- name: a plain one may have been planted from a sibling host.
  const id = sessionIdOf(req, sessionCookieName(secure));
  return id === undefined ? undefined : sessionHash(id);
}
