import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ClaimsError,
  START_BACKDATE_MS,
  buildClaims,
  effectiveVerbs,
  isRestricted,
  isViewOnly,
  parseClaims,
  parseFrom,
  validateClaims,
  type BuildClaimsInput,
  type TokenClaims,
} from './claims.ts';
import { vncPath } from './kubevirt-paths.ts';

const NOW = Date.UTC(2025, 0, 31, 9, 0, 0, 500);
const NOW_S = Math.floor(NOW / 1000);
const HOUR_S = 3600;
const VNC = vncPath('ns', 'vm');

function build(overrides: Partial<BuildClaimsInput> = {}): TokenClaims {
  return buildClaims({ urls: [VNC], now: NOW, id: 'id-1', ...overrides });
}

describe('buildClaims', () => {
  it('starts now, backdated by a minute, and lasts the full duration from now', () => {
    const claims = build();
    expect(claims).toEqual({
      URLs: [VNC],
      verbs: ['get'],
      nbf: NOW_S - 60,
      iat: NOW_S - 60,
      exp: NOW_S + HOUR_S,
      id: 'id-1',
      jti: 'id-1',
    });
    expect(build({ from: 'now', duration: '25m' }).exp).toBe(NOW_S + 25 * 60);
  });

  it('starts at an explicit RFC 3339 time or Date', () => {
    const claims = build({ from: '2025-02-01T10:00:00Z', duration: '1h30m' });
    const from = Date.UTC(2025, 1, 1, 10) / 1000;
    expect(claims.nbf).toBe(from);
    expect(claims.exp).toBe(from + 90 * 60);
    expect(claims.iat).toBe(NOW_S - 60);
    expect(build({ from: new Date(from * 1000) }).nbf).toBe(from);
    expect(build({ from: '2025-02-01T11:00:00+01:00' }).nbf).toBe(from);
  });

  it('lower-cases and de-duplicates verbs', () => {
    expect(build({ verbs: ['GET', 'Post', 'get'] }).verbs).toEqual(['get', 'post']);
  });

  it('takes the id from randomId when none is given', () => {
    let calls = 0;
    const claims = buildClaims({ urls: [VNC], now: NOW, randomId: () => `r${++calls}` });
    expect(claims.id).toBe('r1');
    expect(claims.jti).toBe('r1');
    expect(build({ randomId: () => 'unused' }).id).toBe('id-1');
  });

  it('carries sub and aud', () => {
    const claims = build({ sub: 'alice@example.com', aud: 'https://gw.example.com' });
    expect(claims.sub).toBe('alice@example.com');
    expect(claims.aud).toBe('https://gw.example.com');
    expect(build({ aud: ['https://a', 'https://b'] }).aud).toEqual(['https://a', 'https://b']);
  });

  it('makes restricted tokens fail closed with Gatepass verbs', () => {
    const viewOnly = build({ verbs: ['get', 'head'], restrictions: { viewOnly: true } });
    expect(viewOnly.verbs).toEqual(['gatepass:view', 'gatepass:head']);
    expect(viewOnly.gatepass).toEqual({ viewOnly: true });
    const limited = build({ restrictions: { maxUses: 1, label: 'for a contractor' } });
    expect(limited.verbs).toEqual(['gatepass:get']);
    expect(limited.gatepass).toEqual({ maxUses: 1, label: 'for a contractor' });
  });

  it('keeps plain verbs when nothing is restricted', () => {
    const labelled = build({ restrictions: { label: 'demo' } });
    expect(labelled.verbs).toEqual(['get']);
    expect(labelled.gatepass).toEqual({ label: 'demo' });
    const none = build({ restrictions: { viewOnly: false, label: '' } });
    expect(none.verbs).toEqual(['get']);
    expect(none.gatepass).toBeUndefined();
  });

  it.each<[string, Partial<BuildClaimsInput>, string | RegExp]>([
    ['no URLs', { urls: [] }, 'URLs must be a non-empty list of path patterns'],
    ['an empty URL', { urls: [''] }, 'URLs[0] "" is not a valid pattern: it is empty'],
    ['a dot segment', { urls: [VNC, '/api/../x'] }, 'URLs[1] "/api/../x" is not a valid pattern: it contains a dot segment ("..")'],
    ['no verbs', { verbs: [] }, 'verbs must be a non-empty list of HTTP verbs'],
    ['an unknown verb', { verbs: ['get', 'watch'] }, 'unknown verb "watch" (expected one of get, head, post, put, patch, delete, options)'],
    ['a bad duration', { duration: '1d' }, 'invalid duration "1d": unknown unit "d"'],
    ['an empty duration', { duration: '' }, 'invalid duration "": empty'],
    ['a negative duration', { duration: '-1h' }, 'negative durations are not allowed'],
    ['a zero duration', { duration: '0s' }, 'duration "0s" is shorter than one second'],
    ['a sub-second duration', { duration: '300ms' }, 'duration "300ms" is shorter than one second; tokens count time in whole seconds'],
    ['a duration over the maximum', { duration: '25h', maxLifetimeMs: 24 * 3600_000 }, 'duration "25h" is longer than the maximum link lifetime of 24h0m0s'],
    ['a bad from', { from: 'tomorrow' }, 'invalid from "tomorrow": expected an RFC 3339 time such as "2025-01-31T09:00:00Z" or "now"'],
    ['a from without zone', { from: '2025-02-01T10:00:00' }, 'invalid from "2025-02-01T10:00:00"'],
    ['an impossible date', { from: '2025-02-30T10:00:00Z' }, 'invalid from "2025-02-30T10:00:00Z": no such date or time'],
    ['an impossible time', { from: '2025-02-01T24:00:00Z' }, 'no such date or time'],
    ['a bad offset', { from: '2025-02-01T10:00:00+24:00' }, 'time zone offset out of range'],
    ['an invalid Date', { from: new Date(Number.NaN) }, 'from is an invalid Date'],
    ['a link over before now', { from: '2025-01-31T07:00:00Z', duration: '1h' }, 'the link would already have expired: from 2025-01-31T07:00:00.000Z for 1h ends at 2025-01-31T08:00:00.000Z'],
    ['no id', { id: undefined }, 'an id is required: pass id or randomId'],
    ['an empty id', { id: '' }, 'id must be a non-empty string'],
    ['a control character in sub', { sub: 'a\nb' }, 'sub contains a control character'],
    ['an empty aud list', { aud: [] }, 'aud must be a string or a non-empty list of strings'],
    ['a zero maxUses', { restrictions: { maxUses: 0 } }, 'gatepass.maxUses must be a whole number from 1 to 1000000'],
    ['a fractional maxUses', { restrictions: { maxUses: 1.5 } }, 'gatepass.maxUses must be a whole number'],
    ['a long label', { restrictions: { label: 'x'.repeat(257) } }, 'gatepass.label is longer than 256 characters'],
    ['a bad clock', { now: Number.NaN }, 'now must be a finite number of milliseconds, got NaN'],
    ['a bad maximum', { maxLifetimeMs: Number.NaN }, 'maxLifetimeMs must be a positive number, got NaN'],
  ])('refuses %s', (_what, overrides, message) => {
    expect(() => build(overrides)).toThrow(ClaimsError);
    expect(() => build(overrides)).toThrow(message);
  });

  it('always yields exp after nbf and after now, within the requested duration', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 * 24 * 3600 }),
        fc.integer({ min: 0, max: 2_000_000_000_000 }),
        fc.option(fc.integer({ min: -3600, max: 30 * 24 * 3600 }), { nil: undefined }),
        (seconds, now, offset) => {
          const from = offset === undefined ? undefined : new Date(now + offset * 1000);
          let claims: TokenClaims;
          try {
            claims = buildClaims({ urls: ['/*'], now, id: 'x', duration: `${seconds}s`, from });
          } catch (error) {
            expect(error).toBeInstanceOf(ClaimsError);
            expect(offset !== undefined && offset + seconds <= 0).toBe(true);
            return;
          }
          expect(claims.exp).toBeGreaterThan(claims.nbf);
          expect(claims.exp * 1000).toBeGreaterThan(now);
          expect(claims.exp - claims.nbf).toBeLessThanOrEqual(seconds + START_BACKDATE_MS / 1000 + 1);
          expect(validateClaims(claims, { now: Math.max(now, claims.nbf * 1000) }).ok).toBe(true);
        },
      ),
    );
  });
});

describe('parseFrom', () => {
  it('reads fractions, lowercase separators and years before 100', () => {
    expect(parseFrom('2025-01-31t09:00:00.250z')).toBe(Date.UTC(2025, 0, 31, 9, 0, 0, 250));
    expect(parseFrom('2025-01-31T09:00:00-05:30')).toBe(Date.UTC(2025, 0, 31, 14, 30));
    expect(parseFrom('0050-01-01T00:00:00Z')).toBe(new Date('0050-01-01T00:00:00Z').getTime());
  });
});

describe('effectiveVerbs and restrictions', () => {
  const claims = (verbs: string[], gatepass?: TokenClaims['gatepass']): TokenClaims => ({ URLs: ['/*'], verbs, nbf: 0, exp: 1, gatepass });

  it('maps Gatepass verbs back to HTTP verbs', () => {
    expect(effectiveVerbs(claims(['gatepass:view', 'gatepass:head']))).toEqual(['get', 'head']);
    expect(effectiveVerbs(claims(['gatepass:get', 'gatepass:post']))).toEqual(['get', 'post']);
    expect(effectiveVerbs(claims(['get', 'gatepass:get']))).toEqual(['get']);
    expect(effectiveVerbs(claims(['gatepass:watch', 'watch', 'GET', 'gatepass:gatepass:get']))).toEqual([]);
  });

  it('round-trips what buildClaims restricts', () => {
    const verbs = ['get', 'post', 'delete'];
    for (const restrictions of [{ viewOnly: true }, { maxUses: 3 }, { viewOnly: true, maxUses: 1 }]) {
      const built = build({ verbs, restrictions });
      expect(built.verbs.every((v) => v.startsWith('gatepass:'))).toBe(true);
      expect(effectiveVerbs(built)).toEqual(verbs);
      expect(isRestricted(built)).toBe(true);
    }
  });

  it('treats either signal of view-only as view-only', () => {
    expect(isViewOnly(claims(['get'], { viewOnly: true }))).toBe(true);
    expect(isViewOnly(claims(['gatepass:view']))).toBe(true);
    expect(isViewOnly(claims(['get', 'gatepass:get']))).toBe(false);
    expect(isRestricted(claims(['get'], { label: 'x' }))).toBe(false);
    expect(isRestricted(claims(['get'], { maxUses: 2 }))).toBe(true);
  });
});

describe('parseClaims', () => {
  const good = { URLs: [VNC], verbs: ['get'], nbf: 100, exp: 200 };

  it('keeps known claims only', () => {
    const parsed = parseClaims({ ...good, id: 'a', jti: 'a', iat: 90, sub: 's', aud: ['x'], gatepass: { maxUses: 2, extra: 1 }, other: true });
    expect(parsed).toEqual({ ...good, id: 'a', jti: 'a', iat: 90, sub: 's', aud: ['x'], gatepass: { maxUses: 2 } });
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'x', 'the payload is not a JSON object'],
    ['an array', [], 'the payload is not a JSON object'],
    ['null', null, 'the payload is not a JSON object'],
    ['missing URLs', { ...good, URLs: undefined }, 'URLs must be a non-empty array'],
    ['empty URLs', { ...good, URLs: [] }, 'URLs must be a non-empty array'],
    ['a non-string URL', { ...good, URLs: [1] }, 'URLs[0] is not a string'],
    ['an empty URL', { ...good, URLs: [''] }, 'URLs[0] "" is empty'],
    ['missing verbs', { ...good, verbs: undefined }, 'verbs must be an array'],
    ['a non-string verb', { ...good, verbs: [1] }, 'verbs[0] is not a string'],
    ['a string exp', { ...good, exp: '200' }, 'exp must be a number of seconds, got "200"'],
    ['a missing nbf', { ...good, nbf: undefined }, 'nbf must be a number of seconds, got nothing'],
    ['exp not after nbf', { ...good, exp: 100 }, 'exp (1970-01-01T00:01:40.000Z) is not after nbf (1970-01-01T00:01:40.000Z)'],
    ['a string iat', { ...good, iat: 'x' }, 'iat must be a number of seconds'],
    ['a numeric id', { ...good, id: 5 }, 'id must be a string'],
    ['a bad aud', { ...good, aud: [1] }, 'aud must be a string or an array of strings'],
    ['a bad gatepass', { ...good, gatepass: [] }, 'gatepass must be an object'],
    ['a string viewOnly', { ...good, gatepass: { viewOnly: 'yes' } }, 'gatepass.viewOnly must be true or false'],
  ])('calls %s malformed', (_what, payload, message) => {
    expect(() => parseClaims(payload)).toThrow(ClaimsError);
    expect(() => parseClaims(payload)).toThrow(`malformed token claims: ${message}`);
  });
});

describe('validateClaims', () => {
  const claims = build({ duration: '1h' });

  it('accepts a token inside its window', () => {
    expect(validateClaims(claims, { now: NOW })).toEqual({ ok: true, claims });
    expect(validateClaims(claims, { now: claims.nbf * 1000 })).toEqual({ ok: true, claims });
    expect(validateClaims(claims, { now: claims.exp * 1000 - 1 }).ok).toBe(true);
  });

  it('says until when an expired token was valid', () => {
    expect(validateClaims(claims, { now: claims.exp * 1000 })).toEqual({
      ok: false,
      reason: 'expired',
      message: `the link expired at ${new Date(claims.exp * 1000).toISOString()}`,
      claims,
    });
  });

  it('says from when a future token is valid', () => {
    const later = build({ from: '2025-02-01T10:00:00Z' });
    expect(validateClaims(later, { now: NOW })).toEqual({
      ok: false,
      reason: 'not-yet-valid',
      message: 'the link is not valid yet: it is valid from 2025-02-01T10:00:00.000Z',
      claims: later,
    });
  });

  it('applies clock skew on both ends', () => {
    expect(validateClaims(claims, { now: claims.exp * 1000 + 4000, clockSkewMs: 5000 }).ok).toBe(true);
    expect(validateClaims(claims, { now: claims.nbf * 1000 - 4000, clockSkewMs: 5000 }).ok).toBe(true);
    expect(validateClaims(claims, { now: claims.exp * 1000 + 5000, clockSkewMs: 5000 }).ok).toBe(false);
  });

  it('refuses lifetimes over the maximum, allowing for the start backdate', () => {
    const day = build({ duration: '24h' });
    expect(validateClaims(day, { now: NOW, maxLifetimeMs: 24 * 3600_000 }).ok).toBe(true);
    expect(validateClaims(day, { now: NOW, maxLifetimeMs: 12 * 3600_000 })).toEqual({
      ok: false,
      reason: 'lifetime-too-long',
      message: "the link is valid for 24h1m0s, longer than this gateway's maximum of 12h0m0s",
      claims: day,
    });
  });

  it('describes a forged, absurdly long lifetime without failing', () => {
    const forged = { URLs: ['/*'], verbs: ['get'], nbf: 0, exp: 1e15 };
    expect(validateClaims(forged, { now: NOW, maxLifetimeMs: 3600_000 })).toMatchObject({
      ok: false,
      reason: 'lifetime-too-long',
      message: "the link is valid for 1000000000000000 s, longer than this gateway's maximum of 1h0m0s",
    });
  });

  it('refuses everything under a nonsensical maximum', () => {
    expect(validateClaims(claims, { now: NOW, maxLifetimeMs: Number.NaN })).toMatchObject({ ok: false, reason: 'lifetime-too-long' });
  });

  it('checks the audience when the token names one', () => {
    const forA = build({ aud: 'https://a.example' });
    expect(validateClaims(forA, { now: NOW, audiences: ['https://a.example'] }).ok).toBe(true);
    expect(validateClaims(forA, { now: NOW, audiences: ['https://b.example'] })).toMatchObject({
      ok: false,
      reason: 'wrong-audience',
      message: 'the link is for "https://a.example", not for this gateway',
    });
    expect(validateClaims(claims, { now: NOW, audiences: ['https://b.example'] }).ok).toBe(true);
  });

  it('reports malformed payloads without claims', () => {
    expect(validateClaims({ URLs: ['/a'], verbs: ['get'], nbf: 1, exp: '2' }, { now: NOW })).toEqual({
      ok: false,
      reason: 'malformed',
      message: 'malformed token claims: exp must be a number of seconds, got "2"',
    });
  });
});
