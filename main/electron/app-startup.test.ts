import { describe, expect, it, vi } from 'vitest';
import type * as FakeElectron from '../../test/support/fake-electron.ts';
import { fakeDesktopApi } from '../../test/support/fake-desktop-api.ts';

let instance = 0;

const paths = { preload: '/p/index.cjs', indexHtml: '/r/index.html', assetsDir: '/a' };

async function fresh() {
  vi.resetModules();
  // A fresh fake per test (the query makes it a new module), shared by the test and app.ts.
  const url = `../../test/support/fake-electron.ts?instance=${++instance}`;
  vi.doMock('electron', () => import(/* @vite-ignore */ url));
  const fake = (await import('electron')) as unknown as typeof FakeElectron;
  const { startApp } = await import('./app.ts');
  return { fake, startApp };
}

describe('start-up edges', () => {
  it('quits at once when another instance holds the lock', async () => {
    const { fake, startApp } = await fresh();
    fake.app.lockAvailable = false;
    const api = fakeDesktopApi();
    startApp({ createApi: () => api, paths, argv: ['gatepass', 'gatepass://open?link=X'], defaultApp: false, platform: 'linux' });
    fake.app.becomeReady();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(fake.app.quitCalls).toBe(1);
    expect(fake.app.protocols).toEqual([]);
    expect(fake.app.listeners.size).toBe(0);
    expect(api.deepLinks).toEqual([]);
  });

  it('does not register the protocol when run from `electron .` and uses the template tray icon on macOS', async () => {
    const { fake, startApp } = await fresh();
    startApp({ createApi: () => fakeDesktopApi(), paths, argv: ['electron', '.'], defaultApp: true, platform: 'darwin' });
    fake.app.becomeReady();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(fake.app.protocols).toEqual([]);
    expect(fake.Tray.all.at(-1)?.image).toMatchObject({ path: '/a/trayTemplate.png', template: true });
  });

  it('loads the dev server when one is given', async () => {
    const { fake, startApp } = await fresh();
    startApp({ createApi: () => fakeDesktopApi(), paths: { ...paths, devServerUrl: 'http://localhost:5173/' }, argv: [], defaultApp: true, platform: 'linux' });
    fake.app.becomeReady();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(fake.BrowserWindow.all.at(-1)?.loaded).toEqual({ url: 'http://localhost:5173/' });
  });
});
