// Which power actions a VM's details and row menu offer, and when an action
// under way is done: pure, from the VM's status and what the API server allows.

import type { VmPowerAction, VmStatus } from '../../../shared/desktop-api.ts';

export const POWER_LABELS: Readonly<Record<VmPowerAction, string>> = {
  start: 'Start',
  stop: 'Stop',
  restart: 'Restart',
  pause: 'Pause',
  unpause: 'Unpause',
};

export const POWER_PROGRESS: Readonly<Record<VmPowerAction, string>> = {
  start: 'Starting…',
  stop: 'Stopping…',
  restart: 'Restarting…',
  pause: 'Pausing…',
  unpause: 'Unpausing…',
};

/** What makes sense in each status, in the order shown; statuses in between (Starting, Stopping) offer nothing. */
function sensible(status: VmStatus): readonly VmPowerAction[] {
  switch (status) {
    case 'Stopped': return ['start'];
    case 'Running': return ['stop', 'restart', 'pause'];
    case 'Paused': return ['unpause', 'stop', 'restart'];
    case 'Starting':
    case 'Stopping':
    case 'Provisioning':
      return [];
    // Migrating, ErrorUnschedulable, Unknown, …: the VM should run, so it can be stopped or restarted.
    default: return ['stop', 'restart'];
  }
}

export function offeredActions(status: VmStatus, allowed: readonly VmPowerAction[]): VmPowerAction[] {
  return sensible(status).filter((action) => allowed.includes(action));
}

/** Stop and Restart interrupt whoever is using the VM, so they ask first. */
export function needsConfirmation(action: VmPowerAction): boolean {
  return action === 'stop' || action === 'restart';
}

export function confirmationText(action: 'stop' | 'restart', name: string): { title: string; body: string; confirm: string } {
  return action === 'stop'
    ? { title: `Stop ${name}?`, body: 'The guest is shut down and everyone using its console is disconnected.', confirm: 'Stop VM' }
    : { title: `Restart ${name}?`, body: 'The VM is stopped and started again: everyone using its console is disconnected.', confirm: 'Restart VM' };
}

const SETTLED: Readonly<Record<Exclude<VmPowerAction, 'restart'>, VmStatus>> = { start: 'Running', stop: 'Stopped', pause: 'Paused', unpause: 'Running' };

/**
 * Whether an action is done, from the statuses the VM showed since it was
 * asked for (oldest first, the status at the time first). A restart is done
 * once the VM left Running and came back; the list may skip the states in
 * between when they pass quickly, so `acceptedLongAgo` ends the wait too.
 */
export function isSettled(action: VmPowerAction, seen: readonly VmStatus[], acceptedLongAgo: boolean): boolean {
  const now = seen.at(-1);
  if (action !== 'restart') return now === SETTLED[action];
  const left = seen.slice(1).some((status) => status !== 'Running');
  return now === 'Running' && (left || acceptedLongAgo);
}
