// The trusted-proxy rule, attacked: a client outside the trusted ranges must
// never choose the address it is logged and audited as.
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { clientAddressOf, forwardedHops, parseCidr, xForwardedForHops } from './client-address.ts';

function request(remoteAddress: string | undefined, headers: Record<string, string | string[]> = {}): IncomingMessage {
  return { socket: { remoteAddress }, headers } as unknown as IncomingMessage;
}

const behindIngress = clientAddressOf({ trustedProxies: ['10.0.0.0/8', 'fd00::/8'] });

describe('without --trusted-proxies', () => {
  it('is the socket address, whatever the headers say', () => {
    const plain = clientAddressOf({ trustedProxies: [] });
    expect(plain(request('10.1.2.3', { 'x-forwarded-for': '1.1.1.1', forwarded: 'for=1.1.1.1' }))).toBe('10.1.2.3');
    expect(plain(request('::ffff:127.0.0.1'))).toBe('::ffff:127.0.0.1');
  });
});

describe('with --trusted-proxies', () => {
  it('believes a trusted proxy about its client', () => {
    expect(behindIngress(request('10.0.0.5', { 'x-forwarded-for': '198.51.100.7' }))).toBe('198.51.100.7');
    expect(behindIngress(request('10.0.0.5', { forwarded: 'for=198.51.100.7;proto=https;by=10.0.0.5' }))).toBe('198.51.100.7');
  });

  it('ignores headers from a client outside the trusted ranges', () => {
    const spoofs: Record<string, string>[] = [{ 'x-forwarded-for': '10.0.0.1' }, { forwarded: 'for=192.0.2.1' }, { 'x-forwarded-for': '192.0.2.1', forwarded: 'for=192.0.2.1' }];
    for (const headers of spoofs) {
      expect(behindIngress(request('203.0.113.66', headers))).toBe('203.0.113.66');
    }
  });

  it('walks a chain of trusted proxies from the right and stops at the first untrusted hop', () => {
    // The client wrote "6.6.6.6, 10.9.9.9"; the ingress saw 198.51.100.7 and appended it; an internal proxy appended the ingress.
    expect(behindIngress(request('10.0.0.5', { 'x-forwarded-for': '6.6.6.6, 10.9.9.9, 198.51.100.7, 10.0.0.9' }))).toBe('198.51.100.7');
    expect(behindIngress(request('10.0.0.5', { forwarded: 'for=6.6.6.6, for=198.51.100.7, for="[fd00::9]:8443"' }))).toBe('198.51.100.7');
    // Only trusted hops: the farthest one is the best there is.
    expect(behindIngress(request('10.0.0.5', { 'x-forwarded-for': '10.0.0.7, 10.0.0.8' }))).toBe('10.0.0.7');
  });

  it('joins repeated headers in order', () => {
    expect(behindIngress(request('10.0.0.5', { 'x-forwarded-for': ['6.6.6.6', '198.51.100.7'] }))).toBe('198.51.100.7');
  });

  it('stops at a malformed hop and names the proxy that vouched for it, never the garbage', () => {
    expect(behindIngress(request('10.0.0.5', { 'x-forwarded-for': '<script>, 10.0.0.9' }))).toBe('10.0.0.9');
    expect(behindIngress(request('10.0.0.5', { 'x-forwarded-for': '' }))).toBe('10.0.0.5');
    expect(behindIngress(request('10.0.0.5', { 'x-forwarded-for': '198.51.100.7 extra' }))).toBe('10.0.0.5');
    expect(behindIngress(request('10.0.0.5', { forwarded: 'for=unknown' }))).toBe('10.0.0.5');
    expect(behindIngress(request('10.0.0.5', { forwarded: 'for=_hidden, for=198.51.100.7' }))).toBe('198.51.100.7');
    expect(behindIngress(request('10.0.0.5', { forwarded: 'proto=https' }))).toBe('10.0.0.5');
    expect(behindIngress(request('10.0.0.5', { forwarded: 'for="198.51.100.7' }))).toBe('10.0.0.5');
    expect(behindIngress(request('10.0.0.5', { 'x-forwarded-for': '999.1.1.1' }))).toBe('10.0.0.5');
  });

  it('believes neither header when they disagree: a proxy that appends to one passes the other on as the client wrote it', () => {
    const headers = { 'x-forwarded-for': '198.51.100.7', forwarded: 'for=6.6.6.6' };
    expect(behindIngress(request('10.0.0.5', headers))).toBe('10.0.0.5');
    expect(behindIngress(request('10.0.0.5', { 'x-forwarded-for': '6.6.6.6, 198.51.100.7', forwarded: 'for=1.2.3.4, for=198.51.100.7' }))).toBe('198.51.100.7');
  });

  it('handles IPv6, IPv4-mapped peers and hops, and ports', () => {
    expect(behindIngress(request('::ffff:10.0.0.5', { 'x-forwarded-for': '2001:db8::7' }))).toBe('2001:db8::7');
    expect(behindIngress(request('fd00::1', { 'x-forwarded-for': '[2001:db8::7]:4711' }))).toBe('2001:db8::7');
    expect(behindIngress(request('fd00::1', { 'x-forwarded-for': '198.51.100.7:5555' }))).toBe('198.51.100.7');
    expect(behindIngress(request('10.0.0.5', { 'x-forwarded-for': '::ffff:198.51.100.7' }))).toBe('198.51.100.7');
    // A mapped address inside a trusted IPv4 range is trusted like the IPv4 address it is.
    expect(behindIngress(request('10.0.0.5', { 'x-forwarded-for': '198.51.100.7, ::ffff:10.0.0.9' }))).toBe('198.51.100.7');
    // An untrusted IPv6 peer's headers are ignored.
    expect(behindIngress(request('2001:db8::66', { 'x-forwarded-for': '198.51.100.7' }))).toBe('2001:db8::66');
  });

  it('a single trusted address is a /32', () => {
    const one = clientAddressOf({ trustedProxies: ['192.168.1.10'] });
    expect(one(request('192.168.1.10', { 'x-forwarded-for': '198.51.100.7' }))).toBe('198.51.100.7');
    expect(one(request('192.168.1.11', { 'x-forwarded-for': '198.51.100.7' }))).toBe('192.168.1.11');
  });
});

describe('parsing', () => {
  it('reads ranges and refuses what is none', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    expect(parseCidr('::1')).toEqual({ address: '::1', prefix: 128, family: 'ipv6' });
    for (const bad of ['', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/8/8', 'ingress', '10.0.0.0/0x8', '2001:db8::/200']) expect(() => parseCidr(bad), bad).toThrow();
  });

  it('splits headers into hops, quoted strings kept whole', () => {
    expect(xForwardedForHops('1.2.3.4 , [::1]:80, nope')).toEqual(['1.2.3.4', '::1', undefined]);
    expect(forwardedHops('for="[2001:db8::1]:80";by="a,b", FOR=1.2.3.4')).toEqual(['2001:db8::1', '1.2.3.4']);
  });
});
