// The Platform main's services need, from Electron. openExternal is guarded
// here as well as by its callers: only https links that pass the navigation
// policy and mailto: links (which only main builds) leave the app.

import { Notification, clipboard, safeStorage, shell } from 'electron';
import type { Platform } from './desktop-api-types.ts';
import { externalLinkDecision } from './navigation-policy.ts';

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
