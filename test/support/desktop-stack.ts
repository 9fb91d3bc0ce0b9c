// The desktop app as the development bridge runs it, all in this process: the
// cluster stand-in and the real gateway (the gateway harness), the real main
// services (createDesktopApi with a conf store in a temporary profile) and the
// bridge serving the built renderer. What the desktop e2e tests and the desktop
// benchmarks drive with Chromium.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Conf from 'conf';
import { createDesktopApi, type CreateDesktopApiOptions, type DesktopApiImpl } from '../../main/desktop-api-impl.ts';
import { bridgePlatform, type BridgePlatform } from '../../main/dev-bridge/platform.ts';
import { startDevBridge, type DevBridge } from '../../main/dev-bridge/server.ts';
import { gatepassConfigMap } from '../cluster/default-fixture.ts';
import type { StartClusterOptions } from '../cluster/server.ts';
import { startHarness, type Harness } from './gateway-harness.ts';
import { freePort } from './desktop-doubles.ts';

export const APP_DIR = fileURLToPath(new URL('../../dist/app/', import.meta.url));

export interface DesktopStack {
  harness: Harness;
  /** `http://127.0.0.1:PORT`, published in ConfigMap kube-gateway/gatepass. */
  gatewayUrl: string;
  api: DesktopApiImpl;
  platform: BridgePlatform;
  bridge: DevBridge;
  close(): Promise<void>;
}

export interface DesktopStackOptions {
  cluster?: StartClusterOptions;
  inventory?: CreateDesktopApiOptions['inventory'];
  linkActivity?: CreateDesktopApiOptions['linkActivity'];
  /** In place of the bridge's own platform, e.g. one with a keychain stand-in so links can be copied again. */
  platform?: BridgePlatform;
}

/** Fails with the command to run when the renderer has not been built. */
export function requireBuiltApp(): void {
  if (!existsSync(join(APP_DIR, 'index.html'))) {
    throw new Error(`the desktop renderer is not built (${APP_DIR}index.html is missing): run \`npx vite build -c vite.app.config.ts\` first`);
  }
}

export async function startDesktopStack(options: DesktopStackOptions = {}): Promise<DesktopStack> {
  requireBuiltApp();
  // The app signs links for the URL it discovers, so the gateway must expect that audience.
  const gatewayUrl = `http://127.0.0.1:${await freePort()}`;
  const harness = await startHarness({ flags: ['--gateway-listen', gatewayUrl, '--audience', gatewayUrl], ...(options.cluster ? { cluster: options.cluster } : {}) });
  const profile = mkdtempSync(join(tmpdir(), 'gatepass-desktop-e2e-'));
  let api: DesktopApiImpl | undefined;
  try {
    harness.cluster.objects.put(gatepassConfigMap(gatewayUrl));
    const conf = new Conf<Record<string, unknown>>({ cwd: profile, configName: 'gatepass' });
    const platform = options.platform ?? bridgePlatform(() => undefined);
    api = createDesktopApi({
      platform,
      store: { get: (key) => conf.get(key), set: (key, value) => conf.set(key, value), delete: (key) => conf.delete(key) },
      kubeconfigPaths: [harness.cluster.kubeconfigPath],
      // No proxies from the developer's shell, and no login shell to ask for PATH.
      env: {},
      loginPath: async () => undefined,
      ...(options.inventory ? { inventory: options.inventory } : {}),
      ...(options.linkActivity ? { linkActivity: options.linkActivity } : {}),
    });
    const bridge = await startDevBridge({ api, staticDir: APP_DIR });
    const started = api;
    return {
      harness,
      gatewayUrl,
      api: started,
      platform,
      bridge,
      async close() {
        await bridge.close();
        await started.dispose();
        await harness.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await api?.dispose();
    await harness.close();
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}
