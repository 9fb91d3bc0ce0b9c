import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AppSettings, ConsoleKind, ConsoleTarget, ContextInfo, VmPowerAction, VmRow } from '../../shared/desktop-api.ts';
import { useClient } from './client.tsx';
import { ContextSwitcher } from './components/ContextSwitcher.tsx';
import { EmbeddedConsole } from './components/EmbeddedConsole.tsx';
import { ErrorAlert } from './components/ErrorAlert.tsx';
import { IssuedLinks } from './components/IssuedLinks.tsx';
import { LinkOpenedToasts } from './components/LinkOpenedToasts.tsx';
import { OpenLink } from './components/OpenLink.tsx';
import type { Prefill } from './components/OpenLink.tsx';
import { Settings } from './components/Settings.tsx';
import { ShareDialog } from './components/ShareDialog.tsx';
import { Sidebar } from './components/Sidebar.tsx';
import type { View } from './components/Sidebar.tsx';
import { useAction } from './components/use-action.ts';
import { VmBrowser } from './components/VmBrowser.tsx';
import { VmDetails } from './components/VmDetails.tsx';
import { pickContext } from './context/contexts.ts';
import { toggleFavourite } from './context/favourites.ts';

const REMEMBERED_CONTEXT = 'gatepass.context';

function remembered(): string | null {
  try {
    return localStorage.getItem(REMEMBERED_CONTEXT);
  } catch {
    return null; // Storage disabled: start from the kubeconfig's current context.
  }
}

function remember(name: string): void {
  try {
    localStorage.setItem(REMEMBERED_CONTEXT, name);
  } catch {
    // Storage disabled: the choice lasts for this window only.
  }
}

export function App() {
  const client = useClient();
  const [view, setView] = useState<View>('vms');
  const [contexts, setContexts] = useState<ContextInfo[] | undefined>();
  const [context, setContext] = useState<string | undefined>();
  const [appSettings, setAppSettings] = useState<AppSettings | undefined>();
  const [prefill, setPrefill] = useState<Prefill | undefined>();
  const [selected, setSelected] = useState<VmRow | undefined>();
  const [detailsByKeyboard, setDetailsByKeyboard] = useState(false);
  const [sharing, setSharing] = useState<VmRow | undefined>();
  const [ownConsole, setOwnConsole] = useState<{ target: ConsoleTarget; title: string } | undefined>();
  const [powerRequest, setPowerRequest] = useState<{ key: string; action: VmPowerAction; seq: number } | undefined>();
  const arrivals = useRef(0);

  const start = useAction(async () => {
    const [list, settings] = await Promise.all([client.listContexts(), client.getAppSettings()]);
    setAppSettings(settings);
    const chosen = pickContext(list, remembered());
    setContexts(chosen !== undefined && !list.some((c) => c.current && c.name === chosen) ? await client.selectContext(chosen) : list);
    setContext(chosen);
  });
  const switchContext = useAction(async (name: string) => {
    setContexts(await client.selectContext(name));
    remember(name);
    setContext(name);
    setSelected(undefined);
    setOwnConsole(undefined);
  });
  const favourite = useAction(async (settings: AppSettings) => setAppSettings(await client.saveAppSettings(settings)));

  const [linkConsoleOpen, setLinkConsoleOpen] = useState(false);
  const [waitingLink, setWaitingLink] = useState<string | undefined>();
  const consoleOpen = useRef(false);
  consoleOpen.current = linkConsoleOpen || ownConsole !== undefined;

  const showLink = useCallback((link: string) => {
    arrivals.current += 1;
    setWaitingLink(undefined);
    setOwnConsole(undefined);
    setPrefill({ link, seq: arrivals.current });
    setView('open-link');
  }, []);
  // A link that arrives (deep link, tray) never closes an open console by itself: it waits for the person.
  const receiveLink = useCallback((link: string) => {
    if (consoleOpen.current) setWaitingLink(link);
    else showLink(link);
  }, [showLink]);

  const startRun = start.run;
  useEffect(() => {
    const unsubscribe = client.onEvent((event) => {
      switch (event.kind) {
        case 'contexts': setContexts(event.contexts); break;
        case 'navigate': setView(event.view); break;
        case 'deep-link': receiveLink(event.link); break;
        case 'open-console':
          setView('vms');
          setOwnConsole({ target: { kind: 'own', context: event.context, namespace: event.namespace, name: event.name }, title: `${event.name} in ${event.namespace}` });
          break;
        default: break;
      }
    });
    void startRun();
    // Only after subscribing: a link that arrives from now on comes as an event.
    client.rendererReady().then((link) => link !== undefined && receiveLink(link), () => undefined);
    return unsubscribe;
  }, [client, startRun, receiveLink]);

  const onRowsChanged = useCallback((rows: ReadonlyMap<string, VmRow>) => {
    setSelected((row) => (row === undefined ? row : rows.get(row.key) ?? row));
  }, []);

  const openOwnConsole = (row: VmRow, kind: ConsoleKind) => {
    if (context === undefined) return;
    setOwnConsole({
      target: { kind: 'own', context, namespace: row.namespace, name: row.name, console: kind },
      title: `${row.name} in ${row.namespace}${kind === 'serial' ? ' · serial console' : ''}`,
    });
  };

  const content = useMemo(() => {
    switch (view) {
      case 'open-link': return <OpenLink prefill={prefill} onConsoleOpen={setLinkConsoleOpen} />;
      case 'links': return <IssuedLinks />;
      case 'settings': return <Settings context={context} appSettings={appSettings} onAppSettings={setAppSettings} />;
      case 'vms': return undefined;
    }
  }, [view, prefill, context, appSettings]);

  return (
    <div className="app">
      <Sidebar view={view} onView={setView} />
      <main className="main">
        <header className="main__header">
          <ContextSwitcher contexts={contexts} selected={context} busy={switchContext.busy} onSelect={(name) => void switchContext.run(name)} />
        </header>
        {waitingLink !== undefined && (
          <div className="banner" role="status">
            A console link arrived. Reviewing it closes the console that is open now.
            <button type="button" className="button" onClick={() => showLink(waitingLink)}>Review link</button>
            <button type="button" className="button" onClick={() => setWaitingLink(undefined)}>Dismiss</button>
          </div>
        )}
        <ErrorAlert error={start.error} attempt="load-contexts" />
        <ErrorAlert error={switchContext.error} attempt="switch-context" onDismiss={switchContext.clearError} />
        <ErrorAlert error={favourite.error} attempt="save-favourite" onDismiss={favourite.clearError} />
        {start.busy && contexts === undefined && <p className="placeholder" role="status">Reading the kubeconfig…</p>}
        {content}
        {view === 'vms' && ownConsole && (
          <EmbeddedConsole target={ownConsole.target} title={ownConsole.title} onClose={() => setOwnConsole(undefined)} />
        )}
        {view === 'vms' && !ownConsole && context !== undefined && (
          <div className="vms">
            <VmBrowser
              key={context}
              context={context}
              selectedKey={selected?.key}
              onSelect={(row, by) => {
                // A request from the row menu is taken once: reopening the details must not take it again.
                setPowerRequest(undefined);
                setSelected(row);
                setDetailsByKeyboard(by === 'keyboard');
              }}
              onRowsChanged={onRowsChanged}
              onPower={(row, action) => {
                setSelected(row);
                setPowerRequest((previous) => ({ key: row.key, action, seq: (previous?.seq ?? 0) + 1 }));
              }}
            />
            {selected && (
              <VmDetails
                key={selected.key}
                context={context}
                row={selected}
                appSettings={appSettings}
                takeFocus={detailsByKeyboard}
                onToggleFavourite={() => appSettings && void favourite.run(toggleFavourite(appSettings, context, selected.key))}
                onShare={() => setSharing(selected)}
                onOpenConsole={() => openOwnConsole(selected, 'vnc')}
                onOpenSerialConsole={() => openOwnConsole(selected, 'serial')}
                onClose={() => {
                  setPowerRequest(undefined);
                  setSelected(undefined);
                }}
                powerRequest={powerRequest?.key === selected.key ? powerRequest : undefined}
              />
            )}
          </div>
        )}
        {view === 'vms' && !start.busy && contexts?.length === 0 && (
          <p className="placeholder">No kubeconfig contexts found. Set KUBECONFIG or create ~/.kube/config.</p>
        )}
      </main>
      {sharing && context !== undefined && (
        <ShareDialog context={context} namespace={sharing.namespace} name={sharing.name} onClose={() => setSharing(undefined)} />
      )}
      <LinkOpenedToasts onShowLinks={() => setView('links')} />
    </div>
  );
}
