import type { KubeObject, ObjectStore } from './store.ts';
import type { VncTarget } from './vnc/console-hub.ts';
import { ANNOTATIONS, VM_KEY, VMI_KEY } from './kubevirt.ts';
import { ApiError, errors } from './status.ts';
import { parseVncBackend } from './vnc/console-hub.ts';

/** Checks a VMI's consoles as KubeVirt does (VNC and serial alike): 404 without a VMI, 400 unless it is running. */
export function requireRunningInstance(store: ObjectStore, namespace: string, name: string): KubeObject {
  const vmi = store.get(VMI_KEY, namespace, name);
  if (!vmi) throw errors.notFound('virtualmachineinstances', 'kubevirt.io', name);
  const phase = (vmi['status'] as { phase?: string } | undefined)?.phase ?? '';
  if (phase !== 'Running') {
    throw new ApiError(400, 'BadRequest', `Unable to connect to VirtualMachineInstance because phase is ${phase || 'Pending'} instead of Running`);
  }
  return vmi;
}

/** The VNC console behind a running VMI. */
export function consoleTarget(store: ObjectStore, namespace: string, name: string): VncTarget {
  const vmi = requireRunningInstance(store, namespace, name);
  const spec = vmi.metadata.annotations?.[ANNOTATIONS.vncBackend] ?? store.get(VM_KEY, namespace, name)?.metadata.annotations?.[ANNOTATIONS.vncBackend];
  let backend;
  try {
    backend = parseVncBackend(spec);
  } catch (e) {
    throw new ApiError(500, 'InternalError', `VMI ${namespace}/${name}: ${(e as Error).message}`);
  }
  return { namespace, name, backend, title: `${namespace}/${name}` };
}
