import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConsoleTarget, InviteResult } from '../../../shared/desktop-api.ts';
import { ConsoleViewer } from '../../viewer/ConsoleViewer.tsx';
import type { ConnectOptions } from '../../viewer/ConsoleViewer.tsx';
import type { ConsoleSession } from '../../viewer/session.ts';
import { useClient } from '../client.tsx';
import { DeferredChannel } from '../console/deferred-channel.ts';
import { StartVmOffer } from '../console/StartVmOffer.tsx';
import type { ConsoleState } from '../../viewer/console-state.ts';
import { InviteDialog } from './InviteDialog.tsx';

export interface EmbeddedConsoleProps {
  target: ConsoleTarget;
  title: string;
  session?: ConsoleSession;
  onClose: () => void;
}

const formatTime = (ms: number) => new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The shared viewer (noVNC, or a terminal for the serial console) over a console main opens: a link's, or the operator's own. */
export function EmbeddedConsole({ target, title, session, onClose }: EmbeddedConsoleProps) {
  const client = useClient();
  const opened = useRef<string[]>([]);
  const opening = useRef(new Set<Promise<unknown>>());
  const [state, setState] = useState<ConsoleState>({ kind: 'connecting', takeOver: false, attempt: 1 });
  // A new viewer connects as it mounts: how the console follows a VM that was started from here.
  const [round, setRound] = useState(0);
  const reconnect = useCallback(() => setRound((n) => n + 1), []);
  const [inviting, setInviting] = useState(false);
  // Once someone is invited, the operator's own console goes through the gateway's shared session with their own link.
  const [shared, setShared] = useState<{ ownLink: string; gateway: string } | undefined>();
  const route: ConsoleTarget = shared === undefined ? target : { kind: 'link', link: shared.ownLink, console: target.console ?? 'vnc' };

  const connect = useCallback(({ takeOver }: ConnectOptions) => {
    // Consoles this view opened before (a viewer replaced on reconnect, a retry still on its
    // way) are closed in main first: asked with preserveSession, KubeVirt refuses while our
    // own earlier session still holds the VM, and the person would read "in use".
    const earlier = [...opening.current];
    const next = Promise.allSettled(earlier)
      .then(() => Promise.all(opened.current.splice(0).map((id) => client.closeConsole(id).catch(() => undefined))))
      .then(() => client.openConsole(route, { takeOver }))
      .then((ticket) => {
        opened.current.push(ticket.id);
        return client.consoleChannel(ticket);
      });
    opening.current.add(next);
    void next.catch(() => undefined).finally(() => opening.current.delete(next));
    return new DeferredChannel(next);
  }, [client, route]);

  const invited = useCallback((result: InviteResult) => {
    setShared((current) => current ?? { ownLink: result.ownLink, gateway: new URL(result.invitation.issued.gateway).host });
  }, []);

  // Closing the channel ends a console; this also releases any main still holds
  // for a channel the viewer never attached. Failures here have no one to tell:
  // the view is gone, and main drops unknown ids.
  useEffect(() => () => {
    for (const id of opened.current.splice(0)) void client.closeConsole(id).catch(() => undefined);
  }, [client]);

  return (
    <div className="embedded-console">
      {shared !== undefined && (
        <p className="note embedded-console__route" role="status">
          This console now runs through the Gatepass gateway at {shared.gateway}, so the people you invite can join it.
        </p>
      )}
      <ConsoleViewer
        key={round}
        connect={connect}
        onStateChange={setState}
        title={title}
        {...(session === undefined ? {} : { session })}
        formatTime={formatTime}
        access={route.kind === 'own' ? 'own' : 'link'}
        kind={target.console ?? 'vnc'}
        via={shared === undefined ? 'own' : 'gateway'}
        toolbar={(
          <>
            {target.kind === 'own' && (
              <button type="button" className="button" aria-haspopup="dialog" onClick={() => setInviting(true)}>Invite</button>
            )}
            {target.kind === 'own' && (
              <StartVmOffer context={target.context} namespace={target.namespace} name={target.name} console={state} onRunning={reconnect} />
            )}
            <button type="button" className="button" onClick={onClose}>Close console</button>
          </>
        )}
      />
      {inviting && target.kind === 'own' && (
        <InviteDialog
          context={target.context}
          namespace={target.namespace}
          name={target.name}
          console={target.console ?? 'vnc'}
          onInvited={invited}
          onClose={() => setInviting(false)}
        />
      )}
    </div>
  );
}
