import { describe, expect, it } from 'vitest';
import { HTTP_VERBS, VerbError, allowsVerb, isHttpVerb, requestVerb } from './verbs.ts';

describe('requestVerb', () => {
  it.each(HTTP_VERBS.map((v) => [v.toUpperCase(), v]))('%s → %s', (method, verb) => {
    expect(requestVerb(method)).toBe(verb);
  });

  it('maps a websocket upgrade to get', () => {
    expect(requestVerb('GET', { upgrade: true })).toBe('get');
  });

  it.each([
    ['get', /unsupported HTTP method "get" \(methods are case-sensitive; expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\)/],
    ['Get', /unsupported HTTP method "Get"/],
    ['CONNECT', /unsupported HTTP method "CONNECT"/],
    ['TRACE', /unsupported HTTP method "TRACE"/],
    ['PROPFIND', /unsupported HTTP method "PROPFIND"/],
    ['', /invalid HTTP method "": not an HTTP token/],
    ['GET /', /invalid HTTP method "GET \/": not an HTTP token/],
    ['G\u0000T', /not an HTTP token/],
  ])('refuses %j', (method, message) => {
    expect(() => requestVerb(method)).toThrow(VerbError);
    expect(() => requestVerb(method)).toThrow(message);
  });

  it('refuses an upgrade that is not a GET', () => {
    expect(() => requestVerb('POST', { upgrade: true })).toThrow('a websocket upgrade must use GET, not POST');
  });
});

describe('allowsVerb', () => {
  it('allows a method whose verb the token lists', () => {
    expect(allowsVerb(['get'], 'GET')).toBe(true);
    expect(allowsVerb(['get'], 'GET', { upgrade: true })).toBe(true);
    expect(allowsVerb(['get', 'put'], 'PUT')).toBe(true);
  });

  it('refuses what the token does not list', () => {
    expect(allowsVerb(['get'], 'POST')).toBe(false);
    expect(allowsVerb(['post'], 'GET', { upgrade: true })).toBe(false);
    expect(allowsVerb([], 'GET')).toBe(false);
    expect(allowsVerb(['GET'], 'GET')).toBe(false);
    expect(allowsVerb(['gatepass:view'], 'GET')).toBe(false);
  });

  it('refuses odd methods instead of throwing', () => {
    expect(allowsVerb(['get'], 'get')).toBe(false);
    expect(allowsVerb(['connect'], 'CONNECT')).toBe(false);
    expect(allowsVerb(['post'], 'POST', { upgrade: true })).toBe(false);
  });
});

describe('isHttpVerb', () => {
  it('knows the lowercase verbs only', () => {
    expect(isHttpVerb('patch')).toBe(true);
    expect(isHttpVerb('PATCH')).toBe(false);
    expect(isHttpVerb('gatepass:get')).toBe(false);
    expect(isHttpVerb(1)).toBe(false);
  });
});
