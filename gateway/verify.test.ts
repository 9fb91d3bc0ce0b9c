import { createHmac, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { CompactSign, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { rsaThumbprint } from '../shared/node/keys.ts';
import type { PublicKeyWithKid } from '../shared/node/keys.ts';
import { splitRequestTarget } from '../shared/url-policy.ts';
import { createVerifier, MAX_TOKEN_LENGTH } from './verify.ts';
import type { Decision, RequestTarget, VerifierOptions } from './verify.ts';

const NOW = Date.UTC(2025, 0, 31, 9, 0, 0);
const nowSec = NOW / 1000;
const HOUR = 3600;
const VNC = '/apis/subresources.kubevirt.io/v1/namespaces/demo/virtualmachineinstances/vm1/vnc';

function keyPair() {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const published: PublicKeyWithKid = { kid: rsaThumbprint(pair.publicKey), key: pair.publicKey, source: 'test' };
  return { ...pair, published };
}

const current = keyPair();
const next = keyPair();
const stranger = keyPair();

type Claims = Record<string, unknown>;

function claims(overrides: Claims = {}): Claims {
  return { URLs: [VNC], verbs: ['get'], nbf: nowSec - 60, exp: nowSec + HOUR, id: 'link-1', ...overrides };
}

async function sign(payload: Claims = claims(), options: { key?: KeyObject; alg?: string; kid?: string } = {}): Promise<string> {
  const header: { alg: string; typ: string; kid?: string } = { alg: options.alg ?? 'RS256', typ: 'JWT' };
  if (options.kid !== undefined) header.kid = options.kid;
  return new SignJWT(payload).setProtectedHeader(header).sign(options.key ?? current.privateKey);
}

function b64(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

function verifier(overrides: Partial<VerifierOptions> = {}) {
  return createVerifier({
    keys: () => [current.published],
    clockSkewMs: 30_000,
    maxLifetimeMs: 168 * HOUR * 1000,
    audiences: [],
    ceiling: [],
    now: () => NOW,
    ...overrides,
  });
}

const console: RequestTarget = { method: 'GET', path: VNC, upgrade: true };
const get = (path: string): RequestTarget => ({ method: 'GET', path, upgrade: false });

function expectReject(decision: Decision, status: number, reason: string, message?: RegExp | string): void {
  expect(decision.allow ? 'allowed' : { status: decision.status, reason: decision.reason }).toEqual({ status, reason });
  if (!decision.allow && message !== undefined) {
    if (typeof message === 'string') expect(decision.message).toBe(message);
    else expect(decision.message).toMatch(message);
  }
}

describe('a genuine token', () => {
  it('opens its console and reports the key and claims', async () => {
    const decision = await verifier()(await sign(), console);
    expect(decision).toMatchObject({ allow: true, kid: current.published.kid, viewOnly: false, claims: { id: 'link-1', URLs: [VNC] } });
  });

  it('is judged valid on its own when no request is given', async () => {
    expect((await verifier()(await sign())).allow).toBe(true);
  });

  it('is accepted with RS384 and RS512 too', async () => {
    for (const alg of ['RS384', 'RS512']) {
      expect((await verifier()(await sign(claims(), { alg }), console)).allow, alg).toBe(true);
    }
  });
});

describe('forged and malformed tokens', () => {
  it('refuses alg none, with or without a signature', async () => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`;
    expectReject(await verifier()(unsigned, console), 401, 'alg', 'the token is signed with "none"; only RS256, RS384, RS512 are accepted');
    expectReject(await verifier()(`${unsigned}c2ln`, console), 401, 'alg');
    expectReject(await verifier()(`${b64({ alg: 'None' })}.${b64(claims())}.`, console), 401, 'alg');
  });

  it("refuses HS256 signed with the public key's PEM as the secret", async () => {
    const secret = current.publicKey.export({ format: 'pem', type: 'spki' }) as string;
    const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims())}`;
    const forged = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    expectReject(await verifier()(forged, console), 401, 'alg', /"HS256"/);
    const viaJose = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS512' }).sign(new TextEncoder().encode(secret));
    expectReject(await verifier()(viaJose, console), 401, 'alg', /"HS512"/);
  });

  it('refuses ES256 and PS256 even when the signature is genuine', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expectReject(await verifier()(await sign(claims(), { alg: 'ES256', key: ec.privateKey }), console), 401, 'alg');
    expectReject(await verifier()(await sign(claims(), { alg: 'PS256' }), console), 401, 'alg', /"PS256"/);
  });

  it('refuses a token signed with a key the gateway does not trust', async () => {
    const token = await sign(claims(), { key: stranger.privateKey });
    expectReject(await verifier()(token, console), 401, 'bad-signature', "the token's signature does not verify with any of the 1 public key this gateway trusts");
  });

  it('refuses a genuine signature over a tampered payload', async () => {
    const [header, , signature] = (await sign()).split('.');
    const tampered = `${header}.${b64(claims({ URLs: ['/*'], verbs: ['get', 'post'] }))}.${signature}`;
    expectReject(await verifier()(tampered, get('/api/v1/secrets')), 401, 'bad-signature');
  });

  it('refuses what is not a compact JWS', async () => {
    for (const token of ['', 'abc', 'a.b', 'a.b.c.d.e', 'a b.c.d', `${b64('{')}.${b64(claims())}.x`]) {
      expectReject(await verifier()(token, console), 401, 'malformed');
    }
  });

  it('refuses a signed payload that is not JSON or not claims', async () => {
    const bytes = await new CompactSign(new TextEncoder().encode('not json')).setProtectedHeader({ alg: 'RS256' }).sign(current.privateKey);
    expectReject(await verifier()(bytes, console), 401, 'malformed', 'the token payload is not JSON');
    const array = await new CompactSign(new TextEncoder().encode('[1]')).setProtectedHeader({ alg: 'RS256' }).sign(current.privateKey);
    expectReject(await verifier()(array, console), 401, 'malformed', /the payload is not a JSON object/);
    expectReject(await verifier()(await sign(claims({ URLs: [] })), console), 401, 'malformed', /URLs must be a non-empty array/);
    expectReject(await verifier()(await sign(claims({ URLs: [''] })), console), 401, 'malformed', /URLs\[0\] "" is empty/);
  });

  it('refuses an oversized token before parsing it', async () => {
    const big = await sign(claims({ padding: 'x'.repeat(MAX_TOKEN_LENGTH) }));
    expectReject(await verifier()(big, console), 431, 'too-large', new RegExp(`more than the ${MAX_TOKEN_LENGTH} this gateway accepts`));
    expectReject(await verifier()('x'.repeat(MAX_TOKEN_LENGTH + 1), console), 431, 'too-large');
  });

  it('refuses everything while no key is loaded', async () => {
    expectReject(await verifier({ keys: () => [] })(await sign(), console), 503, 'no-keys');
  });

  it('never puts the token in a message', async () => {
    const tokens = [
      await sign(claims(), { key: stranger.privateKey }),
      await sign(claims({ exp: nowSec - HOUR })),
      await sign(claims({ aud: 'https://elsewhere.example' })),
      await sign(claims(), { kid: 'nope' }),
      await sign(),
    ];
    for (const token of tokens) {
      const decision = await verifier()(token, { method: 'POST', path: VNC, upgrade: false });
      expect(decision.allow).toBe(false);
      if (!decision.allow) {
        for (const part of token.split('.')) expect(decision.message).not.toContain(part);
      }
    }
  });
});

describe('time', () => {
  it('refuses an expired token, saying when it expired', async () => {
    const token = await sign(claims({ nbf: nowSec - 2 * HOUR, exp: nowSec - HOUR }));
    expectReject(await verifier()(token, console), 401, 'expired', 'the link expired at 2025-01-31T08:00:00.000Z');
  });

  it('refuses a token that is not valid yet, saying from when', async () => {
    const token = await sign(claims({ nbf: nowSec + HOUR, exp: nowSec + 2 * HOUR }));
    expectReject(await verifier()(token, console), 401, 'not-yet-valid', 'the link is not valid yet: it is valid from 2025-01-31T10:00:00.000Z');
  });

  it('accepts within the clock skew on both ends, and not beyond', async () => {
    const early = await sign(claims({ nbf: nowSec + 29, exp: nowSec + HOUR }));
    const late = await sign(claims({ nbf: nowSec - HOUR, exp: nowSec - 29 }));
    expect((await verifier()(early, console)).allow).toBe(true);
    expect((await verifier()(late, console)).allow).toBe(true);
    expectReject(await verifier({ clockSkewMs: 0 })(early, console), 401, 'not-yet-valid');
    expectReject(await verifier({ clockSkewMs: 0 })(late, console), 401, 'expired');
    expectReject(await verifier()(await sign(claims({ nbf: nowSec + 31 })), console), 401, 'not-yet-valid');
    expectReject(await verifier()(await sign(claims({ nbf: nowSec - HOUR, exp: nowSec - 30 })), console), 401, 'expired');
  });

  it('requires exp and nbf as numbers', async () => {
    const { exp: _exp, ...noExp } = claims();
    const { nbf: _nbf, ...noNbf } = claims();
    expectReject(await verifier()(await sign(noExp), console), 401, 'malformed', /exp must be a number of seconds/);
    expectReject(await verifier()(await sign(noNbf), console), 401, 'malformed', /nbf must be a number of seconds/);
    expectReject(await verifier()(await sign(claims({ exp: String(nowSec + HOUR) })), console), 401, 'malformed', /exp must be a number/);
    expectReject(await verifier()(await sign(claims({ exp: null })), console), 401, 'malformed');
  });

  it('refuses a lifetime over the cap (beyond the 60 s start backdate) and accepts one at it', async () => {
    const options = { maxLifetimeMs: 2 * HOUR * 1000 };
    const atCap = await sign(claims({ nbf: nowSec - 60, exp: nowSec + 2 * HOUR }));
    const over = await sign(claims({ nbf: nowSec - 60, exp: nowSec + 2 * HOUR + 1 }));
    expect((await verifier(options)(atCap, console)).allow).toBe(true);
    expectReject(await verifier(options)(over, console), 401, 'lifetime', /longer than this gateway's maximum of 2h0m0s/);
    const forever = await sign(claims({ nbf: 0, exp: 4102444800 }));
    expectReject(await verifier()(forever, console), 401, 'lifetime');
  });
});

describe('paths', () => {
  const target = (path: string) => ({ method: 'GET', path, upgrade: false });

  it('refuses a path outside the patterns, naming what the link allows', async () => {
    const token = await sign();
    expectReject(await verifier()(token, target('/api/v1/namespaces/demo/secrets')), 403, 'path',
      `the link does not allow "/api/v1/namespaces/demo/secrets": it allows "${VNC}"`);
    expectReject(await verifier()(token, target(`${VNC}/`)), 403, 'path');
    expectReject(await verifier()(token, target(`${VNC}/screenshot`)), 403, 'path');
    expectReject(await verifier()(token, target(VNC.toUpperCase())), 403, 'path');
  });

  it('treats a trailing * as a raw prefix, as kube-gateway does', async () => {
    const segment = await sign(claims({ URLs: ['/apis/kubevirt.io/v1/namespaces/demo/*'] }));
    const raw = await sign(claims({ URLs: ['/apis/kubevirt.io/v1/namespaces/demo*'] }));
    expect((await verifier()(segment, target('/apis/kubevirt.io/v1/namespaces/demo/vms'))).allow).toBe(true);
    expectReject(await verifier()(segment, target('/apis/kubevirt.io/v1/namespaces/demo')), 403, 'path');
    expectReject(await verifier()(segment, target('/apis/kubevirt.io/v1/namespaces/demo-prod/vms')), 403, 'path');
    expect((await verifier()(raw, target('/apis/kubevirt.io/v1/namespaces/demo-prod/vms'))).allow).toBe(true);
  });

  it.each([
    ['a dot segment', `${VNC.replace('/vm1/', '/vm1/../vm2/')}`],
    ['a single dot segment', '/apis/kubevirt.io/v1/namespaces/demo/./x'],
    ['an empty segment', '/apis/kubevirt.io/v1/namespaces/demo//x'],
    ['an encoded slash', '/apis/kubevirt.io/v1/namespaces/demo/a%2Fb'],
    ['an encoded dot', '/apis/kubevirt.io/v1/namespaces/demo/%2e%2e/x'],
    ['a backslash', '/apis/kubevirt.io/v1/namespaces/demo/a\\b'],
    ['double encoding', '/apis/kubevirt.io/v1/namespaces/demo/%252F'],
    ['a query left in the path', '/apis/kubevirt.io/v1/namespaces/demo/x?y=1'],
  ])('refuses %s as ambiguous (400) even under a * pattern', async (_what, path) => {
    const token = await sign(claims({ URLs: ['/apis/kubevirt.io/v1/namespaces/demo/*'] }));
    expectReject(await verifier()(token, target(path)), 400, 'ambiguous-path', /^path ".*" is refused: it /);
  });

  it('matches the path without its query, so a query can neither grant nor smuggle a path', async () => {
    const token = await sign();
    const own = splitRequestTarget(`${VNC}?preserveSession=true`);
    expect(own).toEqual({ path: VNC, query: 'preserveSession=true' });
    expect((await verifier()(token, { ...console, path: own.path })).allow).toBe(true);
    const smuggled = splitRequestTarget(`/api/v1/secrets?x=${VNC}`);
    expectReject(await verifier()(token, target(smuggled.path)), 403, 'path');
  });

  it('applies the --allowed-url ceiling, with + as one segment, on top of the token', async () => {
    const ceiling = ['/apis/subresources.kubevirt.io/v1/namespaces/+/virtualmachineinstances/+/vnc'];
    const broad = await sign(claims({ URLs: ['/*'] }));
    expect((await verifier({ ceiling })(broad, console)).allow).toBe(true);
    expectReject(await verifier({ ceiling })(broad, target('/api/v1/namespaces/demo/secrets')), 403, 'ceiling', /outside what this gateway lets any link reach/);
    expectReject(await verifier({ ceiling })(broad, target(VNC.replace('/vm1/', '/vm1/extra/'))), 403, 'ceiling');
    expectReject(await verifier({ ceiling })(broad, target(`${VNC}/screenshot`)), 403, 'ceiling');
    expect((await verifier()(broad, target('/api/v1/namespaces/demo/secrets'))).allow).toBe(true);
  });
});

describe('verbs', () => {
  it('refuses POST, HEAD, OPTIONS and DELETE with a get-only token', async () => {
    const token = await sign();
    for (const method of ['POST', 'HEAD', 'OPTIONS', 'DELETE', 'PUT', 'PATCH']) {
      expectReject(await verifier()(token, { method, path: VNC, upgrade: false }), 403, 'verb', `the link does not allow ${method}; it allows get`);
    }
    expect((await verifier()(token, { method: 'GET', path: VNC, upgrade: false })).allow).toBe(true);
  });

  it('refuses methods that are not upper case or not HTTP verbs', async () => {
    const token = await sign(claims({ verbs: ['get', 'post'] }));
    for (const method of ['get', 'Post', 'TRACE', 'CONNECT', 'G ET', '']) {
      expectReject(await verifier()(token, { method, path: VNC, upgrade: false }), 403, 'verb');
    }
  });

  it('needs get for a websocket upgrade, and a GET to upgrade', async () => {
    const postOnly = await sign(claims({ verbs: ['post'] }));
    expectReject(await verifier()(postOnly, console), 403, 'verb', 'the link does not allow a console websocket, which needs get; it allows post');
    const both = await sign(claims({ verbs: ['get', 'post'] }));
    expectReject(await verifier()(both, { method: 'POST', path: VNC, upgrade: true }), 403, 'verb', /websocket upgrade must use GET/);
  });

  it("maps Gatepass's fail-closed verbs and reports view-only", async () => {
    const viewOnly = await sign(claims({ verbs: ['gatepass:view'], gatepass: { viewOnly: true } }));
    expect(await verifier()(viewOnly, console)).toMatchObject({ allow: true, viewOnly: true });
    expectReject(await verifier()(viewOnly, { method: 'POST', path: VNC, upgrade: false }), 403, 'verb');
    const limited = await sign(claims({ verbs: ['gatepass:get'], gatepass: { maxUses: 1 } }));
    expect(await verifier()(limited, console)).toMatchObject({ allow: true, viewOnly: false });
    const unknown = await sign(claims({ verbs: ['gatepass:teleport', 'GET'] }));
    expectReject(await verifier()(unknown, console), 403, 'verb', /it allows no HTTP verb this gateway knows/);
  });
});

describe('keys and rotation', () => {
  const both = () => [next.published, current.published];

  it('accepts tokens from both keys while both are published', async () => {
    const check = verifier({ keys: both });
    expect(await check(await sign(claims(), { key: current.privateKey }), console)).toMatchObject({ allow: true, kid: current.published.kid });
    expect(await check(await sign(claims(), { key: next.privateKey }), console)).toMatchObject({ allow: true, kid: next.published.kid });
  });

  it('uses the key the kid names, and refuses an unknown kid', async () => {
    const check = verifier({ keys: both });
    const named = await sign(claims(), { key: next.privateKey, kid: next.published.kid });
    expect(await check(named, console)).toMatchObject({ allow: true, kid: next.published.kid });
    const unknown = await sign(claims(), { key: stranger.privateKey, kid: stranger.published.kid });
    expectReject(await check(unknown, console), 401, 'unknown-kid', /which this gateway does not trust/);
    const mislabelled = await sign(claims(), { key: next.privateKey, kid: current.published.kid });
    expectReject(await check(mislabelled, console), 401, 'bad-signature', `the token's signature does not verify with key "${current.published.kid}"`);
  });

  it('refuses a kid that is not a string', async () => {
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid: 7 as unknown as string }).sign(current.privateKey);
    expectReject(await verifier()(token, console), 401, 'malformed', 'the token header has a kid that is not a string');
  });

  it('follows the keys as they change, even for a token it has already verified', async () => {
    let keys = [current.published];
    const check = verifier({ keys: () => keys });
    const old = await sign(claims(), { key: current.privateKey });
    const fresh = await sign(claims(), { key: next.privateKey });
    expect((await check(old, console)).allow).toBe(true);
    expectReject(await check(fresh, console), 401, 'bad-signature');
    keys = [next.published, current.published];
    expect((await check(fresh, console)).allow).toBe(true);
    expect((await check(old, console)).allow).toBe(true);
    keys = [next.published];
    expectReject(await check(old, console), 401, 'bad-signature');
    expect((await check(fresh, console)).allow).toBe(true);
  });

  it('judges time and request afresh for a cached token', async () => {
    let clock = NOW;
    const check = verifier({ now: () => clock, cacheSize: 4 });
    const token = await sign();
    expect((await check(token, console)).allow).toBe(true);
    expectReject(await check(token, { method: 'POST', path: VNC, upgrade: false }), 403, 'verb');
    clock = NOW + 2 * HOUR * 1000;
    expectReject(await check(token, console), 401, 'expired');
  });

  it('works with the cache turned off and with a tiny cache', async () => {
    const tokens = await Promise.all([1, 2, 3].map((n) => sign(claims({ id: `link-${n}` }))));
    for (const cacheSize of [0, 1]) {
      const check = verifier({ cacheSize });
      for (const token of [...tokens, ...tokens]) expect((await check(token, console)).allow).toBe(true);
    }
  });
});

describe('audience', () => {
  const audiences = ['https://gw.example.com', 'https://gw.internal'];

  it('accepts an aud that names this gateway, as a string or in a list', async () => {
    expect((await verifier({ audiences })(await sign(claims({ aud: 'https://gw.internal' })), console)).allow).toBe(true);
    expect((await verifier({ audiences })(await sign(claims({ aud: ['https://x', 'https://gw.example.com'] })), console)).allow).toBe(true);
  });

  it('accepts a token without aud (kube-gateway tokens)', async () => {
    expect((await verifier({ audiences })(await sign(), console)).allow).toBe(true);
  });

  it('refuses an aud for another gateway', async () => {
    const token = await sign(claims({ aud: 'https://other.example.com' }));
    expectReject(await verifier({ audiences })(token, console), 401, 'audience', 'the link is for "https://other.example.com", not for this gateway');
  });

  it('refuses any aud when the gateway has no --audience, and says so', async () => {
    const token = await sign(claims({ aud: 'https://gw.example.com' }));
    expectReject(await verifier()(token, console), 401, 'audience', /this gateway has no --audience/);
  });

  it('refuses an aud that is neither a string nor a list of strings', async () => {
    expectReject(await verifier({ audiences })(await sign(claims({ aud: 42 })), console), 401, 'malformed');
  });
});

describe('remembered decisions', () => {
  const SKEW = 30_000;

  it('hold until the token expires, counting the clock skew, and not a millisecond longer', async () => {
    let clock = NOW;
    const check = verifier({ now: () => clock });
    const token = await sign();
    const expiresAt = (nowSec + HOUR) * 1000;
    expect((await check(token, console)).allow).toBe(true);
    clock = expiresAt + SKEW - 1;
    expect((await check(token, console)).allow).toBe(true);
    clock = expiresAt + SKEW;
    expectReject(await check(token, console), 401, 'expired', 'the link expired at 2025-01-31T10:00:00.000Z');
    expectReject(await check(token, get(VNC)), 401, 'expired');
  });

  it('are not made before the token is valid, and it is accepted from the moment it is', async () => {
    const nbf = nowSec + HOUR;
    let clock = nbf * 1000 - SKEW - 1;
    const check = verifier({ now: () => clock });
    const token = await sign(claims({ nbf, exp: nbf + HOUR }));
    expectReject(await check(token, console), 401, 'not-yet-valid');
    expectReject(await check(token, console), 401, 'not-yet-valid');
    clock = nbf * 1000 - SKEW;
    expect((await check(token, console)).allow).toBe(true);
  });

  it('end when the key that verified the token is withdrawn, and come back only with it', async () => {
    let keys: PublicKeyWithKid[] = [current.published];
    const check = verifier({ keys: () => keys });
    const token = await sign();
    expect((await check(token, console)).allow).toBe(true);
    keys = [];
    expectReject(await check(token, console), 503, 'no-keys');
    keys = [next.published];
    expectReject(await check(token, console), 401, 'bad-signature');
    keys = [next.published, current.published];
    expect(await check(token, console)).toMatchObject({ allow: true, kid: current.published.kid });
  });

  it('answer each method, path and kind of request on its own', async () => {
    const check = verifier();
    const token = await sign();
    for (let round = 0; round < 2; round++) {
      expect((await check(token, console)).allow).toBe(true);
      expect((await check(token, get(VNC))).allow).toBe(true);
      expectReject(await check(token, { method: 'POST', path: VNC, upgrade: false }), 403, 'verb');
      expectReject(await check(token, get(`${VNC}x`)), 403, 'path');
      expectReject(await check(token, get(`${VNC}/../x`)), 400, 'ambiguous-path');
    }
  });

  // Kids name keys by their thumbprint, so a list with the same kid and other key
  // material happens only here: it shows which answers were remembered (still
  // allowed) and which were forgotten (checked again, and refused).
  const impostor: PublicKeyWithKid = { ...current.published, key: stranger.publicKey };

  it('are bounded: as many tokens as the cache holds, the least recently used forgotten first', async () => {
    let keys = [current.published];
    const check = verifier({ keys: () => keys, cacheSize: 2 });
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((id) => sign(claims({ id: `link-${id}` }))));
    for (const token of [a, b, a, c]) expect((await check(token!, console)).allow).toBe(true);
    // b was used least recently when c arrived, so b is the one forgotten.
    keys = [impostor];
    expect((await check(a!, console)).allow).toBe(true);
    expect((await check(c!, console)).allow).toBe(true);
    expectReject(await check(b!, console), 401, 'bad-signature');
  });

  it('still decide every target right when a token is asked about more targets than it remembers', async () => {
    const check = verifier();
    const token = await sign(claims({ URLs: ['/api/v1/namespaces/a/*'] }));
    const paths = Array.from({ length: 20 }, (_, i) => `/api/v1/namespaces/${i % 2 ? 'a' : 'b'}/pods/p${i}`);
    for (let round = 0; round < 3; round++) {
      for (const [i, path] of paths.entries()) {
        const decision = await check(token, get(path));
        if (i % 2) expect(decision.allow, path).toBe(true);
        else expectReject(decision, 403, 'path');
      }
    }
  });

  it('are not kept with the cache turned off', async () => {
    let keys = [current.published];
    const check = verifier({ keys: () => keys, cacheSize: 0 });
    const token = await sign();
    expect((await check(token, console)).allow).toBe(true);
    keys = [impostor];
    expectReject(await check(token, console), 401, 'bad-signature');
  });
});
