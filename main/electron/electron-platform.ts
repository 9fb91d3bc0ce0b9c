// The Platform main's services need, from Electron. openExternal is guarded
// here as well as by its callers: only https links that pass the navigation
// policy and mailto: links (which only main builds) leave the app.

import { Notification, app, clipboard, safeStorage, shell } from 'electron';
import type { Platform } from './desktop-api-types.ts';
import { externalLinkDecision } from './navigation-policy.ts';
import { vncClientPlatform } from './vnc-client.ts';

export function electronPlatform(): Platform {
  return {
    clipboard: { writeText: (text) => clipboard.writeText(text) },
    async openExternal(url) {
      if (!url.startsWith('mailto:')) {
        const decision = externalLinkDecision(url);
        if (!decision.open) throw new Error(`not opening ${JSON.stringify(url)}: ${decision.reason}`);
      }
      await shell.openExternal(url);
    },
    safeStorage: {
      // On Linux without a keyring Electron falls back to 'basic_text', a hard-coded
      // password: that is plain text with extra steps, so links are then not kept.
      isEncryptionAvailable: () => safeStorage.isEncryptionAvailable() && !['basic_text', 'unknown'].includes(linuxBackend()),
      encryptString: (text) => safeStorage.encryptString(text),
      decryptString: (data) => safeStorage.decryptString(data),
    },
    notify(title, body) {
      if (Notification.isSupported()) new Notification({ title, body, silent: true }).show();
    },
    vncClient: vncClientPlatform({
      getApplicationNameForProtocol: (url) => app.getApplicationNameForProtocol(url),
      openExternal: (url) => shell.openExternal(url),
    }),
  };
}

export function readClipboardText(): Promise<string> {
  return clipboard.readText();
}

/** The safeStorage backend on Linux (elsewhere the OS keychain is always used). */
function linuxBackend(): string {
  return process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os';
}
