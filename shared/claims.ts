// Token claims: kube-gateway's (URLs, verbs, nbf, exp, id) plus Gatepass's
// extensions (jti, iat, sub, aud, gatepass). Building and checking them is
// pure: the clock and the id source are parameters.
//
// Restrictions fail closed elsewhere: a token that carries viewOnly or maxUses
// lists only Gatepass verbs, which no HTTP method matches, so kube-gateway
// refuses it instead of granting full control. The mapping is
//   view-only:  get → gatepass:view, any other verb v → gatepass:v
//   maxUses:    v → gatepass:v
// and effectiveVerbs() maps them back for Gatepass's own gateway.

import { DurationError, MAX_DURATION_MS, formatDuration, parseDuration } from './duration.ts';
import { checkPattern } from './url-policy.ts';
import { HTTP_VERBS, isHttpVerb, type HttpVerb } from './verbs.ts';

export class ClaimsError extends Error {
  override name = 'ClaimsError';
}

export interface GatepassRestrictions {
  viewOnly?: boolean;
  maxUses?: number;
  label?: string;
}

export interface TokenClaims {
  URLs: string[];
  verbs: string[];
  /** Unix seconds. */
  nbf: number;
  /** Unix seconds. */
  exp: number;
  id?: string;
  jti?: string;
  /** Unix seconds. */
  iat?: number;
  sub?: string;
  aud?: string | string[];
  gatepass?: GatepassRestrictions;
}

/** "Start now" is backdated by this much so a gateway whose clock runs behind accepts a fresh link. */
export const START_BACKDATE_MS = 60_000;
export const DEFAULT_DURATION = '1h';
export const MAX_USES_LIMIT = 1_000_000;
const MAX_TEXT_LENGTH = 256;

export const GATEPASS_VERB_PREFIX = 'gatepass:';
export const VIEW_VERB = 'gatepass:view';

export interface BuildClaimsInput {
  urls: readonly string[];
  /** HTTP verbs, any case; default ['get']. */
  verbs?: readonly string[];
  /** RFC 3339 time, a Date, or 'now' (the default). */
  from?: string | Date;
  /** Go duration; default '1h'. */
  duration?: string;
  id?: string;
  /** Called for an id when `id` is not given. */
  randomId?: () => string;
  sub?: string;
  aud?: string | readonly string[];
  restrictions?: GatepassRestrictions;
  /** Unix milliseconds. */
  now: number;
  maxLifetimeMs?: number;
}

/**
 * The claims for a new token. With `from` 'now', nbf = iat = now − 60 s and
 * exp = now + duration: the link lasts its full duration from now. With an
 * explicit `from`, nbf = from and exp = from + duration; iat is still
 * now − 60 s. Times are truncated to whole seconds, as kube-gateway does.
 */
export function buildClaims(input: BuildClaimsInput): TokenClaims {
  const { now } = input;
  if (!Number.isFinite(now)) throw new ClaimsError(`now must be a finite number of milliseconds, got ${String(now)}`);

  const urls = checkUrls(input.urls);
  const verbs = normaliseVerbs(input.verbs ?? ['get']);
  const durationText = input.duration ?? DEFAULT_DURATION;
  const durationMs = parseDurationForClaims(durationText);
  if (input.maxLifetimeMs !== undefined && !(input.maxLifetimeMs > 0)) {
    throw new ClaimsError(`maxLifetimeMs must be a positive number, got ${String(input.maxLifetimeMs)}`);
  }
  if (input.maxLifetimeMs !== undefined && durationMs > input.maxLifetimeMs) {
    throw new ClaimsError(
      `duration ${JSON.stringify(durationText)} is longer than the maximum link lifetime of ${describeSpan(input.maxLifetimeMs)}`,
    );
  }

  const startNow = input.from === undefined || input.from === 'now';
  const fromMs = startNow ? now : parseFrom(input.from as string | Date);
  const nbf = Math.floor((startNow ? now - START_BACKDATE_MS : fromMs) / 1000);
  const exp = Math.floor((fromMs + durationMs) / 1000);
  const iat = Math.floor((now - START_BACKDATE_MS) / 1000);
  if (exp * 1000 <= now) {
    throw new ClaimsError(`the link would already have expired: from ${isoSeconds(fromMs / 1000)} for ${durationText} ends at ${isoSeconds(exp)}`);
  }

  const id = checkText(input.id ?? input.randomId?.(), 'id');
  if (id === undefined) throw new ClaimsError('an id is required: pass id or randomId');
  const claims: TokenClaims = { URLs: urls, verbs, nbf, exp, id, jti: id, iat };
  const sub = checkText(input.sub, 'sub');
  if (sub !== undefined) claims.sub = sub;
  if (input.aud !== undefined) claims.aud = checkAudience(input.aud);

  const restrictions = input.restrictions === undefined ? undefined : checkRestrictions(input.restrictions, ClaimsError);
  if (restrictions !== undefined) {
    claims.gatepass = restrictions;
    if (isRestricted(claims)) claims.verbs = restrictVerbs(verbs, restrictions.viewOnly === true);
  }
  return claims;
}

function parseDurationForClaims(text: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (error) {
    if (error instanceof DurationError) throw new ClaimsError(error.message);
    throw error;
  }
  if (ms < 1000) {
    throw new ClaimsError(`duration ${JSON.stringify(text)} is shorter than one second; tokens count time in whole seconds`);
  }
  return ms;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Unix milliseconds of an RFC 3339 time or a Date; throws ClaimsError otherwise. */
export function parseFrom(from: string | Date): number {
  if (from instanceof Date) {
    const t = from.getTime();
    if (Number.isNaN(t)) throw new ClaimsError('from is an invalid Date');
    return t;
  }
  const invalid = (why: string) => new ClaimsError(`invalid from ${JSON.stringify(from)}: ${why}`);
  if (typeof from !== 'string') throw invalid('expected an RFC 3339 time or "now"');
  const m = RFC3339.exec(from);
  if (!m) throw invalid('expected an RFC 3339 time such as "2025-01-31T09:00:00Z" or "now"');
  const [, y, mo, d, h, mi, s, , zone = 'Z'] = m.map((part) => part ?? '');
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to the 1900s.
  const back = new Date(0);
  back.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  back.setUTCHours(Number(h), Number(mi), Number(s));
  if (
    back.getUTCFullYear() !== Number(y) || back.getUTCMonth() !== Number(mo) - 1 || back.getUTCDate() !== Number(d) ||
    back.getUTCHours() !== Number(h) || back.getUTCMinutes() !== Number(mi) || back.getUTCSeconds() !== Number(s)
  ) {
    throw invalid('no such date or time');
  }
  const offsetMinutes = /^[Zz]$/.test(zone) ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  if (Math.abs(offsetMinutes) >= 24 * 60 || Number(zone.slice(4, 6)) > 59) throw invalid('time zone offset out of range');
  const fraction = m[7] === undefined ? 0 : Math.floor(Number(`0${m[7]}`) * 1000);
  return back.getTime() - offsetMinutes * 60_000 + fraction;
}

function checkUrls(urls: readonly string[]): string[] {
  if (!Array.isArray(urls) || urls.length === 0) throw new ClaimsError('URLs must be a non-empty list of path patterns');
  return urls.map((url, i) => {
    const problem = checkPattern(url, 'url');
    if (problem !== undefined) throw new ClaimsError(`URLs[${i}] ${JSON.stringify(url)} is not a valid pattern: it ${problem}`);
    return url;
  });
}

function normaliseVerbs(verbs: readonly string[]): HttpVerb[] {
  if (!Array.isArray(verbs) || verbs.length === 0) throw new ClaimsError('verbs must be a non-empty list of HTTP verbs');
  const out: HttpVerb[] = [];
  for (const verb of verbs) {
    const lower = typeof verb === 'string' ? verb.toLowerCase() : verb;
    if (!isHttpVerb(lower)) {
      throw new ClaimsError(`unknown verb ${JSON.stringify(verb)} (expected one of ${HTTP_VERBS.join(', ')})`);
    }
    if (!out.includes(lower)) out.push(lower);
  }
  return out;
}

function checkText(value: unknown, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new ClaimsError(`${what} must be a non-empty string`);
  if (value.length > MAX_TEXT_LENGTH) throw new ClaimsError(`${what} is longer than ${MAX_TEXT_LENGTH} characters`);
  if (/\p{Cc}/u.test(value)) throw new ClaimsError(`${what} contains a control character`);
  return value;
}

function checkAudience(aud: string | readonly string[]): string | string[] {
  if (typeof aud === 'string') return checkText(aud, 'aud') as string;
  if (!Array.isArray(aud) || aud.length === 0) throw new ClaimsError('aud must be a string or a non-empty list of strings');
  return aud.map((a, i) => checkText(a, `aud[${i}]`) as string);
}

type ErrorClass = new (message: string) => Error;

function checkRestrictions(value: unknown, Err: ErrorClass): GatepassRestrictions | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Err('gatepass must be an object');
  const { viewOnly, maxUses, label } = value as Record<string, unknown>;
  const out: GatepassRestrictions = {};
  if (viewOnly !== undefined) {
    if (typeof viewOnly !== 'boolean') throw new Err('gatepass.viewOnly must be true or false');
    if (viewOnly) out.viewOnly = true;
  }
  if (maxUses !== undefined) {
    if (typeof maxUses !== 'number' || !Number.isInteger(maxUses) || maxUses < 1 || maxUses > MAX_USES_LIMIT) {
      throw new Err(`gatepass.maxUses must be a whole number from 1 to ${MAX_USES_LIMIT}`);
    }
    out.maxUses = maxUses;
  }
  if (label !== undefined) {
    if (typeof label !== 'string') throw new Err('gatepass.label must be a string');
    if (label.length > MAX_TEXT_LENGTH) throw new Err(`gatepass.label is longer than ${MAX_TEXT_LENGTH} characters`);
    if (/\p{Cc}/u.test(label)) throw new Err('gatepass.label contains a control character');
    if (label !== '') out.label = label;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

function restrictVerbs(verbs: readonly HttpVerb[], viewOnly: boolean): string[] {
  return verbs.map((v) => (viewOnly && v === 'get' ? VIEW_VERB : `${GATEPASS_VERB_PREFIX}${v}`));
}

/** Whether the token carries a restriction that only Gatepass's gateway enforces. */
export function isRestricted(claims: TokenClaims): boolean {
  return isViewOnly(claims) || claims.gatepass?.maxUses !== undefined;
}

/** View-only when the claim says so or when a verb does: either way errs on the safe side. */
export function isViewOnly(claims: TokenClaims): boolean {
  return claims.gatepass?.viewOnly === true || claims.verbs.includes(VIEW_VERB);
}

/**
 * The HTTP verbs Gatepass's gateway grants: Gatepass verbs mapped back
 * (gatepass:view → get, gatepass:v → v), plain HTTP verbs kept, anything
 * else dropped.
 */
export function effectiveVerbs(claims: TokenClaims): HttpVerb[] {
  const out: HttpVerb[] = [];
  for (const verb of claims.verbs) {
    const mapped = verb === VIEW_VERB ? 'get' : verb.startsWith(GATEPASS_VERB_PREFIX) ? verb.slice(GATEPASS_VERB_PREFIX.length) : verb;
    if (isHttpVerb(mapped) && !out.includes(mapped)) out.push(mapped);
  }
  return out;
}

export type ClaimsFailure = 'malformed' | 'expired' | 'not-yet-valid' | 'lifetime-too-long' | 'wrong-audience';

export type ClaimsResult =
  | { ok: true; claims: TokenClaims }
  | { ok: false; reason: ClaimsFailure; message: string; claims?: TokenClaims };

export interface ValidateOptions {
  /** Unix milliseconds. */
  now: number;
  /** Leeway on both nbf and exp; default 0 (a fresh link is already backdated by 60 s). */
  clockSkewMs?: number;
  /** Longest exp − nbf accepted, on top of the 60 s start backdate. */
  maxLifetimeMs?: number;
  /** When given, a token with `aud` must name one of these. A token without `aud` is accepted. */
  audiences?: readonly string[];
}

class MalformedClaims extends Error {}

/**
 * Reads claims from a decoded JWT payload; throws ClaimsError saying what is
 * wrong. Only known claims are kept.
 */
export function parseClaims(payload: unknown): TokenClaims {
  try {
    return readClaims(payload);
  } catch (error) {
    if (error instanceof MalformedClaims) throw new ClaimsError(`malformed token claims: ${error.message}`);
    throw error;
  }
}

function readClaims(payload: unknown): TokenClaims {
  const bad = (message: string) => new MalformedClaims(message);
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw bad('the payload is not a JSON object');
  const p = payload as Record<string, unknown>;

  if (!Array.isArray(p.URLs) || p.URLs.length === 0) throw bad('URLs must be a non-empty array');
  const urls = p.URLs.map((url: unknown, i) => {
    if (typeof url !== 'string') throw bad(`URLs[${i}] is not a string`);
    const problem = checkPattern(url, 'url');
    if (problem !== undefined) throw bad(`URLs[${i}] ${JSON.stringify(url)} ${problem}`);
    return url;
  });
  if (!Array.isArray(p.verbs)) throw bad('verbs must be an array');
  const verbs = p.verbs.map((verb: unknown, i) => {
    if (typeof verb !== 'string') throw bad(`verbs[${i}] is not a string`);
    return verb;
  });
  const time = (name: string, required: boolean): number | undefined => {
    const v = p[name];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`${name} must be a number of seconds, got ${JSON.stringify(v) ?? 'nothing'}`);
    return v;
  };
  const nbf = time('nbf', true) as number;
  const exp = time('exp', true) as number;
  if (exp <= nbf) throw bad(`exp (${isoSeconds(exp)}) is not after nbf (${isoSeconds(nbf)})`);

  const claims: TokenClaims = { URLs: urls, verbs, nbf, exp };
  const iat = time('iat', false);
  if (iat !== undefined) claims.iat = iat;
  for (const name of ['id', 'jti', 'sub'] as const) {
    const v = p[name];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw bad(`${name} must be a string`);
    claims[name] = v;
  }
  if (p.aud !== undefined) {
    if (typeof p.aud === 'string') claims.aud = p.aud;
    else if (Array.isArray(p.aud) && p.aud.every((a) => typeof a === 'string')) claims.aud = [...(p.aud as string[])];
    else throw bad('aud must be a string or an array of strings');
  }
  if (p.gatepass !== undefined) {
    const restrictions = checkRestrictions(p.gatepass, MalformedClaims);
    if (restrictions !== undefined) claims.gatepass = restrictions;
  }
  return claims;
}

/** Checks a decoded JWT payload against the clock and the gateway's limits. */
export function validateClaims(payload: unknown, options: ValidateOptions): ClaimsResult {
  let claims: TokenClaims;
  try {
    claims = parseClaims(payload);
  } catch (error) {
    if (error instanceof ClaimsError) return { ok: false, reason: 'malformed', message: error.message };
    throw error;
  }
  const { now, clockSkewMs = 0, maxLifetimeMs, audiences } = options;
  const lifetimeMs = (claims.exp - claims.nbf) * 1000;
  // Written as "not within" so that a NaN limit refuses rather than allows.
  if (maxLifetimeMs !== undefined && !(lifetimeMs <= maxLifetimeMs + START_BACKDATE_MS)) {
    return {
      ok: false,
      reason: 'lifetime-too-long',
      message: `the link is valid for ${describeSpan(lifetimeMs)}, longer than this gateway's maximum of ${describeSpan(maxLifetimeMs)}`,
      claims,
    };
  }
  if (audiences !== undefined && claims.aud !== undefined) {
    const named = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
    if (!named.some((a) => audiences.includes(a))) {
      return {
        ok: false,
        reason: 'wrong-audience',
        message: `the link is for ${named.map((a) => JSON.stringify(a)).join(', ')}, not for this gateway`,
        claims,
      };
    }
  }
  if (now + clockSkewMs < claims.nbf * 1000) {
    return { ok: false, reason: 'not-yet-valid', message: `the link is not valid yet: it is valid from ${isoSeconds(claims.nbf)}`, claims };
  }
  if (now - clockSkewMs >= claims.exp * 1000) {
    return { ok: false, reason: 'expired', message: `the link expired at ${isoSeconds(claims.exp)}`, claims };
  }
  return { ok: true, claims };
}

/** A Go duration for messages; a forged token's span may be beyond what Go can express. */
function describeSpan(ms: number): string {
  return ms >= 0 && ms <= MAX_DURATION_MS ? formatDuration(ms) : `${ms / 1000} s`;
}

/** An ISO 8601 time for unix seconds, or the raw number when it is outside Date's range. */
function isoSeconds(seconds: number): string {
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? `${seconds} (unix seconds)` : date.toISOString();
}
