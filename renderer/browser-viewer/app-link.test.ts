import { describe, expect, it } from 'vitest';
import { appLinkFor } from './app-link.ts';

const b64 = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
const token = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ exp: 1 })}.c2lnbmF0dXJl`;
const origin = 'https://gw.example';
const target = { namespace: 'team-a', name: 'web-1' };

describe('appLinkFor', () => {
  it('wraps a link for this console on this gateway in a gatepass:// deep link', () => {
    const link = `${origin}/open#token=${token}&name=web-1&namespace=team-a`;
    const result = appLinkFor(`  ${link}\n`, origin, target);
    expect(result).toEqual({ ok: true, href: `gatepass://open?link=${encodeURIComponent(link)}` });
  });

  it('accepts the kube-gateway query form', () => {
    const link = `${origin}/auth/jwt/set?token=${token}&name=web-1&namespace=team-a`;
    expect(appLinkFor(link, origin, target).ok).toBe(true);
  });

  it('refuses a link for another gateway', () => {
    const result = appLinkFor(`https://other.example/open#token=${token}&name=web-1&namespace=team-a`, origin, target);
    expect(result).toMatchObject({ ok: false, problem: expect.stringMatching(/other\.example, not this gateway/) });
  });

  it('refuses a gateway whose name only starts like this one', () => {
    expect(appLinkFor(`https://gw.example.evil/open#token=${token}&name=web-1&namespace=team-a`, origin, target).ok).toBe(false);
  });

  it('refuses a link for another console', () => {
    const result = appLinkFor(`${origin}/open#token=${token}&name=db-1&namespace=team-a`, origin, target);
    expect(result).toMatchObject({ ok: false, problem: expect.stringMatching(/opens db-1 in team-a/) });
  });

  it('explains text that is not a console link', () => {
    expect(appLinkFor(`${origin}/login?name=web-1&namespace=team-a`, origin, target)).toMatchObject({ ok: false, problem: expect.stringMatching(/no token/) });
    expect(appLinkFor('hello', origin, target)).toMatchObject({ ok: false, problem: expect.stringMatching(/not a console link/) });
  });
});
