import { describe, expect, it } from 'vitest';
import type { KubeObject } from './kube-client.ts';
import { joinVmRow } from './vm-row.ts';

const vm = (status: object): KubeObject => ({ metadata: { name: 'web-1', namespace: 'team-a', creationTimestamp: '2025-01-01T00:00:00Z', labels: { app: 'web' } }, status });
const vmi = (status: object): KubeObject => ({ metadata: { name: 'web-1', namespace: 'team-a' }, status });

describe('joinVmRow', () => {
  it('joins a running VM with its instance', () => {
    const row = joinVmRow(vm({ printableStatus: 'Running', ready: true }), vmi({
      phase: 'Running', nodeName: 'node-2',
      interfaces: [{ ipAddress: '10.0.0.1', ipAddresses: ['10.0.0.1', 'fd00::1'] }, { ipAddress: '10.0.0.1' }],
      guestOSInfo: { prettyName: 'Fedora 40' },
      conditions: [{ type: 'Ready', status: 'True' }, { type: 'AgentConnected', status: 'False' }],
    }));
    expect(row).toEqual({
      key: 'team-a/web-1', namespace: 'team-a', name: 'web-1', status: 'Running', ready: true, running: true, node: 'node-2',
      ips: ['10.0.0.1', 'fd00::1'], guestOS: 'Fedora 40', createdAt: '2025-01-01T00:00:00Z', labels: { app: 'web' }, agentConnected: false,
    });
  });

  it('shows a stopped VM without instance details', () => {
    expect(joinVmRow(vm({ printableStatus: 'Stopped' }), undefined)).toMatchObject({ status: 'Stopped', running: false, ready: false, ips: [], agentConnected: false });
    // A viewer who may not list VMIs still sees that a Running VM's console can open.
    expect(joinVmRow(vm({ printableStatus: 'Running', ready: true }), undefined)).toMatchObject({ status: 'Running', running: true });
    expect(joinVmRow(vm({ printableStatus: 'Running', ready: true }), vmi({ phase: 'Scheduled' }))).toMatchObject({ running: false });
  });

  it('shows a standalone instance by its phase, and nothing for neither', () => {
    expect(joinVmRow(undefined, vmi({ phase: 'Scheduling' }))).toMatchObject({ status: 'Starting', running: false });
    expect(joinVmRow(undefined, undefined)).toBeUndefined();
  });
});
