// The cookie a limited-use link's use is bound to (see gateway/console-session.ts).
// Over HTTPS it carries the `__Host-` prefix: a browser keeps such a cookie only
// from the gateway's host itself, so a sibling subdomain cannot plant a session id
// it knows; the gateway then reads no other name, and the app sends that one.

export const plainSessionCookie = 'gatepass-session';
export const hostSessionCookie = '__Host-gatepass-session';

/** The session cookie's name for a gateway reached over HTTPS (`secure`) or plain HTTP. */
export function sessionCookieName(secure: boolean): string {
  return secure ? hostSessionCookie : plainSessionCookie;
}
