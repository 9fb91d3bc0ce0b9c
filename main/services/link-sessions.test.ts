import { describe, expect, it } from 'vitest';
import { LinkSessions } from './link-sessions.ts';

describe('LinkSessions', () => {
  it('gives a link the same session for as long as it lives, and each link its own', () => {
    let now = 1_000_000;
    const sessions = new LinkSessions(() => now);
    const a = sessions.sessionFor('token-a', now + 60_000);
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    now += 59_000;
    expect(sessions.sessionFor('token-a', now + 1000)).toBe(a);
    expect(sessions.sessionFor('token-b', now + 60_000)).not.toBe(a);
  });

  it('forgets a link once it has expired', () => {
    let now = 1_000_000;
    const sessions = new LinkSessions(() => now);
    const first = sessions.sessionFor('token', now + 1000);
    now += 1000;
    expect(sessions.sessionFor('token', now + 1000)).not.toBe(first);
  });

  it('keeps a link without an expiry for a day', () => {
    let now = 1_000_000;
    const sessions = new LinkSessions(() => now);
    const first = sessions.sessionFor('token', undefined);
    now += 23 * 3600_000;
    expect(sessions.sessionFor('token', undefined)).toBe(first);
    now += 3600_000;
    expect(sessions.sessionFor('token', undefined)).not.toBe(first);
  });
});
