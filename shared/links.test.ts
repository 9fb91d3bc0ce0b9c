import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { vncPath } from './kubevirt-paths.ts';
import {
  LinkError,
  buildDeepLink,
  buildGatewayLink,
  decodeClaimsUnverified,
  normaliseGatewayUrl,
  parseLink,
  type GatewayLinkInput,
} from './links.ts';

function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function jwt(payload: unknown): string {
  return `${base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))}.${base64url(JSON.stringify(payload))}.SiGnAtUrE-_x`;
}

const CLAIMS = { URLs: [vncPath('ns', 'vm')], verbs: ['get'], nbf: 1, exp: 2, id: 'Ab-É' };
const TOKEN = jwt(CLAIMS);
const PIN = `sha256/${btoa(String.fromCharCode(...Array.from({ length: 32 }, (_, i) => (i * 37) % 256)))}`;
const GW = 'https://gw.example.com';

describe('parseLink', () => {
  it('reads the kube-gateway query form', () => {
    expect(parseLink(`${GW}/auth/jwt/set?token=${TOKEN}&name=vm&namespace=ns`)).toEqual({
      gateway: GW,
      token: TOKEN,
      name: 'vm',
      namespace: 'ns',
      form: 'query',
    });
  });

  it('reads the Gatepass fragment form with a pin', () => {
    expect(parseLink(`${GW}/open#token=${TOKEN}&name=vm&namespace=ns&pin=${encodeURIComponent(PIN)}`)).toEqual({
      gateway: GW,
      token: TOKEN,
      name: 'vm',
      namespace: 'ns',
      pin: PIN,
      form: 'fragment',
    });
  });

  it('keeps a raw "+" and "/" in a pin (no form decoding)', () => {
    expect(PIN).toMatch(/[+/].*=$/);
    expect(parseLink(`${GW}/open#token=${TOKEN}&name=vm&namespace=ns&pin=${PIN}`).pin).toBe(PIN);
  });

  it('reads the older then= form and finds the VM in it', () => {
    const then = `/noVNC/vnc_lite.html?path=k8s${vncPath('ns', 'vm')}`;
    expect(parseLink(`${GW}/auth/jwt/set?token=${TOKEN}&then=${encodeURIComponent(then)}`)).toEqual({
      gateway: GW,
      token: TOKEN,
      then,
      name: 'vm',
      namespace: 'ns',
      form: 'legacy',
    });
    const direct = parseLink(`${GW}/auth/jwt/set?token=${TOKEN}&then=/k8s${vncPath('a', 'b')}`);
    expect([direct.namespace, direct.name, direct.form]).toEqual(['a', 'b', 'legacy']);
    const opaque = parseLink(`${GW}/auth/jwt/set?token=${TOKEN}&then=/somewhere`);
    expect(opaque).toEqual({ gateway: GW, token: TOKEN, then: '/somewhere', form: 'legacy' });
  });

  it('reads the /login form kube-gateway submits by itself', () => {
    expect(parseLink(`${GW}/login?token=${TOKEN}&name=vm&namespace=ns`).form).toBe('query');
  });

  it('keeps a base path, a port and loopback http', () => {
    expect(parseLink(`${GW}:8443/gatepass/open#token=${TOKEN}&name=vm&namespace=ns`).gateway).toBe(`${GW}:8443/gatepass`);
    for (const host of ['localhost:8080', '127.0.0.1:8080', '[::1]:8080']) {
      expect(parseLink(`http://${host}/open#token=${TOKEN}&name=vm&namespace=ns`).gateway).toBe(`http://${host}`);
    }
  });

  it('trims whitespace and angle brackets, and strips quotes around the token', () => {
    const link = `${GW}/auth/jwt/set?token="${TOKEN}"&name=vm&namespace=ns`;
    expect(parseLink(`  \n<${link}>\t`).token).toBe(TOKEN);
    expect(parseLink(`${GW}/auth/jwt/set?token=%22${TOKEN}%22&name=vm&namespace=ns`).token).toBe(TOKEN);
    expect(parseLink(`${GW}/open#token='${TOKEN}'&name=vm&namespace=ns`).token).toBe(TOKEN);
  });

  it('unwraps deep links, encoded or not', () => {
    const fragment = `${GW}/open#token=${TOKEN}&name=vm&namespace=ns`;
    const query = `${GW}/auth/jwt/set?token=${TOKEN}&name=vm&namespace=ns`;
    expect(parseLink(buildDeepLink(fragment))).toEqual(parseLink(fragment));
    expect(parseLink(buildDeepLink(query))).toEqual(parseLink(query));
    expect(parseLink(`gatepass://open?link=${fragment}`)).toEqual(parseLink(fragment));
    expect(parseLink(`gatepass://open?link=${query}`)).toEqual(parseLink(query));
    expect(parseLink(`GATEPASS://open/?link=${encodeURIComponent(fragment)}`)).toEqual(parseLink(fragment));
  });

  it('never changes the case of a token', () => {
    const link = buildGatewayLink({ gateway: GW, token: TOKEN, name: 'vm', namespace: 'ns', form: 'fragment' });
    expect(parseLink(buildDeepLink(link)).token).toBe(TOKEN);
    expect(TOKEN).not.toBe(TOKEN.toLowerCase());
  });

  it.each<[string, string, string | RegExp]>([
    ['empty', '   ', 'the link is empty'],
    ['not a URL', 'gw.example.com/open#token=x', 'the link is not a URL (it should start with https://)'],
    ['plain http', `http://gw.example.com/open#token=${TOKEN}&name=vm&namespace=ns`, 'the link uses http://, which is only allowed for localhost, 127.0.0.1 and [::1]; use https://'],
    ['another scheme', `ftp://gw/open#token=${TOKEN}`, 'the link must be an https:// URL, not ftp:'],
    ['credentials', `https://u:p@gw/open#token=${TOKEN}&name=vm&namespace=ns`, 'the link must not carry a user name or password'],
    ['an unknown path', `${GW}/viewer#token=${TOKEN}`, 'the link\'s path "/viewer" is not a console link (expected /open or /auth/jwt/set)'],
    ['a bare gateway', GW, 'the link\'s path "/" is not a console link'],
    ['a bad base path', `${GW}/a%2fb/open#token=${TOKEN}&name=vm&namespace=ns`, 'the link\'s base path "/a%2fb" is not usable: it contains "%2f" (an encoded "/")'],
    ['an empty-segment base path', `${GW}//open#token=${TOKEN}`, 'the link\'s base path "/" is not usable: it ends with "/"'],
    ['a missing token', `${GW}/open#name=vm&namespace=ns`, 'the link has no token'],
    ['an empty token', `${GW}/auth/jwt/set?token=&name=vm&namespace=ns`, 'the link has no token'],
    ['quotes only', `${GW}/auth/jwt/set?token=""&name=vm&namespace=ns`, 'the link has no token'],
    ['a cut token', `${GW}/open#token=${TOKEN.split('.').slice(0, 2).join('.')}&name=vm&namespace=ns`, 'the token is not a signed JWT (three base64url parts separated by dots); was the link cut short?'],
    ['an unsigned token', `${GW}/open#token=${TOKEN.split('.').slice(0, 2).join('.')}.&name=vm&namespace=ns`, 'the token is not a signed JWT'],
    ['a token in the query of /open', `${GW}/open?token=${TOKEN}&name=vm&namespace=ns`, 'an /open link carries its token in the fragment (#token=…), not in the query (?token=…)'],
    ['a bad name', `${GW}/open#token=${TOKEN}&name=My_VM&namespace=ns`, 'the link\'s name "My_VM" is not a valid Kubernetes name: it contains uppercase letters'],
    ['a bad namespace', `${GW}/open#token=${TOKEN}&name=vm&namespace=a.b`, 'the link\'s namespace "a.b" is not a valid Kubernetes name: it contains "."'],
    ['a name without namespace', `${GW}/open#token=${TOKEN}&name=vm`, 'the link has a name but no namespace'],
    ['a namespace without name', `${GW}/open#token=${TOKEN}&namespace=ns`, 'the link has a namespace but no name'],
    ['no VM at all', `${GW}/auth/jwt/set?token=${TOKEN}`, 'the link does not say which VM it opens: it needs name and namespace'],
    ['an off-site then', `${GW}/auth/jwt/set?token=${TOKEN}&then=//evil.example/x`, 'the link\'s then= path "//evil.example/x" is not usable: it contains an empty segment ("//")'],
    ['a relative then', `${GW}/auth/jwt/set?token=${TOKEN}&then=https://evil.example`, 'the link\'s then= path "https://evil.example" is not usable: it does not start with "/"'],
    ['a bad pin', `${GW}/open#token=${TOKEN}&name=vm&namespace=ns&pin=sha1/abc`, 'the link\'s pin "sha1/abc" is not sha256/<base64 of a 32-byte SPKI hash>'],
    ['a short pin', `${GW}/open#token=${TOKEN}&name=vm&namespace=ns&pin=sha256/${btoa('short')}`, 'is not sha256/<base64 of a 32-byte SPKI hash>'],
    ['a repeated token', `${GW}/open#token=${TOKEN}&token=${TOKEN}&name=vm&namespace=ns`, 'the link fragment has "token" more than once'],
    ['bad percent-encoding', `${GW}/auth/jwt/set?token=${TOKEN}&name=%E0%A4&namespace=ns`, 'the link query has malformed percent-encoding in "%E0%A4"'],
    ['a deep link of another shape', `gatepass://share?link=${GW}`, 'a gatepass: deep link must look like gatepass://open?link=<link>'],
    ['a deep link without link=', 'gatepass://open?x=1', 'the deep link has no link= parameter'],
    ['a nested deep link', `gatepass://open?link=${encodeURIComponent('gatepass://open?link=x')}`, 'a deep link must wrap an https link, not another deep link'],
    ['a deep link to http', `gatepass://open?link=${encodeURIComponent(`http://gw.example.com/open#token=${TOKEN}&name=vm&namespace=ns`)}`, 'the link uses http://'],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parseLink(text)).toThrow(LinkError);
    expect(() => parseLink(text)).toThrow(message);
  });

  it('refuses non-text', () => {
    expect(() => parseLink(undefined as unknown as string)).toThrow('the link is not text');
  });
});

describe('buildGatewayLink', () => {
  const input: GatewayLinkInput = { gateway: `${GW}/`, token: TOKEN, name: 'vm', namespace: 'ns', form: 'fragment' };

  it('builds both forms', () => {
    expect(buildGatewayLink(input)).toBe(`${GW}/open#token=${TOKEN}&name=vm&namespace=ns`);
    expect(buildGatewayLink({ ...input, form: 'query' })).toBe(`${GW}/auth/jwt/set?token=${TOKEN}&name=vm&namespace=ns`);
    expect(buildGatewayLink({ ...input, gateway: `${GW}/base/`, pin: PIN })).toBe(
      `${GW}/base/open#token=${TOKEN}&name=vm&namespace=ns&pin=${encodeURIComponent(PIN)}`,
    );
  });

  it.each<[string, Partial<GatewayLinkInput>, string]>([
    ['a bad gateway', { gateway: 'gw.example.com' }, 'the gateway address is not a URL (it should start with https://)'],
    ['an http gateway', { gateway: 'http://gw.example.com' }, 'the gateway address uses http://'],
    ['a gateway with a query', { gateway: `${GW}/?x=1` }, 'the gateway address must not have a query or fragment'],
    ['a bad token', { token: 'abc' }, 'the token is not a signed JWT'],
    ['a bad name', { name: 'VM' }, 'the link\'s name "VM" is not a valid Kubernetes name'],
    ['a bad namespace', { namespace: '' }, 'the link\'s namespace "" is not a valid Kubernetes name: it is empty'],
    ['a bad pin', { pin: 'sha256/x' }, 'the link\'s pin "sha256/x" is not sha256/<base64 of a 32-byte SPKI hash>'],
    ['a bad form', { form: 'legacy' as 'query' }, 'unknown link form "legacy" (expected "query" or "fragment")'],
  ])('refuses %s', (_what, overrides, message) => {
    expect(() => buildGatewayLink({ ...input, ...overrides })).toThrow(LinkError);
    expect(() => buildGatewayLink({ ...input, ...overrides })).toThrow(message);
  });

  it('round-trips through parseLink and deep links', () => {
    const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    const part = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);
    const gateway = fc.constantFrom(GW, `${GW}:8443`, `${GW}/base/path`, 'http://127.0.0.1:9000', 'https://[2001:db8::1]');
    fc.assert(
      fc.property(gateway, fc.tuple(part, part, part), label, label, fc.constantFrom('query' as const, 'fragment' as const), fc.boolean(), (gw, parts, name, namespace, form, pinned) => {
        const token = parts.join('.');
        const link = buildGatewayLink({ gateway: gw, token, name, namespace, form, pin: pinned ? PIN : undefined });
        const expected = { gateway: gw, token, name, namespace, form, ...(pinned ? { pin: PIN } : {}) };
        expect(parseLink(link)).toEqual(expected);
        expect(parseLink(buildDeepLink(link))).toEqual(expected);
        expect(parseLink(` ${buildDeepLink(link)}\n`)).toEqual(expected);
      }),
    );
  });
});

describe('normaliseGatewayUrl', () => {
  it('drops a trailing slash and keeps a base path', () => {
    expect(normaliseGatewayUrl(' https://GW.example.com/ ')).toBe(GW);
    expect(normaliseGatewayUrl(`${GW}/a/b/`)).toBe(`${GW}/a/b`);
    expect(normaliseGatewayUrl(`${GW}:443`)).toBe(GW);
  });
});

describe('buildDeepLink', () => {
  it('wraps an encoded link', () => {
    const link = `${GW}/open#token=${TOKEN}&name=vm&namespace=ns`;
    expect(buildDeepLink(` ${link} `)).toBe(`gatepass://open?link=${encodeURIComponent(link)}`);
  });

  it('refuses what is not a console link', () => {
    expect(() => buildDeepLink(`${GW}/x`)).toThrow(LinkError);
    expect(() => buildDeepLink('gatepass://open?link=x')).toThrow('the link is already a deep link');
  });
});

describe('decodeClaimsUnverified', () => {
  it('decodes the payload, UTF-8 included', () => {
    expect(decodeClaimsUnverified(TOKEN)).toEqual(CLAIMS);
    expect(decodeClaimsUnverified(`"${TOKEN}"`)).toEqual(CLAIMS);
  });

  it.each<[string, string]>([
    ['not a JWT', 'abc'],
    ['not base64url', `a.${base64url('{"a":1}')}x.s`],
    ['not JSON', `a.${base64url('nope')}.s`],
    ['not UTF-8', `a.${btoa('\u00ff\u00fe').replace(/=+$/, '')}.s`],
  ])('refuses a token that is %s', (_what, token) => {
    expect(() => decodeClaimsUnverified(token)).toThrow(LinkError);
  });

  it('says what is wrong', () => {
    expect(() => decodeClaimsUnverified(`a.${base64url('nope')}.s`)).toThrow("the token's payload is not base64url-encoded JSON");
    expect(() => decodeClaimsUnverified(`a.${base64url('[1]')}.s`)).toThrow("the token's payload is not a JSON object");
  });
});
