// What every part of the DesktopApi implementation shares: the kubeconfig and
// its clients, settings, the gateway each context finds, the issued-link
// history, and the event stream to the renderer. Built once per app.
import type { AppSettings, DesktopEvent, GatewayInfo } from '../../shared/desktop-api.ts';
import { clusterSettingsService } from '../services/cluster-settings.ts';
import { toDesktopError } from '../services/errors.ts';
import { discoverGateway } from '../services/gateway-discovery.ts';
import { GatewayTrustStore } from '../services/gateway-connection.ts';
import { IdentityCache } from '../services/identity.ts';
import { createKubeClient, type KubeClient } from '../services/kube-client.ts';
import { createKubeconfigService, defaultKubeconfigPaths } from '../services/kubeconfig.ts';
import { LinkHistory } from '../services/link-history.ts';
import { LinkSessions } from '../services/link-sessions.ts';
import { memoizeLoginPath, readLoginShellPath } from '../services/login-path.ts';
import { Signer } from '../services/signer.ts';
import { requireContextName, requireString } from '../services/validate-input.ts';
import type { CreateDesktopApiOptions } from './options.ts';
import { validateAppSettings } from './app-settings.ts';

const CURRENT_CONTEXT_KEY = 'currentContext';
const APP_SETTINGS_KEY = 'appSettings';
const RECENT_KEY = 'recentVms';
const RECENT_LIMIT = 5;
export const MAX_LINK_TEXT = 16 * 1024;
const DEFAULT_APP_SETTINGS: AppSettings = { closeToTray: false, notifyLinkOpened: true, favourites: {} };

/** Rejects with the plain DesktopError, whatever went wrong inside. */
export async function guarded<T>(run: () => Promise<T> | T, context?: string): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw toDesktopError(error, context);
  }
}

export function requireLinkText(value: unknown): string {
  return requireString(value, 'the link', MAX_LINK_TEXT);
}

export type DesktopCore = ReturnType<typeof createDesktopCore>;

export function createDesktopCore(options: CreateDesktopApiOptions) {
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
  const gateways = new Map<string, { info: Promise<GatewayInfo>; at: number }>();
  const gatewayCacheMs = options.gatewayCacheMs ?? 60_000;
  const contextChanged: Array<(context: string) => void> = [];

  const emit = (event: DesktopEvent): void => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        console.error('Gatepass: an event listener failed', error);
      }
    }
  };

  const clientFor = (context: string): KubeClient => {
    let client = clients.get(context);
    if (!client) {
      client = createKubeClient(kubeconfig.entry(context), { env, loginPath });
      clients.set(context, client);
    }
    return client;
  };

  /** A context whose kubeconfig entry changed starts over: new client, gateway, identity, key. */
  const forgetContext = (name: string): void => {
    clients.delete(name);
    gateways.delete(name);
    identities.forget(name);
    signer.forget(name);
  };
  kubeconfig.onChange((changed) => {
    for (const name of changed) {
      forgetContext(name);
      for (const listener of contextChanged) listener(name);
    }
    emit({ kind: 'contexts', contexts: kubeconfig.contexts() });
  });

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

  return {
    platform, store, env, now, kubeconfig, settings, trust, identities, signer, history, linkSessions, listeners,
    emit, clientFor, knownContext, gatewayFor, recentOf,
    /** Runs when a context's kubeconfig entry changed, after its client and gateway are forgotten. */
    onContextChanged: (listener: (context: string) => void) => void contextChanged.push(listener),
    /** Settings changed: the gateway is found again and the key read again. */
    settingsChanged(context: string): void {
      gateways.delete(context);
      signer.forget(context);
    },
    selectContext(context: string): void {
      kubeconfig.setCurrent(context);
      store.set(CURRENT_CONTEXT_KEY, context);
    },
    addRecent(context: string, namespace: string, name: string): void {
      const all = recentOf();
      const key = `${namespace}/${name}`;
      const list = [key, ...(Array.isArray(all[context]) ? all[context] : []).filter((k) => k !== key)].slice(0, RECENT_LIMIT);
      store.set(RECENT_KEY, { ...all, [context]: list });
    },
    readAppSettings(): AppSettings {
      const value = store.get(APP_SETTINGS_KEY);
      try {
        return validateAppSettings(value ?? DEFAULT_APP_SETTINGS);
      } catch {
        return structuredClone(DEFAULT_APP_SETTINGS);
      }
    },
    saveAppSettings(value: unknown): AppSettings {
      const saved = validateAppSettings(value);
      store.set(APP_SETTINGS_KEY, saved);
      return saved;
    },
  };
}
