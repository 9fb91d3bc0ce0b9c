// The Platform main's services need, from Electron. openExternal is guarded
// here as well as by its callers: only https links that pass the navigation
// policy and mailto: links (which only main builds) leave the app.

import { Notification, clipboard, safeStorage, shell } from 'electron';
import type { Platform } from './desktop-api-types.ts';
import { externalLinkDecision } from './navigation-policy.ts';

export function electronPlatform(): Platform {
  return {
    // Electron 45's clipboard is asynchronous while the Platform contract is not:
    // writes are started here and their failure logged; reads are the tray's job
    // (readClipboardText), so a synchronous read cannot silently return stale text.
    clipboard: {
      writeText: (text) => {
        clipboard.writeText(text).catch((error: unknown) => console.error(`Gatepass: could not write the clipboard: ${String(error)}`));
      },
      readText: () => {
        throw new Error('the clipboard is read asynchronously in Electron 45; use readClipboardText()');
      },
    },
    async openExternal(url) {
      if (!url.startsWith('mailto:')) {
        const decision = externalLinkDecision(url);
        if (!decision.open) throw new Error(`not opening ${JSON.stringify(url)}: ${decision.reason}`);
      }
      await shell.openExternal(url);
    },
    safeStorage: {
      isEncryptionAvailable: () => safeStorage.isEncryptionAvailable(),
      encryptString: (text) => safeStorage.encryptString(text),
      decryptString: (data) => safeStorage.decryptString(data),
    },
    notify(title, body) {
      if (Notification.isSupported()) new Notification({ title, body, silent: true }).show();
    },
  };
}

export function readClipboardText(): Promise<string> {
  return clipboard.readText();
}
