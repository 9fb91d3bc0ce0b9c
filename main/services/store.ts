// What main needs from Electron and its settings file, as interfaces: the app
// passes electron's clipboard, shell, safeStorage and electron-store; tests and
// the development bridge pass fakes and `conf`.
import type { BridgeTransport } from './console-bridge.ts';

export interface KeyValueStore {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  delete(key: string): void;
}

export interface Platform {
  /** Electron's clipboard is asynchronous; a failed write reaches the caller as an error. */
  clipboard: { writeText(text: string): Promise<void> };
  /** Only mailto: links main builds and validated https links. */
  openExternal(url: string): Promise<void>;
  safeStorage: { isEncryptionAvailable(): boolean; encryptString(text: string): Buffer; decryptString(data: Buffer): string };
  notify(title: string, body: string): void;
  /**
   * `page`: main cannot reach the person's clipboard or mail client (the development bridge
   * serves the app to a browser), so copies and mails are handed back for the page to deliver.
   * Absent: main delivers them through `clipboard` and `openExternal` (Electron).
   */
  readonly deliverIn?: 'page';
  /** Absent: no handler to launch, default transport. */
  vncClient?: VncClientPlatform;
}

/** The desktop's own VNC client, for "Open in VNC client". */
export interface VncClientPlatform {
  /** How bridges listen when there is no handler to launch; default: a 0600 Unix socket where the OS has them. */
  transport?: BridgeTransport;
  /** The application that opens `vnc://` URLs, or undefined when there is none. */
  handlerName(): Promise<string | undefined>;
  /** Opens a `vnc://127.0.0.1:PORT` URL (see vnc-launch.ts) with that application. */
  launch(url: string): Promise<void>;
}
