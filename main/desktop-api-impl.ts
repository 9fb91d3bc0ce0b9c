// The one implementation of DesktopApi, over the plain services in services/.
// Every input is checked here (it comes from the renderer) and every failure
// leaves as a plain DesktopError object, so it survives IPC and the bridge.
// Deep links only pre-fill the Open link view; nothing here acts on one.
import QRCode from 'qrcode';
import type {
  AppSettings, ClusterSettings, ConsoleOpenOptions, ConsoleTarget, DesktopApi, DesktopEvent, GatewayInfo, InventoryEvent,
  LinkOpened, ShareRequest, ShareResult, VncBridge,
} from '../shared/desktop-api.ts';
import { START_BACKDATE_MS } from '../shared/claims.ts';
import { clockTime } from '../shared/clock-time.ts';
import { parseLink, LinkError } from '../shared/links.ts';
import { clusterSettingsService } from './services/cluster-settings.ts';
import type { ConsoleChannel } from './services/console-channel.ts';
import { openVncBridge, type BridgeTransport, type RunningBridge } from './services/console-bridge.ts';
import { connectOwn, connectWithLink, inspectLink, openLinkConsole, openOwnConsole, type OpenedConsole } from './services/consoles.ts';
import { DesktopFailure, toDesktopError } from './services/errors.ts';
import { discoverGateway } from './services/gateway-discovery.ts';
import { GatewayTrustStore } from './services/gateway-connection.ts';
import { IdentityCache } from './services/identity.ts';
import { startInventory, type Inventory, type InventoryOptions } from './services/inventory.ts';
import { createKubeClient, type KubeClient } from './services/kube-client.ts';
import { createKubeconfigService, defaultKubeconfigPaths } from './services/kubeconfig.ts';
import { LinkHistory } from './services/link-history.ts';
import { LinkSessions } from './services/link-sessions.ts';
import { startLinkActivity } from './services/link-activity.ts';
import type { WatchTuning } from './services/list-watch.ts';
import { memoizeLoginPath, readLoginShellPath, type ResolveLoginPath } from './services/login-path.ts';
import { revokeTokenId } from './services/revocation.ts';
import { takeScreenshot } from './services/screenshot.ts';
import { Signer } from './services/signer.ts';
import type { KeyValueStore, Platform } from './services/store.ts';
import {
  invalid, optionalLabelText, requireBoolean, requireContextName, requireLabel, requireLifetime, requireObject, requireString,
} from './services/validate-input.ts';

export type { ConsoleChannel } from './services/console-channel.ts';
export type { KeyValueStore, Platform } from './services/store.ts';

export interface TrayModel {
  context?: string;
  defaultLifetime: string;
  vms: Array<{ namespace: string; name: string; favourite: boolean }>;
  /** Issued links opened lately, newest first. */
  recentOpens: LinkOpened[];
}

export interface DesktopApiImpl extends DesktopApi {
  onEvent(listener: (event: DesktopEvent) => void): () => void;
  /** The byte channel of a console opened with openConsole (once; undefined if unknown or already taken). */
  takeConsoleChannel(id: string): ConsoleChannel | undefined;
  /** Recent and favourite VMs of the current context, for the tray. */
  trayModel(): TrayModel;
  /** Tray quick-share: default lifetime and options; copies the link, notifies, returns the result. */
  quickShare(context: string, namespace: string, name: string): Promise<ShareResult>;
  /** A deep link arrived (open-url, second-instance, cold start): held until rendererReady, or sent as a `deep-link` event. */
  receiveDeepLink(url: string): void;
  dispose(): Promise<void>;
}

export interface CreateDesktopApiOptions {
  platform: Platform;
  store: KeyValueStore;
  /** Default: the KUBECONFIG list or ~/.kube/config. */
  kubeconfigPaths?: string[];
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** The login shell's PATH for exec credential plugins; default asks `$SHELL -ilc` once. */
  loginPath?: ResolveLoginPath;
  /** How often the kubeconfig files are checked for changes. */
  kubeconfigPollMs?: number;
  inventory?: InventoryOptions;
  /** How the audit Events behind link activity and console openings are followed. */
  linkActivity?: { batchMs?: number; tuning?: WatchTuning };
  /** How long a discovered gateway is trusted before asking again. */
  gatewayCacheMs?: number;
  /** "Open in VNC client": default a 0600 Unix socket, or a password-guarded loopback port where there are none. */
  vncBridgeTransport?: BridgeTransport;
}

const CURRENT_CONTEXT_KEY = 'currentContext';
const APP_SETTINGS_KEY = 'appSettings';
const RECENT_KEY = 'recentVms';
const RECENT_LIMIT = 5;
const MAX_LINK_TEXT = 16 * 1024;
const MAX_FAVOURITES = 500;
const RECENT_OPENS_LIMIT = 5;
const DEFAULT_APP_SETTINGS: AppSettings = { closeToTray: false, notifyLinkOpened: true, favourites: {} };

/** Rejects with the plain DesktopError, whatever went wrong inside. */
async function guarded<T>(run: () => Promise<T> | T, context?: string): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toDesktopError(error, context);
  }
}

function requireLinkText(value: unknown): string {
  return requireString(value, 'the link', MAX_LINK_TEXT);
}

export function createDesktopApi(options: CreateDesktopApiOptions): DesktopApiImpl {
  const { platform, store } = options;
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  const loginPath = options.loginPath ?? memoizeLoginPath(() => readLoginShellPath({ env }));
  const paths = options.kubeconfigPaths ?? defaultKubeconfigPaths(env);
  const selected = store.get(CURRENT_CONTEXT_KEY);
  const kubeconfig = createKubeconfigService({ paths, ...(typeof selected === 'string' ? { selected } : {}), ...(options.kubeconfigPollMs ? { pollMs: options.kubeconfigPollMs } : {}) });
  const settings = clusterSettingsService(store);
  const trust = new GatewayTrustStore();
  const identities = new IdentityCache();
  const signer = new Signer({ identities, now });
  const history = new LinkHistory(store, platform.safeStorage);
  const linkSessions = new LinkSessions(now);
  const listeners = new Set<(event: DesktopEvent) => void>();
  const clients = new Map<string, KubeClient>();
  const inventories = new Map<string, Inventory>();
  const gateways = new Map<string, { info: Promise<GatewayInfo>; at: number }>();
  const untaken = new Map<string, ConsoleChannel>();
  const consoles = new Map<string, ConsoleChannel>();
  const bridges = new Map<string, RunningBridge>();
  const gatewayCacheMs = options.gatewayCacheMs ?? 60_000;
  const transport = options.vncBridgeTransport ? { transport: options.vncBridgeTransport } : {};
  let rendererIsReady = false;
  let heldDeepLink: string | undefined;

  const emit = (event: DesktopEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error('Gatepass: an event listener failed', error);
      }
    }
  };
  const emitContexts = () => emit({ kind: 'contexts', contexts: kubeconfig.contexts() });
  const emitLinks = () => {
    emit({ kind: 'links', links: history.list() });
    activity.linksChanged();
  };

  const clientFor = (context: string): KubeClient => {
    let client = clients.get(context);
    if (!client) {
      client = createKubeClient(kubeconfig.entry(context), { env, loginPath });
      clients.set(context, client);
    }
    return client;
  };

  kubeconfig.onChange((changed) => {
    for (const name of changed) {
      clients.delete(name);
      gateways.delete(name);
      identities.forget(name);
      signer.forget(name);
      activity.restart(name);
      if (inventories.has(name)) {
        inventories.get(name)?.stop();
        inventories.delete(name);
        try {
          startWatching(name);
        } catch (error) {
          emit({ kind: 'inventory', event: { kind: 'state', context: name, state: 'error', error: toDesktopError(error, name) } });
        }
      }
    }
    emitContexts();
  });

  /** Connects once to learn whether the context works (credentials, reachability). */
  const probe = (context: string) => {
    let client: KubeClient;
    try {
      client = clientFor(context);
    } catch {
      return;
    }
    kubeconfig.setState(context, 'connecting');
    identities.get(client).then(
      () => kubeconfig.setState(context, 'connected'),
      (error: unknown) => kubeconfig.setState(context, 'error', toDesktopError(error, context)),
    );
  };

  const startWatching = (context: string) => {
    const client = clientFor(context);
    const inventory = startInventory(client, (event: InventoryEvent) => {
      if (event.kind === 'state') {
        if (event.state === 'live') kubeconfig.setState(context, 'connected');
        if (event.state === 'error' && event.error && event.error.code !== 'forbidden') kubeconfig.setState(context, 'error', event.error);
      }
      emit({ kind: 'inventory', event });
    }, options.inventory ?? {});
    inventories.set(context, inventory);
  };

  const knownContext = (value: unknown): string => {
    const name = requireContextName(value);
    kubeconfig.entry(name);
    return name;
  };

  const gatewayFor = (context: string): Promise<GatewayInfo> => {
    const cached = gateways.get(context);
    if (cached && now() - cached.at < gatewayCacheMs) return cached.info;
    const info = discoverGateway(clientFor(context), settings.get(context), trust, env);
    gateways.set(context, { info, at: now() });
    info.catch(() => gateways.delete(context));
    return info;
  };

  const recentOf = (): Record<string, string[]> => {
    const value = store.get(RECENT_KEY);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, string[]>) : {};
  };
  const addRecent = (context: string, namespace: string, name: string) => {
    const all = recentOf();
    const key = `${namespace}/${name}`;
    const list = [key, ...(Array.isArray(all[context]) ? all[context] : []).filter((k) => k !== key)].slice(0, RECENT_LIMIT);
    store.set(RECENT_KEY, { ...all, [context]: list });
  };

  const readAppSettings = (): AppSettings => {
    const value = store.get(APP_SETTINGS_KEY);
    try {
      return validateAppSettings(value ?? DEFAULT_APP_SETTINGS);
    } catch {
      return structuredClone(DEFAULT_APP_SETTINGS);
    }
  };

  const recentOpens: LinkOpened[] = [];
  const activity = startLinkActivity({
    clientFor,
    links: () => history.list(),
    counterNamespace: (context) => settings.get(context).keySecret.namespace,
    onSnapshot: (snapshot) => emit({ kind: 'link-activity', snapshot }),
    onOpenings: (openings) => emit({ kind: 'console-openings', openings }),
    onLinkOpened: (link, record) => {
      const opened: LinkOpened = {
        linkId: link.id, namespace: link.namespace, name: link.name, at: record.firstSeen,
        ...(link.label === undefined ? {} : { label: link.label }), ...(record.client === undefined ? {} : { client: record.client }),
      };
      recentOpens.unshift(opened);
      recentOpens.splice(RECENT_OPENS_LIMIT);
      if (!readAppSettings().notifyLinkOpened) return;
      const what = link.label ? `“${link.label}” (${link.namespace}/${link.name})` : `${link.namespace}/${link.name}`;
      platform.notify('Console link opened', `Your link to ${what} was opened${record.client ? ` from ${record.client}` : ''} at ${clockTime(record.firstSeen)}`);
      emit({ kind: 'link-opened', opened });
    },
    now,
    ...options.linkActivity,
  });

  const share = async (raw: ShareRequest): Promise<ShareResult> => {
    const request = requireObject(raw, 'the share request');
    const context = knownContext(request.context);
    const namespace = requireLabel(request.namespace, 'namespace');
    const name = requireLabel(request.name, 'name');
    const duration = requireLifetime(request.duration, 'the lifetime');
    const from = request.from === undefined || request.from === 'now' ? undefined : requireString(request.from, 'the start time', 64);
    const viewOnly = request.viewOnly === undefined ? false : requireBoolean(request.viewOnly, 'view-only');
    const singleUse = request.singleUse === undefined ? false : requireBoolean(request.singleUse, 'single-use');
    const label = optionalLabelText(request.label, 'the label');
    const client = clientFor(context);
    // Permission first: "you may not issue links here" says more than any gateway problem.
    await signer.checkCanIssue(client, settings.get(context).keySecret);
    const gateway = await gatewayFor(context);
    const pin = trust.pinFor(context, gateway.url);
    const issued = await signer.issue({
      client, settings: settings.get(context), gateway, namespace, name, duration, viewOnly, singleUse,
      ...(from ? { from } : {}), ...(label ? { label } : {}), ...(pin ? { pin } : {}),
    });
    const record = history.record({
      id: issued.id, context, namespace, name, ...(label ? { label } : {}),
      // "Start now" backdates nbf 60 s for gateways whose clock runs behind (DESIGN);
      // the person asked for now, so that is what the history and the dialog say.
      from: new Date(from ? issued.claims.nbf * 1000 : (issued.claims.iat ?? issued.claims.nbf) * 1000 + START_BACKDATE_MS).toISOString(),
      until: new Date(issued.claims.exp * 1000).toISOString(),
      options: { viewOnly, singleUse },
      gateway: gateway.url,
      issuedBy: issued.issuedBy,
      revoked: false,
    }, issued.link);
    addRecent(context, namespace, name);
    emitLinks();
    const qrSvg = await QRCode.toString(issued.link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    return { issued: record, link: issued.link, qrSvg };
  };

  const register = (opened: OpenedConsole) => {
    untaken.set(opened.ticket.id, opened.channel);
    consoles.set(opened.ticket.id, opened.channel);
    opened.channel.onClose(() => consoles.delete(opened.ticket.id));
    // A ticket nobody picks up must not hold a console session forever.
    const abandon = setTimeout(() => {
      if (untaken.delete(opened.ticket.id)) opened.channel.close(1000, 'the console was never shown');
    }, 60_000);
    abandon.unref();
    return opened.ticket;
  };

  const readTarget = (value: unknown): { kind: 'link'; link: string } | { kind: 'own'; context: string; namespace: string; name: string } => {
    const target = requireObject(value, 'the console target');
    if (target.kind === 'link') return { kind: 'link', link: requireLinkText(target.link) };
    if (target.kind === 'own') return { kind: 'own', context: knownContext(target.context), namespace: requireLabel(target.namespace, 'namespace'), name: requireLabel(target.name, 'name') };
    throw invalid('the console target must be a link or your own console');
  };

  const parsedLink = (text: string) => {
    try {
      return parseLink(text);
    } catch (error) {
      if (error instanceof LinkError) throw invalid(error.message);
      throw error;
    }
  };

  const api: DesktopApiImpl = {
    listContexts: () => guarded(() => {
      const current = kubeconfig.current();
      const info = kubeconfig.contexts().find((c) => c.name === current);
      if (current && info?.state === 'unknown') probe(current);
      return kubeconfig.contexts();
    }),
    selectContext: (name) => guarded(() => {
      const context = knownContext(name);
      kubeconfig.setCurrent(context);
      store.set(CURRENT_CONTEXT_KEY, context);
      probe(context);
      return kubeconfig.contexts();
    }),
    watchInventory: (name) => guarded(() => {
      const context = knownContext(name);
      inventories.get(context)?.stop();
      startWatching(context);
    }),
    screenshot: (context, namespace, name) => guarded(() => takeScreenshot(clientFor(knownContext(context)), requireLabel(namespace, 'namespace'), requireLabel(name, 'name'))),

    getClusterSettings: (context) => guarded(() => settings.get(knownContext(context))),
    saveClusterSettings: (context, value: ClusterSettings) => guarded(() => {
      const name = knownContext(context);
      const saved = settings.save(name, value);
      gateways.delete(name);
      signer.forget(name);
      return saved;
    }),
    getAppSettings: () => guarded(readAppSettings),
    saveAppSettings: (value) => guarded(() => {
      const saved = validateAppSettings(value);
      store.set(APP_SETTINGS_KEY, saved);
      return saved;
    }),
    getGateway: (context) => guarded(() => gatewayFor(knownContext(context))),

    shareConsole: (request) => guarded(() => share(request)),
    checkSharePermission: (context, namespace, name) => guarded(() => {
      const known = knownContext(context);
      return signer.checkCanShare(clientFor(known), settings.get(known).keySecret, { namespace: requireLabel(namespace, 'namespace'), name: requireLabel(name, 'name') });
    }),
    listIssuedLinks: () => guarded(() => history.list()),
    copyIssuedLink: (id) => guarded(() => platform.clipboard.writeText(history.unseal(requireString(id, 'the link id')))),
    revokeLink: (id) => guarded(async () => {
      const issued = history.get(requireString(id, 'the link id'));
      const gateway = await gatewayFor(knownContext(issued.context));
      if (gateway.kind !== 'gatepass' || !gateway.enforces.includes('revocation')) {
        throw new DesktopFailure('unsupported', `the gateway at ${gateway.url} cannot revoke links; the link stays valid until ${issued.until}`, issued.context);
      }
      await revokeTokenId(clientFor(issued.context), settings.get(issued.context).keySecret.namespace, issued.id, issued.until);
      const revoked = history.markRevoked(issued.id);
      emitLinks();
      return revoked;
    }),
    copyText: (text) => guarded(() => platform.clipboard.writeText(requireString(text, 'the text', MAX_LINK_TEXT))),
    sendByMail: (id) => guarded(async () => {
      const issued = history.get(requireString(id, 'the link id'));
      const link = history.unseal(issued.id);
      const what = `${issued.namespace}/${issued.name}${issued.options.viewOnly ? ' (view only)' : ''}`;
      const subject = `Console link for ${what}`;
      const body = `${issued.label ? `${issued.label}\n\n` : ''}Console of ${what}, valid until ${issued.until}${issued.options.singleUse ? ', for one use' : ''}:\n\n${link}\n`;
      await platform.openExternal(`mailto:?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body)}`);
    }),

    inspectLink: (text) => guarded(() => inspectLink(requireLinkText(text))),
    openConsole: (rawTarget: ConsoleTarget, rawOptions: ConsoleOpenOptions) => guarded(async () => {
      const target = readTarget(rawTarget);
      const takeOver = requireBoolean(requireObject(rawOptions, 'the console options').takeOver ?? false, 'take over');
      if (target.kind === 'link') return register(await openLinkConsole(target.link, takeOver, { env, now, sessions: linkSessions }));
      const opened = await openOwnConsole(clientFor(target.context), target.namespace, target.name, takeOver);
      addRecent(target.context, target.namespace, target.name);
      return register(opened);
    }),
    closeConsole: (id) => guarded(() => {
      const key = requireString(id, 'the console id');
      untaken.delete(key);
      consoles.get(key)?.close(1000, 'closed');
      consoles.delete(key);
    }),
    openInVncClient: (rawTarget) => guarded(async (): Promise<VncBridge> => {
      const target = readTarget(rawTarget);
      let bridge: RunningBridge;
      if (target.kind === 'link') {
        const parsed = parsedLink(target.link);
        const summary = inspectLink(target.link);
        bridge = await openVncBridge({ connect: () => connectWithLink(parsed, false, { env, now, sessions: linkSessions }), ...(summary.until ? { until: Date.parse(summary.until) } : {}), now, ...transport });
      } else {
        const client = clientFor(target.context);
        bridge = await openVncBridge({ connect: () => connectOwn(client, target.namespace, target.name, false), now, ...transport });
      }
      bridges.set(bridge.info.id, bridge);
      void bridge.closed.then(() => bridges.delete(bridge.info.id));
      return bridge.info;
    }),
    closeVncBridge: (id) => guarded(() => {
      bridges.get(requireString(id, 'the bridge id'))?.close();
    }),

    rendererReady: () => guarded(() => {
      rendererIsReady = true;
      const link = heldDeepLink;
      heldDeepLink = undefined;
      return link;
    }),

    getLinkActivity: () => guarded(() => activity.snapshot()),
    getLinkHistory: (id) => guarded(() => activity.history(history.get(requireString(id, 'the link id')))),
    watchConsoleOpenings: (context, namespace, name) => guarded(() => activity.watchVm(knownContext(context), requireLabel(namespace, 'namespace'), requireLabel(name, 'name'))),
    unwatchConsoleOpenings: (context, namespace, name) => guarded(() => {
      activity.unwatchVm(requireContextName(context), requireLabel(namespace, 'namespace'), requireLabel(name, 'name'));
    }),

    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    takeConsoleChannel(id) {
      const channel = untaken.get(id);
      untaken.delete(id);
      return channel;
    },
    trayModel() {
      const context = kubeconfig.current();
      if (context === undefined) return { defaultLifetime: '1h', vms: [], recentOpens: [...recentOpens] };
      const favourites = readAppSettings().favourites[context] ?? [];
      const recent = recentOf()[context] ?? [];
      const keys = [...new Set([...recent, ...favourites])];
      return {
        context,
        defaultLifetime: settings.get(context).defaultLifetime,
        vms: keys.map((key) => {
          const [namespace = '', name = ''] = key.split('/');
          return { namespace, name, favourite: favourites.includes(key) };
        }),
        recentOpens: [...recentOpens],
      };
    },
    quickShare: (context, namespace, name) => guarded(async () => {
      const defaults = settings.get(knownContext(context));
      const result = await share({ context, namespace, name, duration: defaults.defaultLifetime, viewOnly: defaults.defaultViewOnly, singleUse: defaults.defaultSingleUse });
      await platform.clipboard.writeText(result.link);
      const options = [result.issued.options.viewOnly ? 'view only' : '', result.issued.options.singleUse ? 'one use' : ''].filter(Boolean).join(', ');
      platform.notify('Console link copied', `Console link for ${namespace}/${name}${options ? ` (${options})` : ''}, valid until ${clockTime(result.issued.until)}, copied`);
      return result;
    }),
    receiveDeepLink(url) {
      if (typeof url !== 'string' || url.length > MAX_LINK_TEXT || !/^gatepass:/i.test(url.trim())) return;
      if (rendererIsReady) emit({ kind: 'deep-link', link: url.trim() });
      else heldDeepLink = url.trim();
    },
    async dispose() {
      for (const inventory of inventories.values()) inventory.stop();
      inventories.clear();
      activity.stop();
      for (const channel of consoles.values()) channel.close(1001, 'Gatepass is closing');
      consoles.clear();
      untaken.clear();
      await Promise.all([...bridges.values()].map((bridge) => {
        bridge.close();
        return bridge.closed;
      }));
      signer.forget();
      kubeconfig.close();
      listeners.clear();
    },
  };
  return api;
}

export function validateAppSettings(value: unknown): AppSettings {
  const input = requireObject(value, 'the app settings');
  const favourites = requireObject(input.favourites ?? {}, 'favourites');
  const out: AppSettings = {
    closeToTray: requireBoolean(input.closeToTray ?? false, 'close to tray'),
    notifyLinkOpened: requireBoolean(input.notifyLinkOpened ?? true, 'notify when a link is opened'),
    favourites: {},
  };
  for (const [context, keys] of Object.entries(favourites)) {
    requireContextName(context);
    if (!Array.isArray(keys) || keys.length > MAX_FAVOURITES) throw invalid(`the favourites of context "${context}" must be a list of at most ${MAX_FAVOURITES} VMs`);
    out.favourites[context] = [...new Set(keys.map((key: unknown) => {
      const [namespace, name, extra] = requireString(key, 'a favourite', 128).split('/');
      if (extra !== undefined) throw invalid(`the favourite ${JSON.stringify(key)} must be <namespace>/<name>`);
      return `${requireLabel(namespace, 'namespace')}/${requireLabel(name, 'name')}`;
    }))];
  }
  return out;
}

