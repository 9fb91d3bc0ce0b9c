import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parseCookie } from 'cookie';

/**
 * The browser or app session a limited-use link's use is bound to, so a
 * reconnect (after a refusal, a network blip or a gateway rollout) is the same
 * use rather than a second one. Browsers get it from the gateway as an HttpOnly
 * cookie; the app sends the same cookie with an id it keeps per opened link.
 * Only its hash is ever stored or logged.
 */
export const sessionCookie = 'gatepass-session';

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

/** The session id a request carries in its cookie, if well formed. */
export function sessionIdOf(req: IncomingMessage): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  const value = parseCookie(header)[sessionCookie];
  return isSessionId(value) ? value : undefined;
}

/**
 * The hashed session of a console request. A browser sends the cookie on a
 * websocket from any same-site page, so it counts only from this gateway's own
 * pages or from a client that is no browser (no Origin); otherwise the open is
 * counted as a new use, as it was without sessions.
 */
export function consoleSessionOf(req: IncomingMessage, sameOrigin: boolean): string | undefined {
  if (req.headers.origin !== undefined && !sameOrigin) return undefined;
  const id = sessionIdOf(req);
  return id === undefined ? undefined : sessionHash(id);
}
