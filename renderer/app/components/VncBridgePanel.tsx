import { useEffect, useState } from 'react';
import type { VncBridge } from '../../../shared/desktop-api.ts';
import { formatInstant } from '../share/grant-wording.ts';
import { useClient } from '../client.tsx';
import { ErrorAlert } from './ErrorAlert.tsx';
import { useAction } from './use-action.ts';

export interface VncBridgePanelProps {
  bridge: VncBridge;
  /** The bridge is closed (by the person, or at the link's expiry). */
  onClosed: () => void;
}

/** Whether `until` has passed, turning true when it does. */
function usePassed(until: string | undefined): boolean {
  const at = until === undefined ? undefined : Date.parse(until);
  const [passed, setPassed] = useState(() => at !== undefined && at <= Date.now());
  useEffect(() => {
    if (at === undefined) return undefined;
    const left = at - Date.now();
    if (left <= 0) {
      setPassed(true);
      return undefined;
    }
    setPassed(false);
    // Beyond what one timer can wait, the view is long gone or will be re-rendered.
    const timer = setTimeout(() => setPassed(true), Math.min(left, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [at]);
  return passed;
}

/** Where a VNC client connects: the address, the one-time password, copy buttons, a launch where the desktop has a vnc:// handler. */
export function VncBridgePanel({ bridge, onClosed }: VncBridgePanelProps) {
  const client = useClient();
  const [copied, setCopied] = useState<'address' | 'password' | undefined>();
  const copy = useAction(async (what: 'address' | 'password', text: string) => {
    await client.copyText(text);
    return what;
  });
  const launch = useAction(() => client.launchVncClient(bridge.id));
  const close = useAction(async () => {
    await client.closeVncBridge(bridge.id);
    return true;
  });
  const expired = usePassed(bridge.until);

  if (expired) {
    return (
      <div className="bridge" role="region" aria-label="VNC client address">
        <p role="status">The link has expired: the VNC bridge is closed and its client disconnected.</p>
        <button type="button" className="button button--small" onClick={onClosed}>Dismiss</button>
      </div>
    );
  }

  const field = (what: 'address' | 'password', label: string, value: string) => (
    <div className="bridge__field">
      <input className="input input--mono" readOnly aria-label={label} value={value} onFocus={(e) => e.target.select()} />
      <button type="button" className="button button--small" disabled={copy.busy} aria-label={`Copy ${label}`}
        onClick={() => void copy.run(what, value).then((done) => done && setCopied(done))}>
        {copied === what ? 'Copied' : 'Copy'}
      </button>
    </div>
  );

  return (
    <div className="bridge" role="region" aria-label="VNC client address">
      <p>Give your VNC client this address{bridge.password !== undefined ? ' and one-time password' : ''}:</p>
      {field('address', 'VNC address', bridge.address)}
      {bridge.password !== undefined && field('password', 'VNC password', bridge.password)}
      {bridge.launcher !== undefined && (
        <div className="bridge__launch">
          <button type="button" className="button button--primary" disabled={launch.busy} onClick={() => void launch.run()}>
            Open in {bridge.launcher}
          </button>
          <span className="note">It asks for the one-time password; it is never handed over in the address.</span>
        </div>
      )}
      <p className="note">
        One client at a time{bridge.password !== undefined ? '; a few wrong passwords close the bridge' : ''}.
        {' '}It closes when you leave this view{bridge.until !== undefined ? ` or at the link's expiry, ${formatInstant(Date.parse(bridge.until), true)}` : ''}.
      </p>
      <button type="button" className="button button--small" disabled={close.busy}
        onClick={() => void close.run().then((closed) => closed && onClosed())}>Close bridge</button>
      <ErrorAlert error={copy.error ?? launch.error ?? close.error} onDismiss={() => {
        copy.clearError();
        launch.clearError();
        close.clearError();
      }} />
    </div>
  );
}
