import { useCallback, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { ConsoleViewer } from '../viewer/ConsoleViewer.tsx';
import type { ConsoleState } from '../viewer/console-state.ts';
import { describeState } from '../viewer/describe-state.ts';
import { StatePanel } from '../viewer/StatePanel.tsx';
import { apiPathOf, consoleSocketUrl, consoleTarget, DEFAULT_API_PATH } from './console-target.ts';
import { fetchAdvertisedApiPath, fetchSession } from './gateway-session.ts';
import type { LinkSession } from './gateway-session.ts';
import { OpenInApp } from './OpenInApp.tsx';
import type { VncTarget } from '../../shared/kubevirt-paths.ts';

type Phase =
  | { kind: 'checking' }
  | { kind: 'no-console'; problem: string }
  | { kind: 'refused'; target: VncTarget; state: ConsoleState }
  | { kind: 'ready'; target: VncTarget; path: string; session: LinkSession | undefined };

const formatTime = (ms: number) => new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

async function check(search: string): Promise<Phase> {
  const apiPath = apiPathOf(await fetchAdvertisedApiPath()) ?? DEFAULT_API_PATH;
  const found = consoleTarget(new URLSearchParams(search).get('path'), apiPath);
  if (!found.ok) return { kind: 'no-console', problem: found.problem };
  const session = await fetchSession(found.target);
  if (session.kind === 'refused') return { kind: 'refused', target: found.target, state: session.state };
  return { kind: 'ready', target: found.target, path: found.path, session: session.kind === 'valid' ? session.session : undefined };
}

/** The gateway's viewer page: checks the link with the gateway, then shows the console. */
export function BrowserViewer() {
  const [phase, setPhase] = useState<Phase>({ kind: 'checking' });
  const [round, setRound] = useState(0);

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

  const path = phase.kind === 'ready' ? phase.path : undefined;
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
            title={`${phase.target.name} in ${phase.target.namespace}`}
            connect={connect}
            session={phase.session}
            formatTime={formatTime}
            toolbar={<OpenInApp origin={window.location.origin} target={phase.target} />}
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
