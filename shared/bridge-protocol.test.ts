import { describe, expect, it } from 'vitest';
import { BridgeProtocolError, bridgeEndpoints, bridgeTokenFromHash, encodeRequest, parseServerMessage } from './bridge-protocol.ts';

describe('bridge frames', () => {
  it('encodes a request with its id, method and params', () => {
    expect(JSON.parse(encodeRequest({ id: 7, method: 'selectContext', params: ['admin'] }))).toEqual({ id: 7, method: 'selectContext', params: ['admin'] });
  });

  it('refuses to encode a method outside the contract', () => {
    expect(() => encodeRequest({ id: 1, method: 'takeConsoleChannel' as never, params: [] })).toThrow(/not a DesktopApi method/);
  });

  it('reads results, errors and events', () => {
    expect(parseServerMessage('{"id":3,"result":{"a":1}}')).toEqual({ kind: 'result', id: 3, result: { a: 1 } });
    expect(parseServerMessage('{"id":4}')).toEqual({ kind: 'result', id: 4, result: undefined });
    expect(parseServerMessage('{"id":5,"error":{"code":"forbidden","message":"no","context":"viewer"}}')).toEqual({
      kind: 'error', id: 5, error: { code: 'forbidden', message: 'no', context: 'viewer' },
    });
    expect(parseServerMessage('{"event":{"kind":"deep-link","link":"gatepass://open?link=X"}}')).toEqual({
      kind: 'event', event: { kind: 'deep-link', link: 'gatepass://open?link=X' },
    });
  });

  it.each([
    ['not json', 'not JSON'],
    ['[1]', 'not a JSON object'],
    ['{"event":{}}', 'without a kind'],
    ['{"id":"1","result":1}', 'without a numeric id'],
    ['{"id":1,"error":"boom"}', 'not a DesktopError'],
  ])('rejects %s', (text, message) => {
    expect(() => parseServerMessage(text)).toThrow(BridgeProtocolError);
    expect(() => parseServerMessage(text)).toThrow(message);
  });
});

describe('bridge token and endpoints', () => {
  const token = 'AbC_-0123456789abcdefXYZ';

  it('takes the token from the fragment without changing it', () => {
    expect(bridgeTokenFromHash(`#bridge=${token}`)).toBe(token);
    expect(bridgeTokenFromHash(`#view=links&bridge=${token}`)).toBe(token);
  });

  it('ignores a missing, short or oddly shaped token', () => {
    expect(bridgeTokenFromHash('')).toBeUndefined();
    expect(bridgeTokenFromHash('#bridge=short')).toBeUndefined();
    expect(bridgeTokenFromHash('#bridge=has spaces in it, too many')).toBeUndefined();
  });

  it('reaches the bridge on the host that served the page', () => {
    const endpoints = bridgeEndpoints(`http://127.0.0.1:4321/#bridge=${token}`, token);
    expect(endpoints.rpc).toBe(`ws://127.0.0.1:4321/rpc?token=${token}`);
    expect(endpoints.console('a b/c')).toBe(`ws://127.0.0.1:4321/console/a%20b%2Fc?token=${token}`);
    expect(bridgeEndpoints('https://localhost:9/', token).rpc).toMatch(/^wss:\/\/localhost:9\/rpc\?/);
  });
});
