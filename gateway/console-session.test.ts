import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { browserSessionCookie, consoleSessionOf, newSessionId, sessionHash, sessionIdOf } from './console-session.ts';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('console sessions', () => {
  it('are random, cookie-safe and hashed before anyone stores them', () => {
    const [a, b] = [newSessionId(), newSessionId()];
    expect(a).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a).not.toBe(b);
    expect(sessionHash(a)).toMatch(/^[0-9a-f]{32}$/);
    expect(sessionHash(a)).not.toContain(a);
  });

  it('are set under the __Host- name over HTTPS, where no sibling host can plant one', () => {
    expect(browserSessionCookie(true)).toBe('__Host-gatepass-session');
    expect(browserSessionCookie(false)).toBe('gatepass-session');
  });

  it('prefer the __Host- cookie to a plain one, and read one name alone when asked', () => {
    const [real, planted] = [newSessionId(), newSessionId()];
    const req = request({ cookie: `gatepass-session=${planted}; __Host-gatepass-session=${real}` });
    expect(sessionIdOf(req)).toBe(real);
    expect(sessionIdOf(request({ cookie: `gatepass-session=${planted}` }), '__Host-gatepass-session')).toBeUndefined();
    expect(sessionIdOf(request({ cookie: `gatepass-session=${planted}` }))).toBe(planted);
  });

  it('ignore malformed ids', () => {
    for (const bad of ['short', 'x'.repeat(65), 'a b c d e f g h i j k l m', '']) {
      expect(sessionIdOf(request({ cookie: `gatepass-session=${bad}` }))).toBeUndefined();
    }
  });

  it('count for a console only from the gateway’s own pages or from a client that is no browser', () => {
    const id = newSessionId();
    expect(consoleSessionOf(request({ cookie: `gatepass-session=${id}` }), false, false)).toBe(sessionHash(id));
    expect(consoleSessionOf(request({ cookie: `gatepass-session=${id}`, origin: 'https://gw.example' }), true, false)).toBe(sessionHash(id));
    expect(consoleSessionOf(request({ cookie: `gatepass-session=${id}`, origin: 'https://evil.example' }), false, false)).toBeUndefined();
  });

  it('over HTTPS count only the __Host- cookie, never a plain one a sibling host could have planted', () => {
    const [real, planted] = [newSessionId(), newSessionId()];
    expect(consoleSessionOf(request({ cookie: `gatepass-session=${planted}` }), false, true)).toBeUndefined();
    expect(consoleSessionOf(request({ cookie: `gatepass-session=${planted}; __Host-gatepass-session=${real}` }), false, true)).toBe(sessionHash(real));
  });
});
