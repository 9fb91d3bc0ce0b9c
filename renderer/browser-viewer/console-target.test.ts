import { describe, expect, it } from 'vitest';
import { apiPathOf, consoleSocketUrl, consoleTarget, gatewayConsolePath, pathParamOf } from './console-target.ts';

const good = 'k8s/apis/subresources.kubevirt.io/v1/namespaces/team-a/virtualmachineinstances/web-1/vnc';

describe('consoleTarget', () => {
  it('accepts the path the gateway redirects to and rebuilds it from checked parts', () => {
    expect(consoleTarget(good, '/k8s/')).toEqual({
      ok: true,
      target: { namespace: 'team-a', name: 'web-1', version: 'v1', kind: 'vnc' },
      path: `/${good}`,
    });
  });

  it('knows a serial console path by its console subresource', () => {
    const serial = good.replace(/\/vnc$/, '/console');
    expect(consoleTarget(serial, '/k8s/')).toEqual({
      ok: true,
      target: { namespace: 'team-a', name: 'web-1', version: 'v1', kind: 'serial' },
      path: `/${serial}`,
    });
  });

  it('honours another api path and the v1alpha3 version', () => {
    const result = consoleTarget('api/v2/apis/subresources.kubevirt.io/v1alpha3/namespaces/a/virtualmachineinstances/b/vnc', '/api/v2/');
    expect(result).toMatchObject({ ok: true, path: '/api/v2/apis/subresources.kubevirt.io/v1alpha3/namespaces/a/virtualmachineinstances/b/vnc' });
  });

  it('says when there is no path at all', () => {
    expect(consoleTarget(null, '/k8s/')).toMatchObject({ ok: false, problem: expect.stringMatching(/without a console link/) });
    expect(consoleTarget('', '/k8s/')).toMatchObject({ ok: false });
  });

  it.each([
    ['another prefix', good.replace('k8s/', 'api/')],
    ['a path outside the api path', '//evil.example/k8s/apis/x'],
    ['a full URL', `https://evil.example/${good}`],
    ['a leading slash', `/${good}`],
    ['a dot segment', good.replace('team-a/', 'team-a/../team-b/')],
    ['an encoded slash', good.replace('web-1', 'web%2F1')],
    ['an upper-case name', good.replace('web-1', 'Web-1')],
    ['a query', `${good}?preserveSession=false`],
    ['a fragment', `${good}#x`],
    ['another subresource', good.replace('/vnc', '/portforward')],
    ['the usbredir subresource', good.replace('/vnc', '/usbredir')],
    ['the subresource spelled serial', good.replace('/vnc', '/serial')],
    ['a serial path with a suffix', good.replace('/vnc', '/console/x')],
    ['a suffix', `${good}/screenshot`],
    ['an unknown version', good.replace('/v1/', '/v2/')],
    ['a backslash', good.replace('namespaces/', 'namespaces\\')],
  ])('refuses %s', (_, path) => {
    expect(consoleTarget(path, '/k8s/').ok).toBe(false);
  });
});

describe('gatewayConsolePath', () => {
  const target = { namespace: 'team-a', name: 'web-1', version: 'v1alpha3' } as const;
  it('builds either console of the same VMI under the api path, keeping its version', () => {
    expect(gatewayConsolePath('/k8s/', target, 'vnc')).toBe('/k8s/apis/subresources.kubevirt.io/v1alpha3/namespaces/team-a/virtualmachineinstances/web-1/vnc');
    expect(gatewayConsolePath('/', target, 'serial')).toBe('/apis/subresources.kubevirt.io/v1alpha3/namespaces/team-a/virtualmachineinstances/web-1/console');
  });

  it('refuses names that could leave the VMI', () => {
    expect(() => gatewayConsolePath('/k8s/', { ...target, name: '../x' }, 'serial')).toThrow();
  });

  it('gives back a path the page accepts as its ?path=', () => {
    const path = gatewayConsolePath('/k8s/', target, 'serial');
    expect(consoleTarget(pathParamOf(path), '/k8s/')).toMatchObject({ ok: true, path, target: { kind: 'serial' } });
  });
});

describe('apiPathOf', () => {
  it('accepts plain absolute paths ending in a slash', () => {
    expect(apiPathOf('/k8s/')).toBe('/k8s/');
    expect(apiPathOf('/')).toBe('/');
    expect(apiPathOf('/a/b-c/')).toBe('/a/b-c/');
  });

  it.each([undefined, 42, '', 'k8s/', '/k8s', '//evil/', '/a/../', '/./', 'https://x/', '/a b/'])('refuses %j', (value) => {
    expect(apiPathOf(value)).toBeUndefined();
  });
});

describe('consoleSocketUrl', () => {
  const path = `/${good}`;
  it('uses wss on https and preserves an existing session unless taking over', () => {
    expect(consoleSocketUrl({ protocol: 'https:', host: 'gw.example' }, path, false)).toBe(`wss://gw.example${path}?preserveSession=true&presence=true`);
    expect(consoleSocketUrl({ protocol: 'https:', host: 'gw.example' }, path, true)).toBe(`wss://gw.example${path}?presence=true`);
  });

  it('uses ws on plain http, keeping the port', () => {
    expect(consoleSocketUrl({ protocol: 'http:', host: '127.0.0.1:8080' }, path, false)).toBe(`ws://127.0.0.1:8080${path}?preserveSession=true&presence=true`);
  });
});
