import { useCallback, useEffect, useRef, useState } from 'react';
import type { AppSettings, DesktopError, VmRow, VncBridge } from '../../../shared/desktop-api.ts';
import { useClient } from '../client.tsx';
import { isFavourite } from '../context/favourites.ts';
import { asDesktopError } from '../errors.ts';
import { formatAge } from '../inventory/vm-query.ts';
import { ConsoleOpenings } from './ConsoleOpenings.tsx';
import { ErrorAlert } from './ErrorAlert.tsx';
import { useAction } from './use-action.ts';
import { useFocusReturn } from '../../viewer/focus-return.ts';
import { useLatest } from '../../viewer/use-latest.ts';

export interface VmDetailsProps {
  context: string;
  row: VmRow;
  appSettings: AppSettings | undefined;
  /** Opened from the keyboard: the panel takes the focus, and gives it back when it closes. */
  takeFocus?: boolean;
  onToggleFavourite: () => void;
  onShare: () => void;
  onOpenConsole: () => void;
  onClose: () => void;
}

type Thumbnail = { kind: 'loading' } | { kind: 'shown'; src: string } | { kind: 'forbidden'; reason: DesktopError } | { kind: 'failed'; error: DesktopError };

export function VmDetails({ context, row, appSettings, takeFocus = false, onToggleFavourite, onShare, onOpenConsole, onClose }: VmDetailsProps) {
  const client = useClient();
  const [thumbnail, setThumbnail] = useState<Thumbnail>({ kind: 'loading' });
  const [round, setRound] = useState(0);
  const [bridge, setBridge] = useState<VncBridge | undefined>();
  const vnc = useAction(() => client.openInVncClient({ kind: 'own', context, namespace: row.namespace, name: row.name }));
  const closeBridge = useAction(async (id: string) => {
    await client.closeVncBridge(id);
    return true;
  });
  const bridgeRef = useLatest(bridge);
  const favourite = isFavourite(appSettings, context, row.key);
  const panel = useRef<HTMLElement>(null);
  useFocusReturn(panel, { moveIn: takeFocus });

  useEffect(() => {
    if (!row.running) return undefined;
    let current = true;
    setThumbnail({ kind: 'loading' });
    client.screenshot(context, row.namespace, row.name).then(
      (shot) => {
        if (!current) return;
        if (shot.ok) setThumbnail({ kind: 'shown', src: `data:image/png;base64,${shot.pngBase64}` });
        else if (shot.reason.code === 'forbidden' || shot.reason.code === 'unsupported') setThumbnail({ kind: 'forbidden', reason: shot.reason });
        else setThumbnail({ kind: 'failed', error: shot.reason });
      },
      (err: unknown) => current && setThumbnail({ kind: 'failed', error: asDesktopError(err) }),
    );
    return () => {
      current = false;
    };
  }, [client, context, row.namespace, row.name, row.running, round]);

  // A bridge belongs to one VM: close it when the panel moves on. Nobody is left
  // to read a failure then, and main closes bridges at expiry and on quit anyway.
  useEffect(() => () => {
    const open = bridgeRef.current;
    if (open) void client.closeVncBridge(open.id).catch(() => undefined);
    setBridge(undefined);
  }, [client, row.key]);

  const openVnc = useCallback(async () => {
    const opened = await vnc.run();
    if (opened) setBridge(opened);
  }, [vnc]);

  return (
    <aside
      ref={panel}
      className="details"
      aria-label={`Details of ${row.name}`}
      tabIndex={-1}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !e.defaultPrevented) onClose();
      }}
    >
      <div className="details__head">
        <h2 className="details__title">{row.name}</h2>
        <button type="button" className="button button--small" aria-pressed={favourite} onClick={onToggleFavourite}>
          {favourite ? '★ Favourite' : '☆ Favourite'}
        </button>
        <button type="button" className="button button--small" aria-label="Close details" onClick={onClose}>✕</button>
      </div>
      <dl className="facts">
        <dt>Namespace</dt><dd>{row.namespace}</dd>
        <dt>Status</dt><dd>{row.status}{row.ready ? ' · ready' : ' · not ready'}</dd>
        <dt>Node</dt><dd>{row.node ?? '—'}</dd>
        <dt>IPs</dt><dd>{row.ips.length > 0 ? row.ips.join(', ') : '—'}</dd>
        <dt>Guest OS</dt><dd>{row.guestOS ?? (row.agentConnected ? '—' : 'unknown (no guest agent)')}</dd>
        <dt>Age</dt><dd>{formatAge(row.createdAt, Date.now())}</dd>
        <dt>Labels</dt>
        <dd>
          {Object.keys(row.labels).length === 0 ? '—' : (
            <ul className="labels">
              {Object.entries(row.labels).map(([k, v]) => <li key={k} className="label">{k}={v}</li>)}
            </ul>
          )}
        </dd>
      </dl>
      <div className="details__actions">
        <button type="button" className="button button--primary" onClick={onShare}>Share console</button>
        <button type="button" className="button" disabled={!row.running} onClick={onOpenConsole}>Open console</button>
        <button type="button" className="button" disabled={!row.running || vnc.busy} onClick={() => void openVnc()}>
          {vnc.busy ? 'Opening…' : 'Open in VNC client'}
        </button>
      </div>
      {!row.running && <p className="note">The VM is not running: its console opens once it runs.</p>}
      <ErrorAlert error={vnc.error} onDismiss={vnc.clearError} />
      {bridge && (
        <div className="bridge" role="region" aria-label="VNC client address">
          <p>Give your VNC client this address{bridge.password !== undefined ? ' and one-time password' : ''}:</p>
          <input className="input" readOnly aria-label="VNC address" value={bridge.address} onFocus={(e) => e.target.select()} />
          {bridge.password !== undefined && (
            <input className="input" readOnly aria-label="VNC password" value={bridge.password} onFocus={(e) => e.target.select()} />
          )}
          <button type="button" className="button button--small" disabled={closeBridge.busy} onClick={() => {
            void closeBridge.run(bridge.id).then((closed) => closed && setBridge(undefined));
          }}>Close bridge</button>
          <ErrorAlert error={closeBridge.error} onDismiss={closeBridge.clearError} />
        </div>
      )}
      {row.running && (
        <figure className="thumbnail">
          {thumbnail.kind === 'loading' && <p className="note" role="status">Taking a screenshot…</p>}
          {thumbnail.kind === 'shown' && <img src={thumbnail.src} alt={`Screen of ${row.name}`} />}
          {thumbnail.kind === 'forbidden' && <p className="note">No screenshot: {thumbnail.reason.message}</p>}
          {thumbnail.kind === 'failed' && <ErrorAlert error={thumbnail.error} />}
          {thumbnail.kind !== 'forbidden' && (
            <button type="button" className="button button--small" disabled={thumbnail.kind === 'loading'} onClick={() => setRound((r) => r + 1)}>
              Refresh screenshot
            </button>
          )}
        </figure>
      )}
      <ConsoleOpenings context={context} namespace={row.namespace} name={row.name} />
    </aside>
  );
}
