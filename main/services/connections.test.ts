import { describe, expect, it } from 'vitest';
import { noProxyMatches, proxyFor } from './connections.ts';

describe('proxyFor', () => {
  const env = { HTTPS_PROXY: 'http://proxy:3128', http_proxy: 'http://plain-proxy:3128', NO_PROXY: '.internal.example, 10.0.0.0/8, api.example.com:6443' };

  it('prefers the kubeconfig proxy-url', () => {
    expect(proxyFor(new URL('https://api.example.com'), env, 'http://kube-proxy:8080')).toBe('http://kube-proxy:8080');
  });

  it('picks the variable by scheme, in either case', () => {
    expect(proxyFor(new URL('https://gw.example.com'), env)).toBe('http://proxy:3128');
    expect(proxyFor(new URL('wss://gw.example.com'), env)).toBe('http://proxy:3128');
    expect(proxyFor(new URL('http://127.0.0.1:8080'), env)).toBe('http://plain-proxy:3128');
    expect(proxyFor(new URL('https://gw.example.com'), {})).toBeUndefined();
  });

  it('skips hosts NO_PROXY names', () => {
    expect(proxyFor(new URL('https://a.internal.example'), env)).toBeUndefined();
    expect(proxyFor(new URL('https://10.1.2.3'), env)).toBeUndefined();
    expect(proxyFor(new URL('https://api.example.com:6443'), env)).toBeUndefined();
    expect(proxyFor(new URL('https://api.example.com'), env)).toBe('http://proxy:3128');
  });
});

describe('noProxyMatches', () => {
  it.each([
    ['example.com', 443, 'example.com', true],
    ['sub.example.com', 443, 'example.com', true],
    ['notexample.com', 443, 'example.com', false],
    ['anything', 1, '*', true],
    ['192.168.1.9', 443, '192.168.0.0/16', true],
    ['192.169.1.9', 443, '192.168.0.0/16', false],
    ['::1', 443, '[::1]', true],
    ['host', 443, '', false],
  ])('%s:%i against %j → %s', (host, port, list, expected) => {
    expect(noProxyMatches(host, port, list)).toBe(expected);
  });
});
