// KubeVirt API paths. Every name and namespace is checked as a DNS-1123 label
// first, so a caller can never build a path that escapes the resource it names.

import { powerResource, type VmPowerAction } from './access-review.ts';
import { assertDnsLabel, isDnsLabel } from './dns-label.ts';

export const VNC_API_VERSIONS = ['v1', 'v1alpha3'] as const;
export type VncApiVersion = (typeof VNC_API_VERSIONS)[number];

const CORE = '/apis/kubevirt.io/v1';
const SUBRESOURCES = '/apis/subresources.kubevirt.io';

function namespaced(namespace: string | undefined): string {
  if (namespace === undefined) return CORE;
  assertDnsLabel(namespace, 'namespace');
  return `${CORE}/namespaces/${namespace}`;
}

function named(base: string, name: string): string {
  assertDnsLabel(name, 'name');
  return `${base}/${name}`;
}

function assertVersion(version: string): asserts version is VncApiVersion {
  if (!(VNC_API_VERSIONS as readonly string[]).includes(version)) {
    throw new TypeError(`unsupported KubeVirt subresource version ${JSON.stringify(version)} (expected ${VNC_API_VERSIONS.join(' or ')})`);
  }
}

/** VirtualMachines in `namespace`, or in all namespaces when it is undefined. */
export function vmListPath(namespace?: string): string {
  return `${namespaced(namespace)}/virtualmachines`;
}

export function vmPath(namespace: string, name: string): string {
  assertDnsLabel(namespace, 'namespace');
  return named(vmListPath(namespace), name);
}

/** VirtualMachineInstances in `namespace`, or in all namespaces when it is undefined. */
export function vmiListPath(namespace?: string): string {
  return `${namespaced(namespace)}/virtualmachineinstances`;
}

export function vmiPath(namespace: string, name: string): string {
  assertDnsLabel(namespace, 'namespace');
  return named(vmiListPath(namespace), name);
}

function subresourcePath(version: string, namespace: string, kind: string, name: string, action: string): string {
  assertVersion(version);
  assertDnsLabel(namespace, 'namespace');
  assertDnsLabel(name, 'name');
  return `${SUBRESOURCES}/${version}/namespaces/${namespace}/${kind}/${name}/${action}`;
}

/** The VNC websocket of a running VMI. */
export function vncPath(namespace: string, name: string, version: VncApiVersion = 'v1'): string {
  return subresourcePath(version, namespace, 'virtualmachineinstances', name, 'vnc');
}

/** The serial console websocket of a running VMI (like `virtctl console`): a raw byte stream, one connection per VMI. */
export function consolePath(namespace: string, name: string, version: VncApiVersion = 'v1'): string {
  return subresourcePath(version, namespace, 'virtualmachineinstances', name, 'console');
}

/** A PNG of the VMI's screen, taken without holding the VNC session. */
export function screenshotPath(namespace: string, name: string, version: VncApiVersion = 'v1'): string {
  return `${vncPath(namespace, name, version)}/screenshot`;
}

/** PUT here to start a VirtualMachine. */
export function startPath(namespace: string, name: string): string {
  return subresourcePath('v1', namespace, 'virtualmachines', name, 'start');
}

/** PUT here to stop a VirtualMachine. */
export function stopPath(namespace: string, name: string): string {
  return subresourcePath('v1', namespace, 'virtualmachines', name, 'stop');
}

/** PUT here to start, stop or restart a VirtualMachine, or pause or unpause its running instance. */
export function powerPath(namespace: string, name: string, action: VmPowerAction): string {
  return subresourcePath('v1', namespace, powerResource(action), name, action);
}

/**
 * The two consoles a VMI has, by the name of their subresource's kind: `vnc`
 * (the screen) and `serial` (the `console` subresource, a text stream).
 */
export const CONSOLE_KINDS = ['vnc', 'serial'] as const;
export type ConsoleKind = (typeof CONSOLE_KINDS)[number];

const subresourceOf: Record<ConsoleKind, string> = { vnc: 'vnc', serial: 'console' };

export interface VncTarget {
  namespace: string;
  name: string;
  version: VncApiVersion;
}

export interface ConsoleTargetPath extends VncTarget {
  kind: ConsoleKind;
}

/** The path of either console of a VMI. */
export function consoleKindPath(kind: ConsoleKind, namespace: string, name: string, version: VncApiVersion = 'v1'): string {
  return kind === 'vnc' ? vncPath(namespace, name, version) : consolePath(namespace, name, version);
}

const CONSOLE_PATH = /^\/apis\/subresources\.kubevirt\.io\/([^/]+)\/namespaces\/([^/]+)\/virtualmachineinstances\/([^/]+)\/(vnc|console)$/;

/** The VMI and the kind of console a console path (without query) points at, or undefined when it is not exactly one. */
export function parseConsolePath(path: string): ConsoleTargetPath | undefined {
  const m = CONSOLE_PATH.exec(path);
  if (!m) return undefined;
  const [, version = '', namespace = '', name = '', subresource = ''] = m;
  if (!(VNC_API_VERSIONS as readonly string[]).includes(version) || !isDnsLabel(namespace) || !isDnsLabel(name)) {
    return undefined;
  }
  const kind = CONSOLE_KINDS.find((k) => subresourceOf[k] === subresource)!;
  return { namespace, name, version: version as VncApiVersion, kind };
}

/** The VMI a VNC path (without query) points at, or undefined when it is not exactly one VNC console. */
export function parseVncPath(path: string): VncTarget | undefined {
  const target = parseConsolePath(path);
  if (target?.kind !== 'vnc') return undefined;
  const { namespace, name, version } = target;
  return { namespace, name, version };
}
