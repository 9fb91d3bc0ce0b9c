// The main window, locked down: isolated and sandboxed, no Node in the page,
// a strict CSP, no navigation, no new windows, no permissions. Links the page
// asks to open go to the system browser only when the navigation policy allows.

import { BrowserWindow, shell } from 'electron';
import type { Session, WebContents } from 'electron';
import { CONTENT_SECURITY_POLICY } from './csp.ts';
import { externalLinkDecision } from './navigation-policy.ts';
import type { RendererLocation } from './renderer-location.ts';

export interface MainWindowOptions {
  preload: string;
  renderer: RendererLocation;
  icon?: string;
  /** Asked on every close: hide to the tray instead (unless the app is quitting). */
  hideOnClose(): boolean;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 520,
    show: false,
    title: 'Gatepass',
    ...(options.icon ? { icon: options.icon } : {}),
    // Spelled out here, not spread from a constant, so the security scan can read them.
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      // A middle click would open a link in a new window, around setWindowOpenHandler.
      disableBlinkFeatures: 'Auxclick',
      preload: options.preload,
    },
  });
  lockDownSession(window.webContents.session);
  lockDownContents(window.webContents);
  window.once('ready-to-show', () => window.show());
  window.on('close', (event) => {
    if (options.hideOnClose()) {
      event.preventDefault();
      window.hide();
    }
  });
  void (options.renderer.kind === 'file' ? window.loadFile(options.renderer.indexHtml) : window.loadURL(options.renderer.url));
  return window;
}

export function lockDownContents(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    const decision = externalLinkDecision(url);
    if (decision.open) void shell.openExternal(decision.url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

export function lockDownSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}
