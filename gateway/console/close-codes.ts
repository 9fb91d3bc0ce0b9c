import { CONSOLE_CLOSE_CODES } from '../../shared/console-close-codes.ts';

/** The close codes a viewer can explain to a person (docs/architecture.md, "Close codes"). */
export const closeCodes = CONSOLE_CLOSE_CODES;

export interface CloseWith {
  code: number;
  reason: string;
}

/** A close reason within the websocket limit of 123 bytes, cut at a character boundary. */
export function closeReason(reason: string): string {
  let cut = reason;
  while (Buffer.byteLength(cut) > 120) cut = cut.slice(0, -1);
  return cut;
}

/** Close codes 1005/1006/1015 may not be sent on the wire; they only describe what happened. */
export function sendableCode(code: number): number {
  return code === 1005 || code === 1006 || code === 1015 ? 1011 : code;
}

/** The close code a console refused by its token's check reads as. */
export function refusalCode(decision: { reason: string; status: number }): number {
  if (decision.reason === 'expired') return closeCodes.expired;
  if (decision.status === 401) return closeCodes.noValidLink;
  // No public key loaded yet: nothing is wrong with the link, so the viewer may try again (Try Again Later).
  if (decision.status === 503) return 1013;
  return closeCodes.notAllowed;
}

/** How the API server's refusal of a console handshake reads to a person. */
export function explainUpstreamStatus(status: number): CloseWith {
  if (status === 503) return { code: closeCodes.inUse, reason: 'someone else is using this console' };
  if (status === 400) return { code: closeCodes.notRunning, reason: 'the VM is not running' };
  // A stopped VM has no instance at all, so KubeVirt answers 404 for it as for a missing one.
  if (status === 404) return { code: closeCodes.notRunning, reason: 'the VM is not running (or does not exist)' };
  if (status === 401 || status === 403) return { code: closeCodes.notAllowed, reason: 'the gateway is not allowed to open this console' };
  return { code: 1011, reason: `the cluster refused the console (HTTP ${status})` };
}

/**
 * How the end of an open console reads to a person. KubeVirt drops the old
 * viewer without a close frame (1006) when another one takes the console.
 */
export function explainUpstreamClose(code: number, reason = ''): CloseWith {
  if (code === 1006) return { code: closeCodes.inUse, reason: 'the console was taken over by another viewer, or the cluster dropped it' };
  if (code === 1000 || code === 1005) return { code: 1000, reason: 'the console closed' };
  return { code: sendableCode(code), reason: closeReason(`the console closed: ${reason || `code ${code}`}`) };
}
