// The app as it was before the VM list streamed its pages: a second set of
// main services with the inventory's `stream: false` (every VM, then every VMI,
// listed in full before one reset), behind its own bridge, over the same
// stand-in. The baseline that "page load → first rows" is compared with in
// the same run.
import { createDesktopApi, type DesktopApiImpl } from '../../../main/desktop-api-impl.ts';
import { bridgePlatform } from '../../../main/dev-bridge/platform.ts';
import { startDevBridge } from '../../../main/dev-bridge/server.ts';
import { memoryStore } from '../../support/desktop-doubles.ts';
import { APP_DIR, type DesktopStack } from '../../support/desktop-stack.ts';

export interface BenchedApp {
  api: DesktopApiImpl;
  url: string;
  close(): Promise<void>;
}

export async function startUnpagedApp(stack: DesktopStack): Promise<BenchedApp> {
  const api = createDesktopApi({
    platform: bridgePlatform(() => undefined),
    store: memoryStore(),
    kubeconfigPaths: [stack.harness.cluster.kubeconfigPath],
    env: {},
    loginPath: async () => undefined,
    inventory: { stream: false },
  });
  try {
    const bridge = await startDevBridge({ api, staticDir: APP_DIR });
    return {
      api,
      url: bridge.url,
      async close() {
        await bridge.close();
        await api.dispose();
      },
    };
  } catch (error) {
    await api.dispose();
    throw error;
  }
}
