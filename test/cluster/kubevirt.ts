import type { KubeObject, ObjectStore, StoreEvent } from './store.ts';
import { typeKey } from './registry.ts';
import { ApiError } from './status.ts';

/** Annotations the stand-in reads to fill VMI status and pick the VNC backend. */
export const ANNOTATIONS = {
  vncBackend: 'gatepass.test/vnc-backend',
  nodeName: 'gatepass.test/node-name',
  ipAddress: 'gatepass.test/ip-address',
  guestOS: 'gatepass.test/guest-os',
} as const;

export const VM_KEY = typeKey('kubevirt.io', 'virtualmachines');
export const VMI_KEY = typeKey('kubevirt.io', 'virtualmachineinstances');
const KUBEVIRT_V1 = 'kubevirt.io/v1';

export interface VmSpec {
  namespace: string;
  name: string;
  running: boolean;
  nodeName?: string;
  ipAddress?: string;
  /** `status.guestOSInfo.prettyName` while running. */
  guestOS?: string;
  labels?: Record<string, string>;
  /** `builtin` (default), `tcp://host:port` or `unix:/path`. */
  vncBackend?: string;
}

export function virtualMachine(spec: VmSpec): KubeObject {
  const annotations: Record<string, string> = {};
  if (spec.nodeName) annotations[ANNOTATIONS.nodeName] = spec.nodeName;
  if (spec.ipAddress) annotations[ANNOTATIONS.ipAddress] = spec.ipAddress;
  if (spec.guestOS) annotations[ANNOTATIONS.guestOS] = spec.guestOS;
  if (spec.vncBackend) annotations[ANNOTATIONS.vncBackend] = spec.vncBackend;
  const labels = { ...spec.labels };
  return {
    apiVersion: KUBEVIRT_V1,
    kind: 'VirtualMachine',
    metadata: { name: spec.name, namespace: spec.namespace, labels, annotations },
    spec: {
      runStrategy: spec.running ? 'Always' : 'Halted',
      template: {
        metadata: { labels: { 'kubevirt.io/domain': spec.name, ...labels } },
        spec: {
          domain: {
            cpu: { cores: 1 },
            memory: { guest: '1Gi' },
            devices: { disks: [{ name: 'rootdisk', disk: { bus: 'virtio' } }], interfaces: [{ name: 'default', masquerade: {} }] },
          },
          networks: [{ name: 'default', pod: {} }],
          volumes: [{ name: 'rootdisk', containerDisk: { image: 'quay.io/containerdisks/fedora:40' } }],
        },
      },
    },
    status: {},
  };
}

export function wantsRunning(vm: KubeObject): boolean {
  const spec = (vm['spec'] ?? {}) as { runStrategy?: string; running?: boolean };
  if (spec.runStrategy !== undefined) return spec.runStrategy === 'Always' || spec.runStrategy === 'RerunOnFailure';
  return spec.running === true;
}

function annotation(object: KubeObject, key: string): string | undefined {
  return object.metadata.annotations?.[key];
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function guestOSInfo(prettyName: string): object {
  const [name = 'Linux', version = ''] = prettyName.split(/ (?=\d)/);
  return { id: name.toLowerCase().split(' ')[0], name, prettyName, version: version.split(' ')[0] ?? '', kernelRelease: '6.8.0' };
}

function instanceFor(vm: KubeObject): KubeObject {
  const { name, namespace = 'default' } = vm.metadata;
  const nodeName = annotation(vm, ANNOTATIONS.nodeName) ?? 'node-1';
  const ip = annotation(vm, ANNOTATIONS.ipAddress) ?? '10.244.0.10';
  const template = ((vm['spec'] as { template?: { metadata?: { labels?: Record<string, string> }; spec?: unknown } } | undefined)?.template) ?? {};
  const annotations: Record<string, string> = {};
  const backend = annotation(vm, ANNOTATIONS.vncBackend);
  if (backend) annotations[ANNOTATIONS.vncBackend] = backend;
  const since = now();
  return {
    apiVersion: KUBEVIRT_V1,
    kind: 'VirtualMachineInstance',
    metadata: {
      name, namespace,
      labels: { ...template.metadata?.labels, 'kubevirt.io/nodeName': nodeName },
      annotations,
      ownerReferences: [{ apiVersion: KUBEVIRT_V1, kind: 'VirtualMachine', name, uid: vm.metadata.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: template.spec ?? {},
    status: {
      phase: 'Running',
      nodeName,
      interfaces: [{ name: 'default', interfaceName: 'eth0', ipAddress: ip, ipAddresses: [ip], mac: macFor(`${namespace}/${name}`), infoSource: 'domain, guest-agent' }],
      guestOSInfo: guestOSInfo(annotation(vm, ANNOTATIONS.guestOS) ?? 'Fedora Linux 40 (Cloud Edition)'),
      conditions: [
        { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: since },
        { type: 'AgentConnected', status: 'True', lastProbeTime: null, lastTransitionTime: since },
      ],
      qosClass: 'Burstable',
    },
  };
}

function macFor(id: string): string {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const bytes = [0x02, 0x00, (h >>> 24) & 0xff, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

function vmStatus(running: boolean): object {
  return running
    ? { printableStatus: 'Running', ready: true, created: true, conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: now() }] }
    : { printableStatus: 'Stopped', conditions: [{ type: 'Ready', status: 'False', reason: 'VMINotExists', message: 'VMI does not exist', lastProbeTime: null, lastTransitionTime: now() }] };
}

function sameStatusShape(a: unknown, b: unknown): boolean {
  const strip = (s: unknown): unknown => {
    const { conditions, ...rest } = (s ?? {}) as { conditions?: { type: string; status: string }[] };
    return { ...rest, conditions: (conditions ?? []).map((c) => `${c.type}=${c.status}`) };
  };
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

/**
 * The part of virt-controller the stand-in needs: a VM that should run has a
 * running VMI and says so in its status; one that should not, has none.
 */
export class VmController {
  private readonly pending = new Set<string>();

  constructor(private readonly store: ObjectStore) {}

  /** Reconcile after any VM change made through the API; deferred so watchers see events in revision order. */
  watchStore(): { stop(): void } {
    return this.store.onChange((e: StoreEvent) => {
      if (e.key !== VM_KEY) return;
      const id = `${e.object.metadata.namespace ?? ''}/${e.object.metadata.name}`;
      if (this.pending.has(id)) return;
      this.pending.add(id);
      queueMicrotask(() => {
        this.pending.delete(id);
        this.reconcile(e.object.metadata.namespace ?? '', e.object.metadata.name);
      });
    });
  }

  reconcileAll(): void {
    for (const vm of this.store.list(VM_KEY)) this.reconcile(vm.metadata.namespace ?? '', vm.metadata.name);
  }

  reconcile(namespace: string, name: string): void {
    const vm = this.store.get(VM_KEY, namespace, name);
    const vmi = this.store.get(VMI_KEY, namespace, name);
    if (!vm) {
      if (vmi) this.store.delete(VMI_KEY, namespace, name);
      return;
    }
    const running = wantsRunning(vm);
    if (running && !vmi) this.store.create(VMI_KEY, instanceFor(vm));
    if (!running && vmi) this.store.delete(VMI_KEY, namespace, name);
    const status = vmStatus(running);
    if (!sameStatusShape(vm['status'], status)) this.store.update(VM_KEY, { ...vm, status, metadata: { ...vm.metadata, resourceVersion: '' } });
  }

  /** `PUT …/virtualmachines/{name}/start|stop` on subresources.kubevirt.io. */
  setRunning(namespace: string, name: string, running: boolean): void {
    const vm = this.store.get(VM_KEY, namespace, name);
    if (!vm) throw new ApiError(404, 'NotFound', `virtualmachines.kubevirt.io "${name}" not found`, { name, group: 'kubevirt.io', kind: 'virtualmachines' });
    if (wantsRunning(vm) === running) {
      throw new ApiError(409, 'Conflict', running ? 'VM is already running' : 'VM is not running');
    }
    const spec = { ...(vm['spec'] as object), runStrategy: running ? 'Always' : 'Halted' } as Record<string, unknown>;
    delete spec['running'];
    this.store.update(VM_KEY, { ...vm, spec, metadata: { ...vm.metadata, resourceVersion: '' } });
    this.reconcile(namespace, name);
  }
}
