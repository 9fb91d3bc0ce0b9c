import { useCallback, useEffect, useRef } from 'react';
import type { ConsoleTarget } from '../../../shared/desktop-api.ts';
import { ConsoleViewer } from '../../viewer/ConsoleViewer.tsx';
import type { ConnectOptions } from '../../viewer/ConsoleViewer.tsx';
import type { ConsoleSession } from '../../viewer/session.ts';
import { useClient } from '../client.tsx';
import { DeferredChannel } from '../console/deferred-channel.ts';

export interface EmbeddedConsoleProps {
  target: ConsoleTarget;
  title: string;
  session?: ConsoleSession;
  onClose: () => void;
}

const formatTime = (ms: number) => new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The shared noVNC viewer over a console main opens: a link's, or the operator's own. */
export function EmbeddedConsole({ target, title, session, onClose }: EmbeddedConsoleProps) {
  const client = useClient();
  const opened = useRef<string[]>([]);

  const connect = useCallback(({ takeOver }: ConnectOptions) => new DeferredChannel(
    client.openConsole(target, { takeOver }).then((ticket) => {
      opened.current.push(ticket.id);
      return client.consoleChannel(ticket);
    }),
  ), [client, target]);

  // Closing the channel ends a console; this also releases any main still holds
  // for a channel the viewer never attached. Failures here have no one to tell:
  // the view is gone, and main drops unknown ids.
  useEffect(() => () => {
    for (const id of opened.current.splice(0)) void client.closeConsole(id).catch(() => undefined);
  }, [client]);

  return (
    <div className="embedded-console">
      <ConsoleViewer
        connect={connect}
        title={title}
        {...(session === undefined ? {} : { session })}
        formatTime={formatTime}
        toolbar={<button type="button" className="button" onClick={onClose}>Close console</button>}
      />
    </div>
  );
}
