import { useEffect, useRef, useState } from 'react';
import type { AppSettings, DesktopError, VmRow } from '../../../shared/desktop-api.ts';
import { useClient } from '../client.tsx';
import { isFavourite } from '../context/favourites.ts';
import { asDesktopError } from '../errors.ts';
import { formatAge } from '../inventory/vm-query.ts';
import { ConsoleOpenings } from './ConsoleOpenings.tsx';
import { ErrorAlert } from './ErrorAlert.tsx';
import { useVncBridge } from './use-vnc-bridge.ts';
import { VncBridgePanel } from './VncBridgePanel.tsx';
import { VmPowerControls, type PowerRequest } from './VmPowerControls.tsx';
import { useFocusReturn } from '../../viewer/focus-return.ts';

export interface VmDetailsProps {
  context: string;
  row: VmRow;
  appSettings: AppSettings | undefined;
  /** Opened from the keyboard: the panel takes the focus, and gives it back when it closes. */
  takeFocus?: boolean;
  onToggleFavourite: () => void;
  onShare: () => void;
  onOpenConsole: () => void;
  /** The serial console with the operator's own credentials, like `virtctl console`. */
  onOpenSerialConsole: () => void;
  onClose: () => void;
  /** A power action chosen in the row menu. */
  powerRequest?: PowerRequest | undefined;
}

type Thumbnail = { kind: 'loading' } | { kind: 'shown'; src: string } | { kind: 'forbidden'; reason: DesktopError } | { kind: 'failed'; error: DesktopError };

export function VmDetails({ context, row, appSettings, takeFocus = false, onToggleFavourite, onShare, onOpenConsole, onOpenSerialConsole, onClose, powerRequest }: VmDetailsProps) {
  const client = useClient();
  const [thumbnail, setThumbnail] = useState<Thumbnail>({ kind: 'loading' });
  const [round, setRound] = useState(0);
  const vnc = useVncBridge(() => client.openInVncClient({ kind: 'own', context, namespace: row.namespace, name: row.name }), row.key);
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

  return (
    <aside
      ref={panel}
      className="details"
      aria-label={`Details of ${row.name}`}
      tabIndex={-1}
      onKeyDown={(e) => {
        // Escape in a dialog of these details (a confirmation) closes that dialog, not the details.
        if (e.key === 'Escape' && !e.defaultPrevented && !(e.target as Element).closest('dialog')) onClose();
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
        <button type="button" className="button" disabled={!row.running} onClick={onOpenSerialConsole}>Open serial console</button>
        <button ref={vnc.opener} type="button" className="button" disabled={!row.running || vnc.opening.busy} onClick={() => void vnc.open()}>
          {vnc.opening.busy ? 'Opening…' : 'Open in VNC client'}
        </button>
      </div>
      <VmPowerControls context={context} row={row} request={powerRequest} />
      {!row.running && <p className="note">The VM is not running: its console opens once it runs.</p>}
      <ErrorAlert error={vnc.opening.error} attempt="open-vnc-client" onDismiss={vnc.opening.clearError} />
      {vnc.bridge && <VncBridgePanel bridge={vnc.bridge} onClosed={vnc.forget} />}
      {row.running && (
        <figure className="thumbnail">
          {thumbnail.kind === 'loading' && <p className="note" role="status">Taking a screenshot…</p>}
          {thumbnail.kind === 'shown' && <img src={thumbnail.src} alt={`Screen of ${row.name}`} />}
          {thumbnail.kind === 'forbidden' && <ErrorAlert error={thumbnail.reason} attempt="screenshot" tone="note" />}
          {thumbnail.kind === 'failed' && <ErrorAlert error={thumbnail.error} attempt="screenshot" />}
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
