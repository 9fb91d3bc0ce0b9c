// What the VNC bridge panel says once its bridge is gone, in place of the
// address nobody can connect to any more: why, and what to do next.

import type { VncBridgeEnd } from '../../../shared/desktop-api.ts';

export function bridgeEndInWords(end: VncBridgeEnd): string {
  switch (end.reason) {
    case 'expired':
      return 'The link has expired: the VNC bridge is closed and its client disconnected.';
    case 'wrong-passwords':
      return `Closed after ${end.attempts} wrong passwords, so the password cannot be guessed — open a new bridge for a new address and password.`;
    case 'failed':
      return `The VNC bridge failed and is closed (${end.error.message}) — open a new bridge.`;
    case 'closed':
      return 'The VNC bridge is closed — open a new bridge to connect a VNC client again.';
  }
}
