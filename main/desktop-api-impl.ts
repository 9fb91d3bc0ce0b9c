// The one implementation of DesktopApi, over the plain services in services/,
// composed of one part per concern (desktop-api/): inventory, settings, links
// and consoles, over a core they share. Every input is checked in those parts
// (it comes from the renderer) and every failure leaves as a plain DesktopError
// object, so it survives IPC and the bridge. Deep links only pre-fill the Open
// link view; nothing here acts on one.
import type { DesktopApi, DesktopEvent, LinkOpened, ShareResult } from '../shared/desktop-api.ts';
import type { ConsoleChannel } from './services/console-channel.ts';
import { createConsolesApi } from './desktop-api/consoles.ts';
import { createDesktopCore, guarded, MAX_LINK_TEXT } from './desktop-api/core.ts';
import { createInventoryApi } from './desktop-api/inventory.ts';
import { createLinksApi } from './desktop-api/links.ts';
import type { CreateDesktopApiOptions } from './desktop-api/options.ts';
import { createSettingsApi } from './desktop-api/settings.ts';

export type { ConsoleChannel } from './services/console-channel.ts';
export type { KeyValueStore, Platform } from './services/store.ts';
export type { CreateDesktopApiOptions } from './desktop-api/options.ts';
export { validateAppSettings } from './desktop-api/app-settings.ts';

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

export function createDesktopApi(options: CreateDesktopApiOptions): DesktopApiImpl {
  const core = createDesktopCore(options);
  const inventory = createInventoryApi(core, options);
  const links = createLinksApi(core, options);
  const consoles = createConsolesApi(core, options);
  let rendererIsReady = false;
  let heldDeepLink: string | undefined;

  return {
    ...inventory.api,
    ...createSettingsApi(core),
    ...links.api,
    ...consoles.api,

    rendererReady: () => guarded(() => {
      rendererIsReady = true;
      const link = heldDeepLink;
      heldDeepLink = undefined;
      return link;
    }),
    onEvent(listener) {
      core.listeners.add(listener);
      return () => core.listeners.delete(listener);
    },
    takeConsoleChannel: (id) => consoles.takeChannel(id),
    trayModel() {
      const context = core.kubeconfig.current();
      if (context === undefined) return { defaultLifetime: '1h', vms: [], recentOpens: links.recentOpens() };
      const favourites = core.readAppSettings().favourites[context] ?? [];
      const recent = core.recentOf()[context] ?? [];
      const keys = [...new Set([...recent, ...favourites])];
      return {
        context,
        defaultLifetime: core.settings.get(context).defaultLifetime,
        vms: keys.map((key) => {
          const [namespace = '', name = ''] = key.split('/');
          return { namespace, name, favourite: favourites.includes(key) };
        }),
        recentOpens: links.recentOpens(),
      };
    },
    quickShare: (context, namespace, name) => guarded(() => links.quickShare(context, namespace, name)),
    receiveDeepLink(url) {
      if (typeof url !== 'string' || url.length > MAX_LINK_TEXT || !/^gatepass:/i.test(url.trim())) return;
      if (rendererIsReady) core.emit({ kind: 'deep-link', link: url.trim() });
      else heldDeepLink = url.trim();
    },
    async dispose() {
      inventory.stop();
      links.stop();
      await consoles.stop();
      core.signer.forget();
      core.kubeconfig.close();
      core.listeners.clear();
    },
  };
}
