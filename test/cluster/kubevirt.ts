import type { KubeObject, ObjectStore, StoreEvent } from './store.ts';
import { typeKey } from './registry.ts';
import { ApiError, errors } from './status.ts';

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

/** What a VM's status says in each state the stand-in passes through, as KubeVirt prints it. */
export type PrintableStatus = 'Running' | 'Stopped' | 'Starting' | 'Stopping' | 'Paused';

function condition(type: string, status: boolean, reason?: string, message?: string): object {
  return { type, status: status ? 'True' : 'False', ...(reason ? { reason } : {}), ...(message ? { message } : {}), lastProbeTime: null, lastTransitionTime: now() };
}

function vmStatus(printable: PrintableStatus): object {
  switch (printable) {
    case 'Running':
      return { printableStatus: 'Running', ready: true, created: true, conditions: [condition('Ready', true)] };
    case 'Paused':
      return { printableStatus: 'Paused', ready: true, created: true, conditions: [condition('Ready', true), condition('Paused', true, 'PausedByUser', 'VMI was paused by user')] };
    case 'Starting':
      return { printableStatus: 'Starting', ready: false, created: true, conditions: [condition('Ready', false, 'GuestNotRunning', 'Guest VM is not reported as running')] };
    case 'Stopping':
      return { printableStatus: 'Stopping', ready: false, created: true, conditions: [condition('Ready', false, 'GuestNotRunning', 'Guest VM is not reported as running')] };
    case 'Stopped':
      return { printableStatus: 'Stopped', conditions: [condition('Ready', false, 'VMINotExists', 'VMI does not exist')] };
  }
}

function sameStatusShape(a: unknown, b: unknown): boolean {
  const strip = (s: unknown): unknown => {
    const { conditions, ...rest } = (s ?? {}) as { conditions?: { type: string; status: string }[] };
    return { ...rest, conditions: (conditions ?? []).map((c) => `${c.type}=${c.status}`) };
  };
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

function isPaused(vmi: KubeObject | undefined): boolean {
  const conditions = ((vmi?.['status'] ?? {}) as { conditions?: { type: string; status: string }[] }).conditions ?? [];
  return conditions.some((c) => c.type === 'Paused' && c.status === 'True');
}

function phaseOf(vmi: KubeObject | undefined): string | undefined {
  return ((vmi?.['status'] ?? {}) as { phase?: string }).phase;
}

/** What the VM's status says while nothing is in flight: where its VMI stands. */
function settledStatus(running: boolean, vmi: KubeObject | undefined): PrintableStatus {
  if (!running) return 'Stopped';
  return isPaused(vmi) ? 'Paused' : 'Running';
}

const vmNotFound = (name: string): ApiError =>
  new ApiError(404, 'NotFound', `virtualmachines.kubevirt.io "${name}" not found`, { name, group: 'kubevirt.io', kind: 'virtualmachines' });
const vmiNotFound = (name: string): ApiError =>
  new ApiError(404, 'NotFound', `virtualmachineinstances.kubevirt.io "${name}" not found`, { name, group: 'kubevirt.io', kind: 'virtualmachineinstances' });
const conflict = (resource: 'virtualmachine' | 'virtualmachineinstance', name: string, why: string): ApiError =>
  errors.conflict(resource, 'kubevirt.io', name, why);

export type PowerAction = 'start' | 'stop' | 'restart' | 'pause' | 'unpause';

export interface VmControllerOptions {
  /**
   * How long each intermediate state of a power action (Starting, Stopping, a
   * VMI being scheduled or deleted) lasts before the next. 0 still passes
   * through them, one timer turn each, so watchers see every step.
   */
  stepMs?: number;
}

/**
 * The part of virt-controller the stand-in needs: a VM that should run has a
 * running VMI and says so in its status; one that should not, has none. Power
 * actions pass through the states KubeVirt shows on the way (Starting,
 * Stopping, a restarted VMI with a new uid, Paused).
 */
export class VmController {
  private readonly pending = new Set<string>();
  /** VMs with a power action in flight, and the timer of its next step. */
  private readonly inFlight = new Map<string, ReturnType<typeof setTimeout> | undefined>();
  private readonly stepMs: number;

  constructor(private readonly store: ObjectStore, options: VmControllerOptions = {}) {
    this.stepMs = options.stepMs ?? 0;
  }

  /** Reconcile after any VM change made through the API; deferred so watchers see events in revision order. */
  watchStore(): { stop(): void } {
    const subscription = this.store.onChange((e: StoreEvent) => {
      if (e.key !== VM_KEY) return;
      const id = `${e.object.metadata.namespace ?? ''}/${e.object.metadata.name}`;
      if (this.pending.has(id)) return;
      this.pending.add(id);
      queueMicrotask(() => {
        this.pending.delete(id);
        this.reconcile(e.object.metadata.namespace ?? '', e.object.metadata.name);
      });
    });
    return {
      stop: () => {
        subscription.stop();
        for (const timer of this.inFlight.values()) clearTimeout(timer);
        this.inFlight.clear();
      },
    };
  }

  reconcileAll(): void {
    for (const vm of this.store.list(VM_KEY)) this.reconcile(vm.metadata.namespace ?? '', vm.metadata.name);
  }

  reconcile(namespace: string, name: string): void {
    const vm = this.store.get(VM_KEY, namespace, name);
    let vmi = this.store.get(VMI_KEY, namespace, name);
    if (!vm) {
      if (vmi) this.store.delete(VMI_KEY, namespace, name);
      return;
    }
    // A power action finishes its own work; reconciling halfway would skip its steps.
    if (this.inFlight.has(`${namespace}/${name}`)) return;
    const running = wantsRunning(vm);
    if (running && !vmi) vmi = this.store.create(VMI_KEY, instanceFor(vm));
    if (!running && vmi) {
      this.store.delete(VMI_KEY, namespace, name);
      vmi = undefined;
    }
    this.writeStatus(namespace, name, settledStatus(running, vmi));
  }

  /** What `PUT …/virtualmachines/{name}/start|stop|restart` and `…/virtualmachineinstances/{name}/pause|unpause` do. */
  power(namespace: string, name: string, action: PowerAction): void {
    switch (action) {
      case 'start': return this.setRunning(namespace, name, true);
      case 'stop': return this.setRunning(namespace, name, false);
      case 'restart': return this.restart(namespace, name);
      case 'pause': return this.setPaused(namespace, name, true);
      case 'unpause': return this.setPaused(namespace, name, false);
    }
  }

  /** `PUT …/virtualmachines/{name}/start|stop` on subresources.kubevirt.io. */
  setRunning(namespace: string, name: string, running: boolean): void {
    const vm = this.store.get(VM_KEY, namespace, name);
    if (!vm) throw vmNotFound(name);
    if (wantsRunning(vm) === running) {
      throw conflict('virtualmachine', name, running ? 'VM is already running' : 'VM is not running');
    }
    const spec = { ...(vm['spec'] as object), runStrategy: running ? 'Always' : 'Halted' } as Record<string, unknown>;
    delete spec['running'];
    this.store.update(VM_KEY, { ...vm, spec, metadata: { ...vm.metadata, resourceVersion: '' } });
    this.transition(namespace, name, running
      ? [() => this.beginStart(namespace, name), () => this.instanceRunning(namespace, name), () => this.writeStatus(namespace, name, 'Running')]
      : [() => this.beginStop(namespace, name), () => this.instanceGone(namespace, name), () => this.writeStatus(namespace, name, 'Stopped')]);
  }

  /** `PUT …/virtualmachines/{name}/restart`: the VMI is deleted and a new one (new uid) started in its place. */
  restart(namespace: string, name: string): void {
    const vm = this.store.get(VM_KEY, namespace, name);
    if (!vm) throw vmNotFound(name);
    if (!wantsRunning(vm)) throw conflict('virtualmachine', name, 'RunStategy Halted does not support manual restart requests');
    if (!this.store.get(VMI_KEY, namespace, name)) throw conflict('virtualmachine', name, 'VM is not running: Halted');
    this.transition(namespace, name, [
      () => this.beginStop(namespace, name),
      () => this.beginStart(namespace, name),
      () => this.instanceRunning(namespace, name),
      () => this.writeStatus(namespace, name, 'Running'),
    ]);
  }

  /** `PUT …/virtualmachineinstances/{name}/pause|unpause`: the guest freezes; the VMI keeps running. */
  setPaused(namespace: string, name: string, paused: boolean): void {
    const vmi = this.store.get(VMI_KEY, namespace, name);
    if (!vmi) throw vmiNotFound(name);
    if (phaseOf(vmi) !== 'Running' || vmi.metadata['deletionTimestamp'] !== undefined) throw conflict('virtualmachineinstance', name, paused ? 'VM is not running' : 'VMI is not running');
    if (paused && isPaused(vmi)) throw conflict('virtualmachineinstance', name, 'VMI is already paused');
    if (!paused && !isPaused(vmi)) throw conflict('virtualmachineinstance', name, 'VMI is not paused');
    // virt-handler answers at once and the VMI's condition follows a moment later.
    this.transition(namespace, name, [() => undefined, () => {
      const current = this.store.get(VMI_KEY, namespace, name);
      if (!current) return;
      const status = (current['status'] ?? {}) as { conditions?: { type: string }[] };
      const others = (status.conditions ?? []).filter((c) => c.type !== 'Paused');
      const conditions = paused ? [...others, condition('Paused', true, 'PausedByUser', 'VMI was paused by user')] : others;
      this.store.update(VMI_KEY, { ...current, status: { ...status, conditions }, metadata: { ...current.metadata, resourceVersion: '' } });
      this.writeStatus(namespace, name, paused ? 'Paused' : 'Running');
    }]);
  }

  /**
   * Runs the first step now and each next one a step later, then settles. A
   * new action on the same VM replaces the one under way, from wherever it got
   * to (stop while starting, start while stopping), as KubeVirt lets it.
   */
  private transition(namespace: string, name: string, steps: Array<() => void>): void {
    const id = `${namespace}/${name}`;
    clearTimeout(this.inFlight.get(id));
    const [first, ...rest] = steps;
    this.inFlight.set(id, undefined);
    const settle = (): void => {
      this.inFlight.delete(id);
      this.reconcile(namespace, name);
    };
    const next = (): void => {
      const step = rest.shift();
      if (step && this.store.get(VM_KEY, namespace, name)) step();
      if (rest.length > 0 && this.store.get(VM_KEY, namespace, name)) schedule();
      else settle();
    };
    const schedule = (): void => {
      const timer = setTimeout(next, this.stepMs);
      timer.unref();
      this.inFlight.set(id, timer);
    };
    first?.();
    if (rest.length > 0) schedule();
    else settle();
  }

  /** A new VMI (a new uid), scheduled but not yet running: no address, no guest agent, not ready. */
  private beginStart(namespace: string, name: string): void {
    const vm = this.store.get(VM_KEY, namespace, name);
    if (!vm) return;
    if (this.store.get(VMI_KEY, namespace, name)) this.store.delete(VMI_KEY, namespace, name);
    const vmi = instanceFor(vm);
    vmi['status'] = { phase: 'Scheduling', conditions: [condition('Ready', false, 'GuestNotRunning', 'Guest VM is not reported as running')], qosClass: 'Burstable' };
    this.store.create(VMI_KEY, vmi);
    this.writeStatus(namespace, name, 'Starting');
  }

  private instanceRunning(namespace: string, name: string): void {
    const vm = this.store.get(VM_KEY, namespace, name);
    const vmi = this.store.get(VMI_KEY, namespace, name);
    if (!vm || !vmi) return;
    this.store.update(VMI_KEY, { ...vmi, status: instanceFor(vm)['status'], metadata: { ...vmi.metadata, resourceVersion: '' } });
  }

  /** The VMI is being deleted (its guest shutting down); the VM says Stopping. */
  private beginStop(namespace: string, name: string): void {
    const vmi = this.store.get(VMI_KEY, namespace, name);
    if (vmi) this.store.update(VMI_KEY, { ...vmi, metadata: { ...vmi.metadata, deletionTimestamp: now(), deletionGracePeriodSeconds: 30, resourceVersion: '' } });
    this.writeStatus(namespace, name, 'Stopping');
  }

  private instanceGone(namespace: string, name: string): void {
    if (this.store.get(VMI_KEY, namespace, name)) this.store.delete(VMI_KEY, namespace, name);
  }

  private writeStatus(namespace: string, name: string, printable: PrintableStatus): void {
    const vm = this.store.get(VM_KEY, namespace, name);
    if (!vm) return;
    const status = vmStatus(printable);
    if (!sameStatusShape(vm['status'], status)) this.store.update(VM_KEY, { ...vm, status, metadata: { ...vm.metadata, resourceVersion: '' } });
  }
}
