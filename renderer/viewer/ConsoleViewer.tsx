import { useCallback, useEffect, useId, useReducer, useRef, useState } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';
import type { ConsoleKind } from '../../shared/kubevirt-paths.ts';
import { KUBEVIRT_SUBPROTOCOL, TappedChannel } from './channel.ts';
import type { WebSocketLike } from './channel.ts';
import { nextConsoleState } from './console-state.ts';
import type { ConsoleState } from './console-state.ts';
import { expiryLabel } from './countdown.ts';
import { describeState } from './describe-state.ts';
import type { ConsoleAction } from './describe-state.ts';
import { completesLeaveChord, LEAVE_CONSOLE_SHORTCUT, LEAVE_CONSOLE_WORDS } from './leave-console.ts';
import { parsePresenceMessage } from '../../shared/console-presence.ts';
import { PasteDialog } from './PasteDialog.tsx';
import { PresenceList } from './PresenceList.tsx';
import { NO_PRESENCE, nextPresence } from './presence-state.ts';
import type { PasteInto } from './PasteDialog.tsx';
import { SerialScreen } from './serial-screen.ts';
import { initialStateFor, instantMs } from './session.ts';
import type { ConsoleSession } from './session.ts';
import { StatePanel } from './StatePanel.tsx';
import { useLatest } from './use-latest.ts';
import { VncScreen } from './vnc-screen.ts';

export interface ConnectOptions {
  /** false: ask KubeVirt to keep an existing viewer (preserveSession); true: take the console from them. */
  takeOver: boolean;
}

export interface ConsoleViewerProps {
  /** Which console: the VM's screen over VNC (default), or its serial console as a terminal. Changing it connects to the other console. */
  kind?: ConsoleKind;
  /** A websocket URL (opened with the plain.kubevirt.io subprotocol) or a ready WebSocket-like channel. */
  connect: (options: ConnectOptions) => string | WebSocketLike;
  /** Names the console for people, e.g. "web-1 in team-a". */
  title: string;
  session?: ConsoleSession;
  onExpired?: () => void;
  onStateChange?: (state: ConsoleState) => void;
  /** Extra toolbar controls, after the built-in ones. */
  toolbar?: ReactNode;
  formatTime?: (ms: number) => string;
  /** How the console is opened, for the words of a refusal: with a link (default), or the person's own credentials. */
  access?: 'link' | 'own';
  /** Names the route `connect` takes; a new one reconnects in place (waiting for the old session to end), as a new `kind` does. */
  via?: string;
}

// How long a closed console takes to be released upstream, and the longest wait for a close.
const SESSION_RELEASE_MS = 200;
const CLOSE_WAIT_MS = 2_000;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// setTimeout fires at once for delays beyond this (about 24.8 days).
const LONGEST_TIMER_MS = 2 ** 31 - 1;

const defaultFormatTime = (ms: number) => new Date(ms).toLocaleString();

const SCREEN_LABELS: Readonly<Record<ConsoleKind, string>> = { vnc: 'VM console', serial: 'VM serial console' };

/** A VM console, its screen or its serial console, with the states, countdown and controls every Gatepass viewer shares. */
export function ConsoleViewer({ kind = 'vnc', connect, title, session, onExpired, onStateChange, toolbar, formatTime = defaultFormatTime, access = 'link', via = '' }: ConsoleViewerProps) {
  const until = session?.until === undefined ? undefined : instantMs(session.until, 'until');
  const viewOnly = session?.viewOnly === true;
  const [state, dispatch] = useReducer(nextConsoleState, session, (s) => initialStateFor(s, Date.now()));
  const [presence, dispatchPresence] = useReducer(nextPresence, NO_PRESENCE);
  const [now, setNow] = useState(() => Date.now());
  const [scaled, setScaled] = useState(true);
  const [fullScreen, setFullScreen] = useState(false);
  const [pasting, setPasting] = useState(false);
  const [selected, setSelected] = useState(false);
  const [copyNote, setCopyNote] = useState('');
  const root = useRef<HTMLDivElement>(null);
  const mount = useRef<HTMLDivElement>(null);
  const tools = useRef<HTMLDivElement>(null);
  const hintId = useId();
  const live = useRef<{ screen: VncScreen | SerialScreen; channel: TappedChannel } | null>(null);
  // Events of a connection that has since been replaced must not move the state.
  const generation = useRef(0);
  const stateRef = useLatest(state);
  const scaledRef = useLatest(scaled);
  const viewOnlyRef = useLatest(viewOnly);
  const kindRef = useLatest(kind);
  // Held in a ref so a caller passing a new function each render does not reconnect.
  const connectRef = useLatest(connect);

  /** Closes the current connection, if any; resolves once its channel has closed. */
  const disconnect = useCallback((): Promise<unknown> | undefined => {
    generation.current += 1;
    const current = live.current;
    live.current = null;
    if (!current) return undefined;
    current.screen.dispose();
    dispatchPresence({ type: 'reset' });
    setSelected(false);
    setCopyNote('');
    return current.channel.closed;
  }, []);

  const selectionChanged = useCallback((has: boolean) => {
    setSelected(has);
    setCopyNote('');
  }, []);

  const open = useCallback(async (takeOver: boolean, auto: boolean) => {
    if (stateRef.current.kind === 'expired' || !mount.current) return;
    const previous = disconnect();
    const id = generation.current;
    dispatch({ type: 'connect', takeOver, auto });
    // With preserveSession, KubeVirt refuses while our own previous session is
    // still open upstream: wait for it to close (bounded) before asking again.
    if (previous) await Promise.race([previous.then(() => delay(SESSION_RELEASE_MS)), delay(CLOSE_WAIT_MS)]);
    if (id !== generation.current || !mount.current) return;
    let opened: { screen: VncScreen | SerialScreen; channel: TappedChannel };
    try {
      const target = connectRef.current({ takeOver });
      const raw: WebSocketLike = typeof target === 'string' ? new WebSocket(target, [KUBEVIRT_SUBPROTOCOL]) : target;
      const channel = new TappedChannel(raw, ({ code, reason }) => {
        if (id !== generation.current) return;
        dispatch({ type: 'closed', code, reason });
        dispatchPresence({ type: 'reset' });
      }, (text) => {
        const message = parsePresenceMessage(text);
        if (message !== undefined && id === generation.current) dispatchPresence({ type: 'message', message });
      });
      const onConnected = () => {
        if (id !== generation.current) return;
        dispatch({ type: 'connected' });
        live.current?.screen.focus();
      };
      const screen = kindRef.current === 'serial'
        ? new SerialScreen(mount.current, channel, { viewOnly: viewOnlyRef.current, onOpen: onConnected, onSelectionChange: selectionChanged })
        : new VncScreen(mount.current, channel, { viewOnly: viewOnlyRef.current, scaled: scaledRef.current, onConnect: onConnected });
      opened = { screen, channel };
    } catch (err) {
      dispatch({ type: 'failed', detail: `Could not open the console: ${(err as Error).message}` });
      return;
    }
    live.current = opened;
  }, [disconnect, selectionChanged]);

  // Another kind in place (the other console of the same VM, on a fresh mount element), or another route to it.
  const route = `${kind} ${via}`;
  const shownRoute = useRef(route);
  useEffect(() => {
    if (shownRoute.current === route) return;
    shownRoute.current = route;
    const now = stateRef.current.kind;
    if (now !== 'expired' && now !== 'not-yet-valid') void open(false, false);
  }, [route, open]);

  // Connect once on mount when the link allows it; close on unmount.
  useEffect(() => {
    if (stateRef.current.kind === 'connecting') void open(false, false);
    return () => void disconnect();
  }, [open, disconnect]);

  useEffect(() => onStateChange?.(state), [state, onStateChange]);

  useEffect(() => {
    if (until === undefined) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [until]);

  // The gateway closes a live console at expiry too (4410); this covers a
  // gateway that does not, and a console that is not connected at the time.
  const expiredNow = until !== undefined && now >= until;
  useEffect(() => {
    if (!expiredNow || stateRef.current.kind === 'expired') return;
    void disconnect();
    dispatch({ type: 'expired' });
  }, [expiredNow, disconnect]);

  useEffect(() => {
    if (state.kind === 'expired') onExpired?.();
  }, [state.kind, onExpired]);

  useEffect(() => {
    if (state.kind === 'unreachable' && state.retryInMs !== undefined) {
      const timer = setTimeout(() => void open(false, true), state.retryInMs);
      return () => clearTimeout(timer);
    }
    if (state.kind === 'not-yet-valid' && state.from !== undefined) {
      const wait = state.from - Date.now();
      if (wait > LONGEST_TIMER_MS) return;
      const timer = setTimeout(() => void open(false, false), Math.max(0, wait));
      return () => clearTimeout(timer);
    }
    return undefined;
  }, [state, open]);

  useEffect(() => {
    const screen = live.current?.screen;
    if (screen instanceof VncScreen) screen.scaled = scaled;
  }, [scaled]);

  useEffect(() => {
    if (live.current) live.current.screen.viewOnly = viewOnly;
  }, [viewOnly]);

  useEffect(() => {
    const onChange = () => setFullScreen(document.fullscreenElement === root.current);
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, []);

  const toggleFullScreen = () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void root.current?.requestFullscreen();
  };

  const vnc = () => (live.current?.screen instanceof VncScreen ? live.current.screen : undefined);
  const serial = () => (live.current?.screen instanceof SerialScreen ? live.current.screen : undefined);

  const afterPaste = () => {
    setPasting(false);
    live.current?.screen.focus();
  };
  const pasteInto: PasteInto = kind === 'serial'
    ? { kind: 'text', send: (text) => { serial()?.paste(text); afterPaste(); } }
    : { kind: 'keys', type: (strokes) => { vnc()?.type(strokes); afterPaste(); } };

  const copySelection = async () => {
    const text = serial()?.selection() ?? '';
    if (text === '') return;
    try {
      await navigator.clipboard.writeText(text);
      setCopyNote('Copied');
    } catch {
      setCopyNote('The browser did not allow copying; use the right-click menu');
    }
  };

  const noticeSeen = useCallback((serial: number) => dispatchPresence({ type: 'notice-seen', serial }), []);

  const onAction = (action: ConsoleAction) => void open(action === 'take-over', false);

  const leaveConsole = (event: KeyboardEvent<HTMLDivElement>) => {
    if (!completesLeaveChord(event)) return;
    // Before the screen's own listeners (noVNC's, xterm's): the chord's last key never reaches the VM.
    event.preventDefault();
    event.stopPropagation();
    vnc()?.releaseChordKeys();
    tools.current?.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus();
  };

  const connected = state.kind === 'connected';
  const description = describeState(state, { formatTime, access });
  // One "Reconnect" at a time: the state panel's when it offers one, else the toolbar's.
  const panelReconnects = !connected && description.actions.includes('reconnect');

  return (
    <div className="console" ref={root}>
      <div className="console__bar">
        <h1 className="console__title">{title}</h1>
        {viewOnly && <span className="console__badge">View only</span>}
        {copyNote !== '' && <span className="console__note" role="status">{copyNote}</span>}
        {until !== undefined && (
          <span className="console__countdown" aria-live="off" title={`Valid until ${formatTime(until)}`}>
            {expiryLabel(until, now)}
          </span>
        )}
        <PresenceList presence={presence} onNoticeSeen={noticeSeen} />
        <div ref={tools} className="console__tools" role="toolbar" aria-label="Console controls">
          {kind === 'vnc' && (
            <button type="button" className="button" aria-pressed={scaled} onClick={() => setScaled((s) => !s)}>Scale to fit</button>
          )}
          <button type="button" className="button" aria-pressed={fullScreen} onClick={toggleFullScreen}>Full screen</button>
          {kind === 'serial' && (
            <button type="button" className="button" disabled={!selected} onClick={() => void copySelection()}>Copy</button>
          )}
          {!viewOnly && (
            <>
              {kind === 'vnc' && (
                <button type="button" className="button" disabled={!connected} onClick={() => vnc()?.sendCtrlAltDel()}>Ctrl-Alt-Del</button>
              )}
              <button type="button" className="button" disabled={!connected} aria-expanded={pasting} onClick={() => setPasting((p) => !p)}>Paste text</button>
            </>
          )}
          {!panelReconnects && (
            <button type="button" className="button" disabled={state.kind === 'expired'} onClick={() => void open(false, false)}>Reconnect</button>
          )}
          {toolbar}
        </div>
      </div>
      <div className="console__body">
        <div
          className={`console__screen console__screen--${kind}`}
          role="application"
          aria-label={SCREEN_LABELS[kind]}
          aria-describedby={hintId}
          aria-keyshortcuts={LEAVE_CONSOLE_SHORTCUT}
          onKeyDownCapture={leaveConsole}
        >
          <div key={kind} ref={mount} className="console__mount" />
        </div>
        <span id={hintId} className="console__hint">{LEAVE_CONSOLE_WORDS} moves the keyboard out of the console</span>
        {connected
          ? <p className="visually-hidden" role="status">{description.title}</p>
          : <StatePanel description={description} onAction={onAction} />}
        {pasting && connected && <PasteDialog into={pasteInto} onClose={() => setPasting(false)} />}
      </div>
    </div>
  );
}
