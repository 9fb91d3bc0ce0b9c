// Who is on the console with this viewer, as the gateway last told it
// (shared/console-presence.ts), and what to tell the person about a change.
// Someone else joining or leaving is said once; the viewer's own arrival is not.

import type { ConsoleViewerInfo, PresenceMessage } from '../../shared/console-presence.ts';

export interface PresenceNotice {
  text: string;
  /** Distinguishes two notices with the same words, so each is shown and announced. */
  serial: number;
}

export interface PresenceState {
  /** Everyone on the console, this viewer included; empty until the gateway has said. */
  viewers: ConsoleViewerInfo[];
  /** This viewer's id among them. */
  you: string | undefined;
  notice: PresenceNotice | undefined;
}

export type PresenceAction =
  | { type: 'message'; message: PresenceMessage }
  /** The connection ended or is being replaced: what it said no longer holds. */
  | { type: 'reset' }
  /** The notice has been on screen long enough. */
  | { type: 'notice-seen'; serial: number };

export const NO_PRESENCE: PresenceState = { viewers: [], you: undefined, notice: undefined };

/** "control" or "view only", as a person reads a viewer's access. */
export function accessWords(viewer: Pick<ConsoleViewerInfo, 'control'>): string {
  return viewer.control ? 'control' : 'view only';
}

/** "1 person here", "3 people here". */
export function headcount(count: number): string {
  return `${count} ${count === 1 ? 'person' : 'people'} here`;
}

function noticeFor(message: PresenceMessage): string | undefined {
  const change = message.change;
  if (change === undefined || change.viewer.id === message.you) return undefined;
  return change.kind === 'joined'
    ? `${change.viewer.name} joined the console (${accessWords(change.viewer)})`
    : `${change.viewer.name} left the console`;
}

export function nextPresence(state: PresenceState, action: PresenceAction): PresenceState {
  switch (action.type) {
    case 'message': {
      const text = noticeFor(action.message);
      const notice = text === undefined ? state.notice : { text, serial: (state.notice?.serial ?? 0) + 1 };
      return { viewers: action.message.viewers, you: action.message.you, notice };
    }
    case 'reset':
      return NO_PRESENCE;
    case 'notice-seen':
      return state.notice?.serial === action.serial ? { ...state, notice: undefined } : state;
  }
}
