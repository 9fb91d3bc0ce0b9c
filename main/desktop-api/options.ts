import type { BridgeTransport } from '../services/console-bridge.ts';
import type { InventoryOptions } from '../services/inventory.ts';
import type { WatchTuning } from '../services/list-watch.ts';
import type { ResolveLoginPath } from '../services/login-path.ts';
import type { KeyValueStore, Platform } from '../services/store.ts';

export interface CreateDesktopApiOptions {
  platform: Platform;
  store: KeyValueStore;
  /** Default: the KUBECONFIG list or ~/.kube/config. */
  kubeconfigPaths?: string[];
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  /** The login shell's PATH for exec credential plugins; default asks `$SHELL -ilc` once. */
  loginPath?: ResolveLoginPath;
  /** How often the kubeconfig files are checked for changes. */
  kubeconfigPollMs?: number;
  inventory?: InventoryOptions;
  /** How the audit Events behind link activity and console openings are followed. */
  linkActivity?: { batchMs?: number; tuning?: WatchTuning };
  /** How long a discovered gateway is trusted before asking again. */
  gatewayCacheMs?: number;
  /** "Open in VNC client": overrides the platform's choice (a 0600 Unix socket, or a password-guarded loopback port where there are none or a vnc:// handler is to be launched). */
  vncBridgeTransport?: BridgeTransport;
}
