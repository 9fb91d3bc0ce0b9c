// The console viewer shared by the browser viewer and the desktop app.
export { ConsoleViewer } from './ConsoleViewer.tsx';
export type { ConnectOptions, ConsoleViewerProps } from './ConsoleViewer.tsx';
export { StatePanel } from './StatePanel.tsx';
export type { WebSocketLike, ChannelClose } from './channel.ts';
export { KUBEVIRT_SUBPROTOCOL } from './channel.ts';
export type { ConsoleState } from './console-state.ts';
export { closeOutcome, CLOSE_CODES } from './console-state.ts';
export { describeState } from './describe-state.ts';
export type { StateDescription } from './describe-state.ts';
export type { ConsoleSession, Instant } from './session.ts';
export { formatCountdown, expiryLabel } from './countdown.ts';
