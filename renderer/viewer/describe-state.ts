// The words a person reads for each console state, and what they can do next.

import type { ConsoleState } from './console-state.ts';
import { formatCountdown } from './countdown.ts';

export type ConsoleAction = 'take-over' | 'reconnect';

export interface StateDescription {
  title: string;
  detail: string | undefined;
  /** `alert` interrupts a screen reader; used when something went wrong. */
  role: 'status' | 'alert';
  actions: readonly ConsoleAction[];
  /** The gateway's or the cluster's own words for why (a close reason): shown under "Details", never as the explanation. */
  reason?: string;
}

export interface DescribeOptions {
  /** Formats an instant for a person; injected so tests do not depend on the machine's time zone. */
  formatTime: (ms: number) => string;
  /** How the console is opened: with a link (default), or with the person's own Kubernetes credentials. */
  access?: 'link' | 'own';
}

export function describeState(state: ConsoleState, options: DescribeOptions): StateDescription {
  switch (state.kind) {
    case 'connecting':
      return {
        title: state.takeOver ? 'Taking over the console…' : 'Connecting to the console…',
        detail: state.attempt > 1 ? `Attempt ${state.attempt}` : undefined,
        role: 'status',
        actions: [],
      };
    case 'connected':
      return { title: 'Connected', detail: undefined, role: 'status', actions: [] };
    case 'unreachable': {
      const why = state.cause === 'restarting' ? 'The gateway is restarting.' : 'The gateway cannot be reached (network problem, or the gateway is down).';
      const next = state.retryInMs === undefined
        ? 'Gave up retrying automatically.'
        : `Retrying in ${formatCountdown(state.retryInMs)}…`;
      return { title: 'Gateway unreachable', detail: `${why} ${next}`, role: 'alert', actions: ['reconnect'] };
    }
    case 'not-yet-valid':
      return {
        title: 'This link is not valid yet',
        detail: state.from === undefined
          ? 'Try again later.'
          : `It is valid from ${options.formatTime(state.from)}. The console opens by itself then.`,
        role: 'alert',
        actions: ['reconnect'],
        ...reasonOf(state.detail),
      };
    case 'expired':
      return { title: 'This link has expired', detail: 'Ask the person who sent it for a new one.', role: 'alert', actions: [], ...reasonOf(state.detail) };
    case 'in-use':
      return {
        title: 'Someone else is using this console',
        detail: 'Taking over disconnects them.',
        role: 'alert',
        actions: ['take-over', 'reconnect'],
      };
    case 'not-running':
      return { title: 'The VM is not running', detail: 'Start the VM, then reconnect.', role: 'alert', actions: ['reconnect'] };
    case 'forbidden':
      return options.access === 'own'
        ? { title: 'You may not open this VM’s console', detail: 'Your Kubernetes access does not include this console; ask a cluster admin, or for a link.', role: 'alert', actions: [], ...reasonOf(state.detail) }
        : { title: 'This link does not open this console', detail: undefined, role: 'alert', actions: [], ...reasonOf(state.detail) };
    case 'no-link':
      if (options.access === 'own') {
        return { title: 'The cluster did not accept your credentials', detail: 'Log in again for this context, then reconnect.', role: 'alert', actions: ['reconnect'], ...reasonOf(state.detail) };
      }
      return {
        title: 'No valid link for this console',
        detail: 'Open the link you were given again.',
        role: 'alert',
        actions: ['reconnect'],
        ...reasonOf(state.detail),
      };
    case 'disconnected':
      return { title: 'The console closed', detail: undefined, role: 'alert', actions: ['reconnect'], ...reasonOf(state.detail) };
  }
}

const reasonOf = (reason: string | undefined): { reason?: string } => (reason === undefined ? {} : { reason });
