// The VM browser's row: a VirtualMachine joined with its VirtualMachineInstance.
// Pure, so the inventory recomputes exactly the one row a change touches.
import type { VmRow } from '../../shared/desktop-api.ts';
import type { KubeObject } from './kube-client.ts';

interface Condition {
  type?: string;
  status?: string;
}

interface VmStatusFields {
  printableStatus?: string;
  ready?: boolean;
}

interface VmiStatusFields {
  phase?: string;
  nodeName?: string;
  interfaces?: { ipAddress?: string; ipAddresses?: string[] }[];
  guestOSInfo?: { prettyName?: string; name?: string };
  conditions?: Condition[];
}

const isTrue = (conditions: Condition[] | undefined, type: string) => (conditions ?? []).some((c) => c.type === type && c.status === 'True');

function ipsOf(status: VmiStatusFields | undefined): string[] {
  const ips: string[] = [];
  for (const iface of status?.interfaces ?? []) {
    for (const ip of iface.ipAddresses ?? (iface.ipAddress ? [iface.ipAddress] : [])) if (ip && !ips.includes(ip)) ips.push(ip);
  }
  return ips;
}

/** A VMI phase in the words KubeVirt's printableStatus uses, for a VMI that has no VM. */
function statusFromPhase(phase: string | undefined): string {
  switch (phase) {
    case 'Running':
      return 'Running';
    case 'Pending':
    case 'Scheduling':
    case 'Scheduled':
      return 'Starting';
    case 'Succeeded':
    case 'Failed':
      return 'Stopped';
    default:
      return 'Unknown';
  }
}

export const rowKey = (object: KubeObject) => `${object.metadata.namespace ?? ''}/${object.metadata.name}`;

/** The row for a VM and/or its VMI; undefined when neither exists. */
export function joinVmRow(vm: KubeObject | undefined, vmi: KubeObject | undefined): VmRow | undefined {
  const base = vm ?? vmi;
  if (!base) return undefined;
  const vmStatus = vm?.status as VmStatusFields | undefined;
  const vmiStatus = vmi?.status as VmiStatusFields | undefined;
  // Someone who may list VMs but not VMIs sees no instance at all; the VM's own
  // status is then the best word on whether its console can open.
  const running = vmi ? vmiStatus?.phase === 'Running' : vmStatus?.printableStatus === 'Running';
  const row: VmRow = {
    key: rowKey(base),
    namespace: base.metadata.namespace ?? '',
    name: base.metadata.name,
    status: vmStatus?.printableStatus ?? statusFromPhase(vmiStatus?.phase),
    ready: vm ? vmStatus?.ready === true : isTrue(vmiStatus?.conditions, 'Ready'),
    running,
    ips: ipsOf(vmiStatus),
    createdAt: base.metadata.creationTimestamp ?? '',
    labels: { ...(base.metadata.labels ?? {}) },
    agentConnected: isTrue(vmiStatus?.conditions, 'AgentConnected'),
  };
  if (vmiStatus?.nodeName) row.node = vmiStatus.nodeName;
  const guestOS = vmiStatus?.guestOSInfo?.prettyName ?? vmiStatus?.guestOSInfo?.name;
  if (guestOS) row.guestOS = guestOS;
  return row;
}
