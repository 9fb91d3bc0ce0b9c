import { decodeClaimsUnverified } from '../shared/links.ts';

/**
 * The most the gateway's own cookies may add to a browser's `Cookie` header.
 * The gateway refuses requests whose headers pass 16 KiB (431), and a browser
 * sends every cookie with every request: past that, nothing on the gateway
 * opens until the cookies expire. 12 KiB holds ten consoles of 1 KiB tokens
 * besides the compat and session cookies, and leaves 4 KiB for the rest of a
 * request (Chromium's own headers take about 1.5 KiB) and for cookies other
 * sites on the same host set.
 */
export const cookieBudgetBytes = 12 * 1024;

/** A cookie as a browser sends it back: name and value. */
export interface HeldCookie {
  name: string;
  value: string;
}

/** What one cookie adds to a `Cookie` header: `name=value; `. */
export function cookieHeaderBytes(cookie: HeldCookie): number {
  return Buffer.byteLength(cookie.name) + 1 + Buffer.byteLength(cookie.value) + 2;
}

/**
 * A token's `exp` and `iat`, read without verifying: only to decide which
 * cookie goes first, never to grant anything. Unreadable tokens read as
 * expired, so junk goes before any working link.
 */
function timesOf(token: string): { exp: number; iat: number } {
  try {
    const claims = decodeClaimsUnverified(token);
    const exp = typeof claims.exp === 'number' && Number.isFinite(claims.exp) ? claims.exp : -Infinity;
    const iat = typeof claims.iat === 'number' && Number.isFinite(claims.iat) ? claims.iat : -Infinity;
    return { exp, iat };
  } catch {
    return { exp: -Infinity, iat: -Infinity };
  }
}

export interface CookiePlan {
  /** Held cookies to expire now (`Max-Age=0`). */
  expire: string[];
  /** The latest `exp` (unix seconds) among the held cookies kept, if any. */
  latestKeptExp?: number;
}

/**
 * Which of the console cookies a browser holds it may keep once the cookies in
 * `setting` are set, so that all of them together stay within `budget` bytes.
 * The cookies being set always stay. Of the others, those whose link has
 * expired (or cannot be read) go, then those whose link expires soonest, the
 * earliest issued first among equals: the links the person opened last and
 * that run longest keep working.
 */
export function planConsoleCookies(held: readonly HeldCookie[], setting: readonly HeldCookie[], budget: number, nowSeconds: number): CookiePlan {
  const replaced = new Set(setting.map((c) => c.name));
  let used = setting.reduce((sum, c) => sum + cookieHeaderBytes(c), 0);
  const others = held
    .filter((c) => !replaced.has(c.name))
    .map((c) => ({ name: c.name, bytes: cookieHeaderBytes(c), ...timesOf(c.value) }))
    .sort((a, b) => b.exp - a.exp || b.iat - a.iat || a.name.localeCompare(b.name));
  const expire: string[] = [];
  let latestKeptExp: number | undefined;
  let full = false;
  for (const cookie of others) {
    // Once one cookie does not fit, none after it stays: a smaller cookie of a link that expires sooner never outlives a longer one.
    full ||= used + cookie.bytes > budget;
    if (full || cookie.exp <= nowSeconds) {
      expire.push(cookie.name);
      continue;
    }
    used += cookie.bytes;
    latestKeptExp ??= cookie.exp;
  }
  return latestKeptExp === undefined ? { expire } : { expire, latestKeptExp };
}
