// Wires the Electron app together: single instance, deep links from every
// entry point, the locked-down window, IPC, console ports and the tray. What
// can be decided without Electron lives in the plain modules beside this one.

import { app, ipcMain, nativeTheme } from 'electron';
import type { BrowserWindow } from 'electron';
import { join } from 'node:path';
import type { DesktopApiMethod, DesktopEvent } from '../../shared/desktop-api.ts';
import { parseLink } from '../../shared/links.ts';
import { sendConsolePort } from './console-ports.ts';
import { DEEP_LINK_SCHEME, DeepLinkInbox, deepLinkFromArgv } from './deep-links.ts';
import type { DesktopApiImpl, Platform } from './desktop-api-types.ts';
import { electronPlatform, readClipboardText } from './electron-platform.ts';
import { registerIpc } from './ipc.ts';
import { EVENT_CHANNEL, toDesktopError } from './ipc-reply.ts';
import { isAppFrameUrl, rendererLocation } from './renderer-location.ts';
import { createAppTray } from './tray.ts';
import type { AppTray } from './tray.ts';
import { trayIconFile } from './tray-menu.ts';
import type { TrayAction } from './tray-menu.ts';
import { createMainWindow, lockDownContents } from './windows.ts';

export interface AppPaths {
  /** The built preload (CommonJS). */
  preload: string;
  /** The built renderer's index.html. */
  indexHtml: string;
  /** Where the tray and window icons are. */
  assetsDir: string;
  /** electron-vite's dev server, in development only. */
  devServerUrl?: string;
}

export interface AppOptions {
  createApi(platform: Platform): DesktopApiImpl;
  paths: AppPaths;
  argv: readonly string[];
  /** `process.defaultApp`: running from `electron .`, where registering the protocol would register Electron itself. */
  defaultApp: boolean;
  platform: NodeJS.Platform;
}

/** Methods after which the tray's VMs or favourites may have changed. */
const TRAY_CHANGING_CALLS: ReadonlySet<DesktopApiMethod> = new Set(['selectContext', 'saveAppSettings', 'shareConsole', 'openConsole']);
const TRAY_CHANGING_EVENTS: ReadonlySet<DesktopEvent['kind']> = new Set(['inventory', 'contexts', 'links', 'link-activity', 'link-opened']);
const TRAY_REBUILD_DELAY_MS = 250;

export function startApp(options: AppOptions): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.enableSandbox();
  if (!options.defaultApp) app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME);

  const inbox = new DeepLinkInbox();
  let window: BrowserWindow | undefined;
  let quitting = false;

  const showWindow = () => {
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  };
  const sendEvent = (event: DesktopEvent) => {
    if (window && !window.isDestroyed()) window.webContents.send(EVENT_CHANNEL, event);
  };

  app.on('open-url', (event, url) => {
    event.preventDefault();
    inbox.receive(url);
    showWindow();
  });
  app.on('second-instance', (_event, argv) => {
    const link = deepLinkFromArgv(argv);
    if (link) inbox.receive(link);
    showWindow();
  });
  const coldStartLink = deepLinkFromArgv(options.argv);
  if (coldStartLink) inbox.receive(coldStartLink);

  app.on('web-contents-created', (_event, contents) => lockDownContents(contents));
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('window-all-closed', () => {
    if (options.platform !== 'darwin') app.quit();
  });
  app.on('activate', showWindow);

  void app.whenReady().then(() => {
    const platform = electronPlatform();
    const api = options.createApi(platform);
    const location = rendererLocation({ indexHtml: options.paths.indexHtml, ...(options.paths.devServerUrl ? { devServerUrl: options.paths.devServerUrl } : {}) });
    let closeToTray = false;
    let rebuildTimer: ReturnType<typeof setTimeout> | undefined;

    const scheduleTrayRebuild = () => {
      if (rebuildTimer) return;
      rebuildTimer = setTimeout(() => {
        rebuildTimer = undefined;
        tray.rebuild();
      }, TRAY_REBUILD_DELAY_MS);
    };
    const readSettings = () => {
      api.getAppSettings().then((settings) => {
        closeToTray = settings.closeToTray;
      }, (error: unknown) => console.error(`Gatepass: could not read the app settings: ${toDesktopError(error).message}`));
    };

    const unregisterIpc = registerIpc({
      ipcMain,
      api,
      isAppFrame: (url) => isAppFrameUrl(url, location),
      onConsoleOpened: (event, ticket) => {
        if (!sendConsolePort(api, event.sender, ticket.id)) console.error(`Gatepass: console ${ticket.id} has no channel to hand over`);
      },
      afterCall: (method) => {
        if (method === 'saveAppSettings') readSettings();
        if (TRAY_CHANGING_CALLS.has(method)) scheduleTrayRebuild();
      },
    });
    const unsubscribe = api.onEvent((event) => {
      sendEvent(event);
      if (TRAY_CHANGING_EVENTS.has(event.kind)) scheduleTrayRebuild();
    });
    readSettings();

    window = createMainWindow({
      preload: options.paths.preload,
      renderer: location,
      icon: join(options.paths.assetsDir, 'icon.png'),
      hideOnClose: () => closeToTray && !quitting,
    });

    const act = (action: TrayAction) => {
      runTrayAction(action, { api, platform, showWindow, sendEvent, quit: () => app.quit() });
    };
    const tray: AppTray = createAppTray({
      icon: join(options.paths.assetsDir, trayIconFile(options.platform, nativeTheme.shouldUseDarkColors)),
      model: () => api.trayModel(),
      act,
    });

    inbox.attach((url) => {
      api.receiveDeepLink(url);
      showWindow();
    });

    app.once('will-quit', () => {
      unsubscribe();
      unregisterIpc();
      tray.destroy();
      void api.dispose();
    });
  });
}

interface TrayActionContext {
  api: DesktopApiImpl;
  platform: Platform;
  showWindow(): void;
  sendEvent(event: DesktopEvent): void;
  quit(): void;
}

export function runTrayAction(action: TrayAction, ctx: TrayActionContext): void {
  switch (action.kind) {
    case 'quick-share':
      ctx.api.quickShare(action.context, action.namespace, action.name).catch((error: unknown) => {
        ctx.platform.notify(`Could not share ${action.namespace}/${action.name}`, toDesktopError(error).message);
      });
      return;
    case 'open-console':
      ctx.showWindow();
      ctx.sendEvent({ kind: 'open-console', context: action.context, namespace: action.namespace, name: action.name });
      return;
    case 'open-link-from-clipboard':
      void openLinkFromClipboard(ctx);
      return;
    case 'show':
      ctx.showWindow();
      return;
    case 'show-links':
      ctx.showWindow();
      ctx.sendEvent({ kind: 'navigate', view: 'links' });
      return;
    case 'quit':
      ctx.quit();
  }
}

/** Pre-fills the Open link view with the clipboard's link; nothing connects until the person confirms. */
async function openLinkFromClipboard(ctx: TrayActionContext): Promise<void> {
  const text = (await readClipboardText().catch(() => '')).trim();
  try {
    parseLink(text);
  } catch (error) {
    ctx.platform.notify('No console link on the clipboard', error instanceof Error ? error.message : String(error));
    return;
  }
  ctx.showWindow();
  ctx.sendEvent({ kind: 'navigate', view: 'open-link' });
  ctx.sendEvent({ kind: 'deep-link', link: text });
}
