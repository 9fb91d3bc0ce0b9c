// The Electron main entry (built to out/main/index.js): the real store, the
// real main services, and the built preload and renderer next to this bundle.

import { app } from 'electron';
import Store from 'electron-store';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDesktopApi } from '../desktop-api-impl.ts';
import { startApp } from './app.ts';

const here = dirname(fileURLToPath(import.meta.url));
const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;

startApp({
  createApi: (platform) => createDesktopApi({ platform, store: new Store<Record<string, unknown>>({ name: 'gatepass', configFileMode: 0o600 }) }),
  paths: {
    preload: join(here, '../preload/index.cjs'),
    indexHtml: join(here, '../renderer/index.html'),
    assetsDir: join(here, 'assets'),
    ...(devServerUrl ? { devServerUrl } : {}),
  },
  argv: process.argv,
  defaultApp: Boolean(process.defaultApp),
  platform: process.platform,
});
