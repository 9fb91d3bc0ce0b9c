import { useCallback, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { ConsoleViewer } from '../viewer/ConsoleViewer.tsx';
import type { ConsoleState } from '../viewer/console-state.ts';
import { describeState } from '../viewer/describe-state.ts';
import { StatePanel } from '../viewer/StatePanel.tsx';
import { apiPathOf, consoleSocketUrl, consoleTarget, DEFAULT_API_PATH, gatewayConsolePath, pathParamOf } from './console-target.ts';
import { ConsoleSwitch } from './ConsoleSwitch.tsx';
import { fetchAdvertisedApiPath, fetchSession } from './gateway-session.ts';
import type { LinkSession } from './gateway-session.ts';
import { OpenInApp } from './OpenInApp.tsx';
import type { ConsoleKind, ConsoleTargetPath } from '../../shared/kubevirt-paths.ts';

type Phase =
  | { kind: 'checking' }
  | { kind: 'no-console'; problem: string }
  | { kind: 'refused'; target: ConsoleTargetPath; state: ConsoleState }
  | {
    kind: 'ready';
    target: ConsoleTargetPath;
    apiPath: string;
    session: LinkSession | undefined;
    /** The consoles the link opens: the one in the link, and the other where the gateway says the link opens both. */
    consoles: readonly ConsoleKind[];
  };

const formatTime = (ms: number) => new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

async function check(search: string): Promise<Phase> {
  const apiPath = apiPathOf(await fetchAdvertisedApiPath()) ?? DEFAULT_API_PATH;
  const found = consoleTarget(new URLSearchParams(search).get('path'), apiPath);
  if (!found.ok) return { kind: 'no-console', problem: found.problem };
  const session = await fetchSession(found.target);
  if (session.kind === 'refused') return { kind: 'refused', target: found.target, state: session.state };
  const valid = session.kind === 'valid' ? session.session : undefined;
  const consoles = valid?.consoles?.includes(found.target.kind) ? valid.consoles : [found.target.kind];
  return { kind: 'ready', target: found.target, apiPath, session: valid, consoles };
}

/** The gateway's viewer page: checks the link with the gateway, then shows the console. */
export function BrowserViewer() {
  const [phase, setPhase] = useState<Phase>({ kind: 'checking' });
  const [round, setRound] = useState(0);
  // The console shown, once the person switched from the one in the link.
  const [chosen, setChosen] = useState<ConsoleKind | undefined>(undefined);

  useEffect(() => {
    let current = true;
    void check(window.location.search).then((next) => current && setPhase(next));
    return () => {
      current = false;
    };
  }, [round]);

  useEffect(() => {
    if (phase.kind === 'ready' || phase.kind === 'refused') document.title = `${phase.target.name} · Gatepass console`;
  }, [phase]);

  const shown = phase.kind === 'ready' ? chosen ?? phase.target.kind : undefined;
  const path = phase.kind === 'ready' && shown !== undefined ? gatewayConsolePath(phase.apiPath, phase.target, shown) : undefined;

  // The address names the console shown, so reloading the page shows it again.
  useEffect(() => {
    if (path === undefined) return;
    const url = new URL(window.location.href);
    url.searchParams.set('path', pathParamOf(path));
    window.history.replaceState(window.history.state, '', url);
  }, [path]);

  const connect = useCallback(({ takeOver }: { takeOver: boolean }) => {
    if (path === undefined) throw new Error('no console to connect to');
    return consoleSocketUrl(window.location, path, takeOver);
  }, [path]);

  switch (phase.kind) {
    case 'checking':
      return <Page><PageHeading /><StatePanel description={{ title: 'Checking your link…', detail: undefined, role: 'status', actions: [] }} /></Page>;
    case 'no-console':
      return (
        <Page>
          <PageHeading />
          <StatePanel description={{ title: 'No console to show', detail: `${phase.problem} Open the console link you were given.`, role: 'alert', actions: [] }} />
        </Page>
      );
    case 'refused':
      return (
        <Page>
          <h1 className="page__title">{phase.target.name} <span className="page__namespace">in {phase.target.namespace}</span></h1>
          <StatePanel
            description={describeState(phase.state, { formatTime })}
            onAction={() => {
              setPhase({ kind: 'checking' });
              setRound((r) => r + 1);
            }}
          />
        </Page>
      );
    case 'ready':
      return (
        <main className="viewer-main">
          <ConsoleViewer
            key={round}
            kind={shown}
            title={`${phase.target.name} in ${phase.target.namespace}`}
            connect={connect}
            session={phase.session}
            formatTime={formatTime}
            toolbar={(
              <>
                {phase.consoles.length > 1 && shown !== undefined && (
                  <ConsoleSwitch kinds={phase.consoles} value={shown} onChange={setChosen} />
                )}
                <OpenInApp origin={window.location.origin} target={phase.target} />
              </>
            )}
          />
        </main>
      );
  }
}

function Page({ children }: { children: ReactNode }) {
  return <main className="page">{children}</main>;
}

/** Before the page knows which console it shows: a heading for screen readers to start from. */
function PageHeading() {
  return <h1 className="visually-hidden">Gatepass console</h1>;
}
