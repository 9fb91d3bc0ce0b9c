// The Platform the development bridge gives main's services. Main runs beside a
// browser here, not on the person's desktop: copies and mails are handed back to
// the page (`deliverIn: 'page'`), which uses the browser's clipboard and opens
// the mailto: itself. Notifications are only recorded (and reported on stderr),
// and there is no safeStorage — so, as on a desktop without a keyring, issued
// links cannot be copied again and the UI says so. A page in a browser cannot
// start a VNC client, so there is no vnc:// handler; the bridge is the
// password-guarded loopback port, whose address and one-time password any VNC
// client accepts.

import type { Platform } from '../desktop-api-impl.ts';

export interface BridgePlatform extends Platform {
  readonly notifications: ReadonlyArray<{ title: string; body: string }>;
}

const NO_DESKTOP = 'the development bridge cannot reach the desktop; the page copies and opens mail itself';

export function bridgePlatform(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): BridgePlatform {
  const notifications: Array<{ title: string; body: string }> = [];
  return {
    deliverIn: 'page',
    notifications,
    // Only the tray's quick-share writes here, and the bridge has no tray: a write is a bug, said loudly.
    clipboard: {
      writeText: async () => {
        throw new Error(NO_DESKTOP);
      },
    },
    async openExternal() {
      throw new Error(NO_DESKTOP);
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
