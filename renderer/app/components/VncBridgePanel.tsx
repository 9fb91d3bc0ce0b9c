import { useEffect, useRef, useState } from 'react';
import type { VncBridge, VncBridgeEnd } from '../../../shared/desktop-api.ts';
import { formatInstant } from '../share/grant-wording.ts';
import { bridgeEndInWords } from '../vnc-bridge/end-wording.ts';
import { useClient } from '../client.tsx';
import { ErrorAlert } from './ErrorAlert.tsx';
import { useAction } from './use-action.ts';
import { usePassed } from './use-passed.ts';

export interface VncBridgePanelProps {
  bridge: VncBridge;
  /** The person closed the bridge, or dismissed the words saying it closed. */
  onClosed: () => void;
}

/** Where a VNC client connects: the address, the one-time password, copy buttons, a launch where the desktop has a vnc:// handler. */
export function VncBridgePanel({ bridge, onClosed }: VncBridgePanelProps) {
  const client = useClient();
  const [copied, setCopied] = useState<{ what: 'address' | 'password'; byHand: boolean } | undefined>();
  const inputs = useRef<Partial<Record<'address' | 'password', HTMLInputElement | null>>>({});
  const copy = useAction(async (what: 'address' | 'password', text: string) => {
    const outcome = await client.copyText(text);
    // Where the page may not write the clipboard, the field is selected for Ctrl+C instead.
    if (!outcome.copied) inputs.current[what]?.select();
    return { what, byHand: !outcome.copied };
  });
  const launch = useAction(() => client.launchVncClient(bridge.id));
  const close = useAction(async () => {
    await client.closeVncBridge(bridge.id);
    return true;
  });
  // Main says when it closed the bridge (wrong passwords, expiry, a failure); the link's expiry is also known here.
  const [closedByMain, setClosedByMain] = useState<VncBridgeEnd | undefined>();
  useEffect(() => client.onEvent((event) => {
    if (event.kind === 'vnc-bridge-closed' && event.id === bridge.id) setClosedByMain(event.end);
  }), [client, bridge.id]);
  const expired = usePassed(bridge.until);
  const end: VncBridgeEnd | undefined = closedByMain ?? (expired ? { reason: 'expired' } : undefined);

  if (end) {
    return (
      <div className="bridge" role="region" aria-label="VNC client address">
        <p role="status">{bridgeEndInWords(end)}</p>
        <button type="button" className="button button--small" onClick={onClosed}>Dismiss</button>
      </div>
    );
  }

  const field = (what: 'address' | 'password', label: string, value: string) => (
    <div className="bridge__field">
      <input ref={(input) => void (inputs.current[what] = input)} className="input input--mono" readOnly aria-label={label} value={value} onFocus={(e) => e.target.select()} />
      <button type="button" className="button button--small" disabled={copy.busy}
        onClick={() => void copy.run(what, value).then((done) => done && setCopied(done))}>
        Copy {what}
      </button>
      {copied?.what === what && <span className="note" role="status">{copied.byHand ? 'Selected: press Ctrl+C to copy' : 'Copied'}</span>}
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
      <ErrorAlert error={copy.error ?? launch.error ?? close.error} attempt="use-vnc-bridge" onDismiss={() => {
        copy.clearError();
        launch.clearError();
        close.clearError();
      }} />
    </div>
  );
}
