// The Platform the development bridge gives main's services: an in-memory
// clipboard, openExternal and notifications that are only recorded (and
// reported on stderr), and no safeStorage — so, as on a desktop without a
// keyring, issued links cannot be copied again and the UI says so. A page in a
// browser cannot start a VNC client, so there is no vnc:// handler; the bridge
// is the password-guarded loopback port, whose address and one-time password
// any VNC client accepts.

import type { Platform } from '../desktop-api-impl.ts';

export interface BridgePlatform extends Platform {
  readonly opened: readonly string[];
  readonly notifications: ReadonlyArray<{ title: string; body: string }>;
  /** What was last copied, for tests and the e2e suite. */
  clipboardText(): string;
}

export function bridgePlatform(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): BridgePlatform {
  let clipboardText = '';
  const opened: string[] = [];
  const notifications: Array<{ title: string; body: string }> = [];
  return {
    opened,
    notifications,
    clipboard: {
      writeText: async (text) => {
        clipboardText = text;
      },
    },
    clipboardText: () => clipboardText,
    async openExternal(url) {
      opened.push(url);
      // A mailto: carries the link (and its token) in its body: log only where it would go.
      log(`dev-bridge: would open a ${new URL(url).protocol} link`);
    },
    safeStorage: {
      isEncryptionAvailable: () => false,
      encryptString: () => {
        throw new Error('safeStorage is not available on the development bridge');
      },
      decryptString: () => {
        throw new Error('safeStorage is not available on the development bridge');
      },
    },
    vncClient: {
      transport: 'loopback',
      handlerName: async () => undefined,
      launch: async () => {
        throw new Error('the development bridge launches no VNC client');
      },
    },
    notify(title, body) {
      notifications.push({ title, body });
      log(`dev-bridge: notification: ${title} — ${body}`);
    },
  };
}
