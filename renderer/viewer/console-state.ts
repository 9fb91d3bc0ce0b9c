// What the console is doing, as a pure state machine: the component feeds it
// events (connect, connected, closed, expired) and renders whatever it returns.
// Keeping it free of the DOM and of noVNC lets every transition be unit-tested.

import { CONSOLE_CLOSE_CODES } from '../../shared/console-close-codes.ts';

/** Where a closed websocket leaves the console, by close code (DESIGN: "Console errors a person can read"). */
export type CloseOutcome =
  | { kind: 'no-link' }
  | { kind: 'forbidden' }
  | { kind: 'not-running' }
  | { kind: 'in-use' }
  | { kind: 'expired' }
  | { kind: 'retry'; cause: 'unreachable' | 'restarting' }
  | { kind: 'disconnected' };

export const CLOSE_CODES = {
  goingAway: 1001,
  abnormal: 1006,
  ...CONSOLE_CLOSE_CODES,
} as const;

export function closeOutcome(code: number): CloseOutcome {
  switch (code) {
    case CLOSE_CODES.noValidLink: return { kind: 'no-link' };
    case CLOSE_CODES.notAllowed: return { kind: 'forbidden' };
    case CLOSE_CODES.notRunning: return { kind: 'not-running' };
    case CLOSE_CODES.inUse: return { kind: 'in-use' };
    case CLOSE_CODES.expired: return { kind: 'expired' };
    case CLOSE_CODES.goingAway: return { kind: 'retry', cause: 'restarting' };
    // 1006: the handshake failed or the connection dropped without a close frame;
    // 1011-1014: the server hit an error or is overloaded. All worth retrying.
    case CLOSE_CODES.abnormal:
    case 1011:
    case 1012:
    case 1013:
    case 1014:
      return { kind: 'retry', cause: 'unreachable' };
    default: return { kind: 'disconnected' };
  }
}

export type ConsoleState =
  | { kind: 'connecting'; attempt: number; takeOver: boolean }
  | { kind: 'connected' }
  /** `retryInMs` is undefined once automatic retries have given up. */
  | { kind: 'unreachable'; cause: 'unreachable' | 'restarting'; attempt: number; retryInMs: number | undefined }
  | { kind: 'not-yet-valid'; from: number | undefined; detail: string | undefined }
  | { kind: 'expired'; detail: string | undefined }
  | { kind: 'in-use' }
  | { kind: 'not-running' }
  | { kind: 'forbidden'; detail: string | undefined }
  | { kind: 'no-link'; detail: string | undefined }
  | { kind: 'disconnected'; detail: string | undefined };

export type ConsoleEvent =
  /** `auto` marks a scheduled retry, which keeps counting attempts; a person's click starts again at 1. */
  | { type: 'connect'; takeOver: boolean; auto: boolean }
  | { type: 'connected' }
  | { type: 'closed'; code: number; reason: string }
  /** The connection could not even be attempted (the caller's connect threw). */
  | { type: 'failed'; detail: string }
  | { type: 'expired' }
  | { type: 'not-yet-valid'; from: number | undefined; detail?: string };

export const MAX_AUTO_RETRIES = 8;
const FIRST_RETRY_MS = 1_000;
const LONGEST_RETRY_MS = 30_000;

/** Exponential backoff: 1 s, 2 s, 4 s … capped at 30 s; undefined after MAX_AUTO_RETRIES failed attempts. */
export function retryDelayMs(failedAttempts: number): number | undefined {
  if (!Number.isInteger(failedAttempts) || failedAttempts < 1) {
    throw new RangeError(`failed attempts must be a positive integer, got ${failedAttempts}`);
  }
  if (failedAttempts > MAX_AUTO_RETRIES) return undefined;
  return Math.min(FIRST_RETRY_MS * 2 ** (failedAttempts - 1), LONGEST_RETRY_MS);
}

export const initialConsoleState: ConsoleState = { kind: 'connecting', attempt: 1, takeOver: false };

/** States the console does not leave on its own: only a person (or a new link) moves it on. */
export function isFinal(state: ConsoleState): boolean {
  return state.kind !== 'connecting' && state.kind !== 'connected' && !(state.kind === 'unreachable' && state.retryInMs !== undefined);
}

export function nextConsoleState(state: ConsoleState, event: ConsoleEvent): ConsoleState {
  switch (event.type) {
    case 'connect': {
      // An expired link stays expired: reconnecting cannot help, only a new link can.
      if (state.kind === 'expired') return state;
      const attempt = event.auto && state.kind === 'unreachable' ? state.attempt + 1 : 1;
      return { kind: 'connecting', attempt, takeOver: event.takeOver };
    }
    case 'connected':
      return state.kind === 'connecting' ? { kind: 'connected' } : state;
    case 'expired':
      return { kind: 'expired', detail: undefined };
    case 'not-yet-valid':
      return { kind: 'not-yet-valid', from: event.from, detail: event.detail };
    case 'closed':
      return afterClose(state, event.code, event.reason);
    case 'failed':
      return state.kind === 'connecting' ? { kind: 'disconnected', detail: event.detail } : state;
  }
}

function afterClose(state: ConsoleState, code: number, reason: string): ConsoleState {
  // A close only matters while a connection is live or being made; later ones
  // come from a socket the console has already given up on.
  if (state.kind !== 'connecting' && state.kind !== 'connected') return state;
  const detail = reason === '' ? undefined : reason;
  const outcome = closeOutcome(code);
  switch (outcome.kind) {
    case 'retry': {
      // A console that was up and dropped starts its backoff afresh.
      const attempt = state.kind === 'connecting' ? state.attempt : 1;
      return { kind: 'unreachable', cause: outcome.cause, attempt, retryInMs: retryDelayMs(attempt) };
    }
    case 'in-use': return { kind: 'in-use' };
    case 'not-running': return { kind: 'not-running' };
    case 'expired': return { kind: 'expired', detail };
    case 'forbidden': return { kind: 'forbidden', detail };
    case 'no-link': return { kind: 'no-link', detail };
    case 'disconnected': return { kind: 'disconnected', detail };
  }
}
