// A stand-in for the `electron` module: just enough of app, BrowserWindow,
// ipcMain, Tray, Menu, session, shell, clipboard, MessageChannelMain and
// friends for the main process to run in plain Node, recording every call so
// tests can assert what the app asked Electron to do. Used by vi.mock in the
// glue tests and, through fake-electron-hook.ts, by the built-bundle boot test.

type Listener = (...args: any[]) => unknown; // eslint-disable-line @typescript-eslint/no-explicit-any

class Emitter {
  listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  once(event: string, listener: Listener): this {
    const wrapper: Listener = (...args) => {
      this.removeListener(event, wrapper);
      return listener(...args);
    };
    return this.on(event, wrapper);
  }
  removeListener(event: string, listener: Listener): this {
    this.listeners.set(event, (this.listeners.get(event) ?? []).filter((l) => l !== listener));
    return this;
  }
  emit(event: string, ...args: unknown[]): boolean {
    const listeners = this.listeners.get(event) ?? [];
    for (const listener of [...listeners]) listener(...args);
    return listeners.length > 0;
  }
}

/** An event object like Electron's, remembering whether preventDefault was called. */
export function fakeEvent(extra: Record<string, unknown> = {}): { defaultPrevented: boolean; preventDefault(): void } & Record<string, unknown> {
  const event = {
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
    ...extra,
  };
  return event;
}

export class FakeSession {
  permissionRequestHandler: Listener | undefined;
  permissionCheckHandler: Listener | undefined;
  headersReceived: Listener | undefined;
  webRequest = {
    onHeadersReceived: (listener: Listener) => {
      this.headersReceived = listener;
    },
  };
  setPermissionRequestHandler(handler: Listener): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: Listener): void {
    this.permissionCheckHandler = handler;
  }
}

export class FakeWebContents extends Emitter {
  session = new FakeSession();
  windowOpenHandler: Listener | undefined;
  sent: Array<{ channel: string; args: unknown[] }> = [];
  posted: Array<{ channel: string; message: unknown; transfer: unknown[] }> = [];
  setWindowOpenHandler(handler: Listener): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  postMessage(channel: string, message: unknown, transfer: unknown[] = []): void {
    this.posted.push({ channel, message, transfer });
  }
}

export class BrowserWindow extends Emitter {
  static all: BrowserWindow[] = [];
  webContents = new FakeWebContents();
  loaded: { file?: string; url?: string } = {};
  visible = false;
  destroyed = false;
  constructor(readonly options: Record<string, any>) { // eslint-disable-line @typescript-eslint/no-explicit-any
    super();
    BrowserWindow.all.push(this);
  }
  async loadFile(file: string): Promise<void> { this.loaded = { file }; }
  async loadURL(url: string): Promise<void> { this.loaded = { url }; }
  show(): void { this.visible = true; }
  hide(): void { this.visible = false; }
  focus(): void {}
  restore(): void {}
  isMinimized(): boolean { return false; }
  isDestroyed(): boolean { return this.destroyed; }
}

class FakeApp extends Emitter {
  lockAvailable = true;
  quitCalls = 0;
  sandboxEnabled = false;
  protocols: string[] = [];
  isPackaged = false;
  #resolveReady: () => void = () => undefined;
  #ready = new Promise<void>((resolve) => { this.#resolveReady = resolve; });
  requestSingleInstanceLock(): boolean { return this.lockAvailable; }
  quit(): void { this.quitCalls++; }
  exit(): void { this.quitCalls++; }
  enableSandbox(): void { this.sandboxEnabled = true; }
  setAsDefaultProtocolClient(scheme: string): boolean { this.protocols.push(scheme); return true; }
  whenReady(): Promise<void> { return this.#ready; }
  getPath(): string { return fakeState.userData; }
  getVersion(): string { return '0.0.0-test'; }
  getName(): string { return 'Gatepass'; }
  /** The desktop's vnc:// handler; '' as Electron says when there is none. */
  vncHandler = '';
  getApplicationNameForProtocol(url: string): string { return url === 'vnc://' ? this.vncHandler : ''; }
  /** The test says when Electron is ready. */
  becomeReady(): void { this.#resolveReady(); this.emit('ready'); }
}

export class FakeIpcMain extends Emitter {
  handlers = new Map<string, Listener>();
  handle(channel: string, handler: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}

export class Tray {
  static all: Tray[] = [];
  menu: { template: unknown[] } | undefined;
  tooltip = '';
  destroyed = false;
  constructor(readonly image: { path: string; template: boolean }) {
    Tray.all.push(this);
  }
  setContextMenu(menu: { template: unknown[] }): void { this.menu = menu; }
  setToolTip(text: string): void { this.tooltip = text; }
  destroy(): void { this.destroyed = true; }
}

export const Menu = {
  buildFromTemplate: (template: unknown[]) => ({ template }),
};

export const nativeImage = {
  createFromPath: (path: string) => {
    const image = { path, template: false, setTemplateImage(flag: boolean) { image.template = flag; } };
    return image;
  },
};

export const nativeTheme = { shouldUseDarkColors: false };

export const shell = {
  opened: [] as string[],
  async openExternal(url: string): Promise<void> { shell.opened.push(url); },
  async openPath(): Promise<string> { return ''; },
};

export const clipboard = {
  text: '',
  async readText(): Promise<string> { return clipboard.text; },
  async writeText(text: string): Promise<void> { clipboard.text = text; },
};

export const safeStorage = {
  available: false,
  backend: 'basic_text' as string,
  isEncryptionAvailable(): boolean { return safeStorage.available; },
  getSelectedStorageBackend(): string { return safeStorage.backend; },
  encryptString: (): Buffer => { throw new Error('encryption is not available in the fake'); },
  decryptString: (): string => { throw new Error('encryption is not available in the fake'); },
};

export class Notification {
  static shown: Array<{ title: string; body: string }> = [];
  static isSupported(): boolean { return true; }
  constructor(readonly options: { title: string; body: string }) {}
  show(): void { Notification.shown.push({ title: this.options.title, body: this.options.body }); }
}

export class FakeMainPort extends Emitter {
  other: FakeMainPort | undefined;
  started = false;
  closed = false;
  received: unknown[] = [];
  postMessage(message: unknown): void {
    if (this.closed) return;
    this.received.push(message);
  }
  start(): void { this.started = true; }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.other?.emit('close');
  }
}

export class MessageChannelMain {
  static all: MessageChannelMain[] = [];
  port1 = new FakeMainPort();
  port2 = new FakeMainPort();
  constructor() {
    this.port1.other = this.port2;
    this.port2.other = this.port1;
    MessageChannelMain.all.push(this);
  }
}

export const session = { defaultSession: new FakeSession() };
export const app = new FakeApp();
export const ipcMain = new FakeIpcMain();
export const fakeState = { userData: '' };

export default { app, BrowserWindow, ipcMain, Tray, Menu, nativeImage, nativeTheme, shell, clipboard, safeStorage, Notification, MessageChannelMain, session };
