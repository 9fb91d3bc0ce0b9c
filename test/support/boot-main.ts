// Boots the BUILT main bundle under the fake `electron` (see fake-electron-hook.ts)
// in plain Node and prints one JSON line describing what the app did, for
// test/integration/desktop-boot.test.ts:
//   node --import tsx --import ./test/support/fake-electron-hook.ts test/support/boot-main.ts <out/main/index.js> <deep link>

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as FakeElectron from './fake-electron.ts';

const [bundle, deepLink] = process.argv.slice(2);
if (!bundle || !deepLink) throw new Error('usage: boot-main.ts <out/main/index.js> <deep link>');

const fake = (await import('electron' as string)) as typeof FakeElectron;
if (typeof fake.app.becomeReady !== 'function') throw new Error('the electron test double is not in place (load fake-electron-hook.ts first)');

const profile = mkdtempSync(join(tmpdir(), 'gatepass-boot-'));
fake.fakeState.userData = profile;
process.env.KUBECONFIG = join(profile, 'no-kubeconfig');
// The cold start: the OS launches the app with the link as its last argument.
process.argv = [process.execPath, bundle, deepLink];

await import(pathToFileURL(bundle).href);
const protocolsBeforeReady = [...fake.app.protocols];
fake.app.becomeReady();
await new Promise((resolve) => setTimeout(resolve, 300));

const window = fake.BrowserWindow.all[0];
const loadedFile = window?.loaded.file;
const event = (url: string) => ({ senderFrame: { url }, sender: window?.webContents });
const call = async (method: string, url: string) => {
  const handler = fake.ipcMain.handlers.get(`gatepass:${method}`);
  if (!handler) return { missing: true };
  try {
    return { reply: await handler(event(url)) };
  } catch (error) {
    return { rejected: (error as Error).message };
  }
};

const report = {
  windows: fake.BrowserWindow.all.length,
  webPreferences: window?.options.webPreferences,
  loaded: window?.loaded,
  handlers: [...fake.ipcMain.handlers.keys()],
  trays: fake.Tray.all.map((tray) => ({ image: tray.image.path, menu: (tray.menu?.template as Array<{ label?: string }> | undefined)?.map((item) => item.label ?? '---') })),
  protocolsBeforeReady,
  foreign: await call('rendererReady', 'https://evil.example/'),
  rendererReady: loadedFile ? await call('rendererReady', pathToFileURL(loadedFile).href) : undefined,
};
console.log(JSON.stringify(report));
fake.app.emit('will-quit');
await new Promise((resolve) => setTimeout(resolve, 100));
rmSync(profile, { recursive: true, force: true });
process.exit(0);
