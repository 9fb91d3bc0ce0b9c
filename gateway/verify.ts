// Token → decision: the check every proxied request and console websocket goes
// through. Order matters for safety and for the message a person sees: the
// token's form and algorithm are judged before any key is touched, the signature
// before any claim is believed, and the claims before the request is compared
// with what they grant.
//
// Audience: a token that names an `aud` is accepted only by a gateway that
// was told it is that audience (`--audience`). A gateway without audiences
// therefore refuses every token with an `aud` — it cannot know that the token
// was meant for it. Tokens without `aud` (kube-gateway's) are accepted anywhere.
import { compactVerify, decodeProtectedHeader, errors } from 'jose';
import type { PublicKeyWithKid } from '../shared/node/keys.ts';
import { effectiveVerbs, isViewOnly, validateClaims } from '../shared/claims.ts';
import type { ClaimsFailure, TokenClaims } from '../shared/claims.ts';
import { authorizePath, checkPath } from '../shared/url-policy.ts';
import { requestVerb, VerbError } from '../shared/verbs.ts';
import { Lru } from './lru.ts';

export const ACCEPTED_ALGORITHMS = ['RS256', 'RS384', 'RS512'] as const;

/** Far above any real token (a few hundred bytes) and below common header limits. */
export const MAX_TOKEN_LENGTH = 8 * 1024;

// The signature may be empty so that `alg: none` is refused as such, by the alg check.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export interface RequestTarget {
  readonly method: string;
  /** The path that will be forwarded, without its query. */
  readonly path: string;
  readonly upgrade: boolean;
}

export type RejectReason =
  | 'too-large'
  | 'malformed'
  | 'alg'
  | 'no-keys'
  | 'unknown-kid'
  | 'bad-signature'
  | 'expired'
  | 'not-yet-valid'
  | 'lifetime'
  | 'audience'
  | 'ambiguous-path'
  | 'ceiling'
  | 'path'
  | 'verb'
  /** Set by the gateway's revocation list, after verification. */
  | 'revoked';

export interface Allow {
  readonly allow: true;
  readonly claims: TokenClaims;
  /** The key that verified the signature. */
  readonly kid: string;
  /** The console must drop input: the RFB filter's job, not the proxy's. */
  readonly viewOnly: boolean;
}

export interface Reject {
  readonly allow: false;
  /** 400 ambiguous path, 401 no valid token, 403 not allowed by the token, 431 too large, 503 no keys. */
  readonly status: 400 | 401 | 403 | 431 | 503;
  readonly reason: RejectReason;
  /** For a person; never contains the token. */
  readonly message: string;
}

export type Decision = Allow | Reject;

export interface VerifierOptions {
  /** The keys in force now; called on every check, so rotation needs no restart. */
  readonly keys: () => readonly PublicKeyWithKid[];
  readonly clockSkewMs: number;
  readonly maxLifetimeMs: number;
  /** This gateway's names; a token with `aud` must carry one of them. */
  readonly audiences: readonly string[];
  /** `--allowed-url` ceiling patterns; empty: no ceiling. */
  readonly ceiling: readonly string[];
  /** Unix milliseconds; Date.now by default. */
  readonly now?: () => number;
  /**
   * Signature-verified tokens remembered, each with its claims and its
   * decisions for the last few request targets; 0 turns the cache off.
   */
  readonly cacheSize?: number;
}

/** Checks a token, and with a target whether it allows that request; without one, whether it is valid at all. */
export type Verify = (token: string, target?: RequestTarget) => Promise<Decision>;

const CLAIMS_REASON: Readonly<Record<ClaimsFailure, RejectReason>> = {
  malformed: 'malformed',
  expired: 'expired',
  'not-yet-valid': 'not-yet-valid',
  'lifetime-too-long': 'lifetime',
  'wrong-audience': 'audience',
};

function reject(status: Reject['status'], reason: RejectReason, message: string): Reject {
  return { allow: false, status, reason, message };
}

/** Claims that passed every check not depending on the clock, and what they decided per request target. */
interface ValidClaims {
  readonly claims: TokenClaims;
  readonly allowed: Allow;
  /** Keyed by method, kind of request and path; the most recently asked kept. */
  readonly targets: Lru<string, Decision>;
}

/** A token whose signature checked out, and what follows from the token alone. */
interface Verified {
  readonly payload: unknown;
  readonly kid: string;
  /** The key list last seen to hold `kid`: while the gateway's keys are that same list, the key is in force. */
  keys: readonly PublicKeyWithKid[];
  valid?: ValidClaims;
}

/** Request targets remembered per token: a link is made for one console or a few objects. */
const TARGETS_PER_TOKEN = 8;
/** A longer target (a huge path) is judged every time rather than kept, so the cache's memory stays small. */
const MAX_TARGET_KEY_LENGTH = 1024;

type Signed = Verified | Reject;

export function createVerifier(options: VerifierOptions): Verify {
  const now = options.now ?? Date.now;
  const cacheSize = options.cacheSize ?? 1024;
  // Signature checks are the costly part, and every proxied request asks the
  // same question again: the token's signature, its validated claims and the
  // decision per request target are remembered. They count only while the key
  // that verified the token is in force and the clock is inside the token's
  // validity (judged exactly as validateClaims does). Revocation is the
  // caller's: it is never cached here.
  const verified = new Lru<string, Verified>(cacheSize);

  function inForce(entry: Verified, keys: readonly PublicKeyWithKid[]): boolean {
    if (entry.keys === keys) return true;
    if (!keys.some((key) => key.kid === entry.kid)) return false;
    entry.keys = keys;
    return true;
  }

  function isCurrent(claims: TokenClaims, at: number): boolean {
    return !(at + options.clockSkewMs < claims.nbf * 1000) && !(at - options.clockSkewMs >= claims.exp * 1000);
  }

  const noKeys = (): Reject => reject(503, 'no-keys', 'the gateway has no public key loaded yet, so it cannot check any token');

  /** A remembered token while its key is in force; it passed the checks on its form and header once, and they depend on nothing else. */
  function remembered(token: string): Signed | undefined {
    const cached = verified.get(token);
    if (!cached) return undefined;
    const keys = options.keys();
    if (keys.length === 0) return noKeys();
    if (inForce(cached, keys)) return cached;
    verified.delete(token);
    return undefined;
  }

  async function checkSignature(token: string): Promise<Signed> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return reject(401, 'malformed', 'the token is not a signed JWT: its header cannot be read');
    }
    const { alg, kid } = header;
    if (typeof alg !== 'string' || !(ACCEPTED_ALGORITHMS as readonly string[]).includes(alg)) {
      return reject(401, 'alg', `the token is signed with ${JSON.stringify(alg ?? null)}; only ${ACCEPTED_ALGORITHMS.join(', ')} are accepted`);
    }
    if (kid !== undefined && typeof kid !== 'string') {
      return reject(401, 'malformed', 'the token header has a kid that is not a string');
    }
    const keys = options.keys();
    if (keys.length === 0) return noKeys();

    const candidates = kid === undefined ? keys : keys.filter((key) => key.kid === kid);
    if (candidates.length === 0) {
      return reject(401, 'unknown-kid', `the token was signed with key ${JSON.stringify(kid)}, which this gateway does not trust (retired or never published)`);
    }
    for (const key of candidates) {
      try {
        const { payload } = await compactVerify(token, key.key, { algorithms: [...ACCEPTED_ALGORITHMS] });
        const entry: Verified = { payload: JSON.parse(new TextDecoder().decode(payload)) as unknown, kid: key.kid, keys };
        verified.set(token, entry);
        return entry;
      } catch (error) {
        if (error instanceof SyntaxError) return reject(401, 'malformed', 'the token payload is not JSON');
        if (error instanceof errors.JWSSignatureVerificationFailed) continue;
        if (error instanceof errors.JOSEError) return reject(401, 'malformed', `the token is not a valid JWS: ${error.message}`);
        throw error;
      }
    }
    const which = kid === undefined ? `any of the ${keys.length} public key${keys.length === 1 ? '' : 's'} this gateway trusts` : `key ${JSON.stringify(kid)}`;
    return reject(401, 'bad-signature', `the token's signature does not verify with ${which}`);
  }

  function checkRequest(claims: TokenClaims, target: RequestTarget): Reject | undefined {
    const problem = checkPath(target.path);
    if (problem !== undefined) {
      return reject(400, 'ambiguous-path', `path ${JSON.stringify(target.path)} is refused: it ${problem}`);
    }
    if (options.ceiling.length > 0) {
      const ceiling = authorizePath(options.ceiling, target.path, 'ceiling');
      if (!ceiling.allowed) {
        return reject(403, 'ceiling', `path ${JSON.stringify(target.path)} is outside what this gateway lets any link reach (--allowed-url)`);
      }
    }
    const urls = authorizePath(claims.URLs, target.path, 'url');
    if (!urls.allowed) {
      return reject(403, 'path', `the link does not allow ${JSON.stringify(target.path)}: it allows ${claims.URLs.map((u) => JSON.stringify(u)).join(', ')}`);
    }
    let verb: string;
    try {
      verb = requestVerb(target.method, { upgrade: target.upgrade });
    } catch (error) {
      if (error instanceof VerbError) return reject(403, 'verb', error.message);
      throw error;
    }
    const granted = effectiveVerbs(claims);
    if (!(granted as string[]).includes(verb)) {
      const allows = granted.length === 0 ? 'no HTTP verb this gateway knows' : granted.join(', ');
      const what = target.upgrade ? 'a console websocket, which needs get' : target.method;
      return reject(403, 'verb', `the link does not allow ${what}; it allows ${allows}`);
    }
    return undefined;
  }

  function currentClaims(signed: Verified): ValidClaims | Reject {
    const at = now();
    if (signed.valid && isCurrent(signed.valid.claims, at)) return signed.valid;
    const result = validateClaims(signed.payload, {
      now: at,
      clockSkewMs: options.clockSkewMs,
      maxLifetimeMs: options.maxLifetimeMs,
      audiences: options.audiences,
    });
    if (!result.ok) {
      const unconfigured = result.reason === 'wrong-audience' && options.audiences.length === 0;
      const message = unconfigured ? `${result.message} (this gateway has no --audience, so it accepts no token that names one)` : result.message;
      return reject(401, CLAIMS_REASON[result.reason], message);
    }
    const { claims } = result;
    signed.valid ??= { claims, allowed: { allow: true, claims, kid: signed.kid, viewOnly: isViewOnly(claims) }, targets: new Lru(TARGETS_PER_TOKEN) };
    return signed.valid;
  }

  function decide(valid: ValidClaims, target: RequestTarget): Decision {
    // Methods hold no newline, so the key names one target.
    const key = `${target.method}\n${target.upgrade ? 'upgrade' : 'http'}\n${target.path}`;
    const known = valid.targets.get(key);
    if (known) return known;
    const decision = checkRequest(valid.claims, target) ?? valid.allowed;
    if (key.length <= MAX_TARGET_KEY_LENGTH) valid.targets.set(key, decision);
    return decision;
  }

  return async function verify(token, target) {
    let signed = remembered(token);
    if (!signed) {
      if (token.length > MAX_TOKEN_LENGTH) {
        return reject(431, 'too-large', `the token is ${token.length} bytes, more than the ${MAX_TOKEN_LENGTH} this gateway accepts`);
      }
      if (!COMPACT_JWS.test(token)) {
        return reject(401, 'malformed', 'the token is not a signed JWT (three base64url parts separated by dots)');
      }
      signed = await checkSignature(token);
    }
    if ('allow' in signed) return signed;
    const valid = currentClaims(signed);
    if ('allow' in valid) return valid;
    return target ? decide(valid, target) : valid.allowed;
  };
}
