import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DnsLabelError } from './dns-label.ts';
import {
  consoleKindPath,
  consolePath,
  parseConsolePath,
  parseVncPath,
  screenshotPath,
  powerPath,
  startPath,
  stopPath,
  vmListPath,
  vmPath,
  vmiListPath,
  vmiPath,
  vncPath,
} from './kubevirt-paths.ts';

describe('paths', () => {
  it('builds VM and VMI paths', () => {
    expect(vmListPath()).toBe('/apis/kubevirt.io/v1/virtualmachines');
    expect(vmListPath('ns')).toBe('/apis/kubevirt.io/v1/namespaces/ns/virtualmachines');
    expect(vmPath('ns', 'vm')).toBe('/apis/kubevirt.io/v1/namespaces/ns/virtualmachines/vm');
    expect(vmiListPath()).toBe('/apis/kubevirt.io/v1/virtualmachineinstances');
    expect(vmiListPath('ns')).toBe('/apis/kubevirt.io/v1/namespaces/ns/virtualmachineinstances');
    expect(vmiPath('ns', 'vm')).toBe('/apis/kubevirt.io/v1/namespaces/ns/virtualmachineinstances/vm');
  });

  it('builds subresource paths', () => {
    const vmi = '/apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachineinstances/vm';
    expect(vncPath('ns', 'vm')).toBe(`${vmi}/vnc`);
    expect(vncPath('ns', 'vm', 'v1alpha3')).toBe(vmi.replace('/v1/', '/v1alpha3/') + '/vnc');
    expect(screenshotPath('ns', 'vm')).toBe(`${vmi}/vnc/screenshot`);
    expect(startPath('ns', 'vm')).toBe('/apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachines/vm/start');
    expect(stopPath('ns', 'vm')).toBe('/apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachines/vm/stop');
    expect(powerPath('ns', 'vm', 'restart')).toBe('/apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachines/vm/restart');
    expect(powerPath('ns', 'vm', 'pause')).toBe('/apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachineinstances/vm/pause');
  });

  it.each([
    [() => vmListPath('../x'), 'namespace "../x" is not a valid Kubernetes name'],
    [() => vmListPath(''), 'namespace "" is not a valid Kubernetes name: it is empty'],
    [() => vmPath('ns', 'a/b'), 'name "a/b" is not a valid Kubernetes name'],
    [() => vmiPath('NS', 'vm'), 'namespace "NS" is not a valid Kubernetes name'],
    [() => vncPath('ns', 'vm%2f'), 'name "vm%2f" is not a valid Kubernetes name'],
    [() => startPath('ns', ''), 'name "" is not a valid Kubernetes name'],
    [() => stopPath('n s', 'vm'), 'namespace "n s" is not a valid Kubernetes name'],
  ])('refuses bad names (%#)', (build, message) => {
    expect(build).toThrow(DnsLabelError);
    expect(build).toThrow(message);
  });

  it('refuses an unknown subresource version', () => {
    expect(() => vncPath('ns', 'vm', 'v2' as 'v1')).toThrow('unsupported KubeVirt subresource version "v2" (expected v1 or v1alpha3)');
  });
});

describe('parseVncPath', () => {
  it('reads namespace, name and version', () => {
    expect(parseVncPath(vncPath('ns', 'vm'))).toEqual({ namespace: 'ns', name: 'vm', version: 'v1' });
    expect(parseVncPath(vncPath('a', 'b', 'v1alpha3'))).toEqual({ namespace: 'a', name: 'b', version: 'v1alpha3' });
  });

  it.each([
    screenshotPath('ns', 'vm'),
    `${vncPath('ns', 'vm')}/`,
    `/k8s${vncPath('ns', 'vm')}`,
    '/apis/subresources.kubevirt.io/v2/namespaces/ns/virtualmachineinstances/vm/vnc',
    '/apis/subresources.kubevirt.io/v1/namespaces/NS/virtualmachineinstances/vm/vnc',
    '/apis/subresources.kubevirt.io/v1/namespaces/../virtualmachineinstances/vm/vnc',
    '/apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachines/vm/vnc',
    '/apis/subresourcesXkubevirt.io/v1/namespaces/ns/virtualmachineinstances/vm/vnc',
    '',
  ])('is undefined for %j', (path) => {
    expect(parseVncPath(path)).toBeUndefined();
  });

  it('inverts vncPath for every valid name', () => {
    const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    fc.assert(
      fc.property(label, label, fc.constantFrom('v1' as const, 'v1alpha3' as const), (namespace, name, version) => {
        expect(parseVncPath(vncPath(namespace, name, version))).toEqual({ namespace, name, version });
      }),
    );
  });
});

describe('parseConsolePath', () => {
  it('names the kind of console: vnc for the screen, serial for the console subresource', () => {
    expect(consolePath('ns', 'vm')).toBe('/apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachineinstances/vm/console');
    expect(parseConsolePath(vncPath('ns', 'vm'))).toEqual({ namespace: 'ns', name: 'vm', version: 'v1', kind: 'vnc' });
    expect(parseConsolePath(consolePath('ns', 'vm', 'v1alpha3'))).toEqual({ namespace: 'ns', name: 'vm', version: 'v1alpha3', kind: 'serial' });
  });

  it('keeps parseVncPath to the screen: a serial path is not a VNC path', () => {
    expect(parseVncPath(consolePath('ns', 'vm'))).toBeUndefined();
  });

  it.each([
    `${consolePath('ns', 'vm')}/`,
    '/apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachineinstances/vm/serial',
    '/apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachineinstances/vm/portforward',
    '/apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachineinstances/vm/usbredir',
    '/apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachines/vm/console',
    '/apis/subresources.kubevirt.io/v1/namespaces/NS/virtualmachineinstances/vm/console',
  ])('is undefined for %j', (path) => {
    expect(parseConsolePath(path)).toBeUndefined();
  });

  it('inverts consoleKindPath for every valid name and kind', () => {
    const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    fc.assert(
      fc.property(label, label, fc.constantFrom('v1' as const, 'v1alpha3' as const), fc.constantFrom('vnc' as const, 'serial' as const), (namespace, name, version, kind) => {
        expect(parseConsolePath(consoleKindPath(kind, namespace, name, version))).toEqual({ namespace, name, version, kind });
      }),
    );
  });
});
