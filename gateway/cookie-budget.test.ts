import { describe, expect, it } from 'vitest';
import { cookieBudgetBytes, cookieHeaderBytes, planConsoleCookies, type HeldCookie } from './cookie-budget.ts';

const now = 1_800_000_000;

/** A token-shaped value with these claims and `size` bytes of signature, unsigned: the plan never verifies. */
function token(claims: Record<string, unknown>, size = 600): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.${'s'.repeat(size)}`;
}

const held = (name: string, exp: number, iat = exp - 3600, size?: number): HeldCookie => ({ name: `gatepass-console.ns.${name}`, value: token({ exp, iat }, size) });

describe('planConsoleCookies', () => {
  it('keeps everything that fits', () => {
    const cookies = [held('a', now + 60), held('b', now + 120)];
    expect(planConsoleCookies(cookies, [held('new', now + 600)], cookieBudgetBytes, now)).toEqual({ expire: [], latestKeptExp: now + 120 });
  });

  it('expires the links that end soonest first, until the rest fit with what is being set', () => {
    const cookies = [held('late', now + 900), held('soon', now + 60), held('middle', now + 300), held('later', now + 1200)];
    const setting = [held('new', now + 600)];
    const one = cookieHeaderBytes(cookies[0]!);
    const plan = planConsoleCookies(cookies, setting, one * 3, now);
    expect(plan.expire.sort()).toEqual(['gatepass-console.ns.middle', 'gatepass-console.ns.soon']);
    expect(plan.latestKeptExp).toBe(now + 1200);
  });

  it('among links that end together, expires the one issued first', () => {
    const cookies = [held('first', now + 600, now - 500), held('later', now + 600, now - 10)];
    const plan = planConsoleCookies(cookies, [], cookieHeaderBytes(cookies[0]!), now);
    expect(plan.expire).toEqual(['gatepass-console.ns.first']);
  });

  it('never expires the cookies being set, even when they alone pass the budget', () => {
    const setting = [held('new', now + 600, now, 3000)];
    const plan = planConsoleCookies([held('a', now + 900)], setting, 1000, now);
    expect(plan).toEqual({ expire: ['gatepass-console.ns.a'] });
  });

  it('replaces a cookie of the same name rather than counting it twice', () => {
    const cookies = [held('same', now + 60)];
    const setting = [held('same', now + 600)];
    expect(planConsoleCookies(cookies, setting, cookieHeaderBytes(setting[0]!), now)).toEqual({ expire: [] });
  });

  it('expires links that have ended and tokens it cannot read, whatever room is left', () => {
    const cookies = [held('ended', now - 1), { name: 'gatepass-console.ns.junk', value: 'not a token' }, { name: 'gatepass-console.ns.no-exp', value: token({ iat: now }) }, held('live', now + 60)];
    const plan = planConsoleCookies(cookies, [], cookieBudgetBytes, now);
    expect(plan.expire.sort()).toEqual(['gatepass-console.ns.ended', 'gatepass-console.ns.junk', 'gatepass-console.ns.no-exp']);
    expect(plan.latestKeptExp).toBe(now + 60);
  });

  it('stops at the first link that does not fit: a small link that ends sooner does not outlive it', () => {
    const cookies = [held('big', now + 900, now, 2000), held('small', now + 60, now, 10)];
    const plan = planConsoleCookies(cookies, [], cookieHeaderBytes(cookies[1]!) + 10, now);
    expect(plan.expire.sort()).toEqual(['gatepass-console.ns.big', 'gatepass-console.ns.small']);
  });

  it('keeps fifty links of a kilobyte each, with the compat and session cookies, within the budget, and the ten newest', () => {
    let consoles: HeldCookie[] = [];
    let all: HeldCookie[] = [];
    for (let i = 0; i < 50; i++) {
      const link = held(`vm-${i}`, now + 3600 + i, now + i, 920);
      expect(cookieHeaderBytes(link)).toBeGreaterThan(1024);
      const setting = [link, { name: 'kg-jwt-session-code', value: link.value }, { name: 'gatepass-session', value: 'S'.repeat(22) }];
      const plan = planConsoleCookies(consoles, setting, cookieBudgetBytes, now);
      consoles = [...consoles.filter((c) => !plan.expire.includes(c.name) && c.name !== link.name), link];
      all = [...consoles, ...setting.slice(1)];
      expect(all.reduce((sum, c) => sum + cookieHeaderBytes(c), 0)).toBeLessThanOrEqual(cookieBudgetBytes);
    }
    const names = consoles.map((c) => c.name);
    for (let i = 40; i < 50; i++) expect(names).toContain(`gatepass-console.ns.vm-${i}`);
    expect(names).not.toContain('gatepass-console.ns.vm-0');
  });

  it('measures bytes, not characters', () => {
    expect(cookieHeaderBytes({ name: 'é', value: 'ü' })).toBe(2 + 1 + 2 + 2);
  });
});
