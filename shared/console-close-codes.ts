/**
 * The close codes a refused or ended console carries, so a viewer can tell a
 * person why (docs/architecture.md, "Close codes"). A browser sees only
 * 1006 when a websocket handshake fails, so the gateway accepts the websocket
 * and closes it at once with one of these.
 */
export const CONSOLE_CLOSE_CODES = {
  noValidLink: 4401,
  notAllowed: 4403,
  notRunning: 4404,
  inUse: 4409,
  expired: 4410,
} as const;
