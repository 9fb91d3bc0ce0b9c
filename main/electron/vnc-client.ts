// The desktop's vnc:// handler, from Electron: its name (empty when none is
// registered) and a launch guarded here as well as by its caller, so nothing
// but a `vnc://127.0.0.1:PORT` URL reaches the handler — never a password.

import type { VncClientPlatform } from '../services/store.ts';
import { isVncLaunchUrl } from '../services/vnc-launch.ts';

export interface ProtocolShell {
  getApplicationNameForProtocol(url: string): string;
  openExternal(url: string): Promise<void>;
}

export function vncClientPlatform(shell: ProtocolShell): VncClientPlatform {
  return {
    async handlerName() {
      const name = shell.getApplicationNameForProtocol('vnc://').trim();
      return name === '' ? undefined : name;
    },
    async launch(url) {
      if (!isVncLaunchUrl(url)) throw new Error('only a vnc://127.0.0.1:PORT address is handed to the VNC client');
      await shell.openExternal(url);
    },
  };
}
