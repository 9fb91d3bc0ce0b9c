// Contexts and what they hold: which kubeconfig context is current and whether
// it works, the live VM inventory per context, screenshots, and VM power.
import type { DesktopApi, InventoryEvent } from '../../shared/desktop-api.ts';
import { toDesktopError } from '../services/errors.ts';
import { startInventory, type Inventory } from '../services/inventory.ts';
import type { KubeClient } from '../services/kube-client.ts';
import { takeScreenshot } from '../services/screenshot.ts';
import { VmPower } from '../services/vm-power.ts';
import { isVmPowerAction } from '../../shared/access-review.ts';
import { invalid, requireLabel } from '../services/validate-input.ts';
import { guarded, type DesktopCore } from './core.ts';
import type { CreateDesktopApiOptions } from './options.ts';

export type InventoryApi = Pick<DesktopApi, 'listContexts' | 'selectContext' | 'watchInventory' | 'screenshot' | 'vmPowerActions' | 'powerVm'>;

export function createInventoryApi(core: DesktopCore, options: Pick<CreateDesktopApiOptions, 'inventory'>) {
  const { kubeconfig, emit, clientFor, knownContext } = core;
  const inventories = new Map<string, Inventory>();
  const vmPower = new VmPower({ now: core.now });

  /** Connects once to learn whether the context works (credentials, reachability). */
  const probe = (context: string): void => {
    let client: KubeClient;
    try {
      client = clientFor(context);
    } catch {
      return;
    }
    kubeconfig.setState(context, 'connecting');
    core.identities.get(client).then(
      () => kubeconfig.setState(context, 'connected'),
      (error: unknown) => kubeconfig.setState(context, 'error', toDesktopError(error, context)),
    );
  };

  const startWatching = (context: string): void => {
    const client = clientFor(context);
    const inventory = startInventory(client, (event: InventoryEvent) => {
      if (event.kind === 'state') {
        if (event.state === 'live') kubeconfig.setState(context, 'connected');
        if (event.state === 'error' && event.error && event.error.code !== 'forbidden') kubeconfig.setState(context, 'error', event.error);
      }
      emit({ kind: 'inventory', event });
    }, options.inventory ?? {});
    inventories.set(context, inventory);
  };

  // A changed context that was being watched is watched again, with its new credentials.
  core.onContextChanged((name) => {
    vmPower.forget(name);
    if (!inventories.has(name)) return;
    inventories.get(name)?.stop();
    inventories.delete(name);
    try {
      startWatching(name);
    } catch (error) {
      emit({ kind: 'inventory', event: { kind: 'state', context: name, state: 'error', error: toDesktopError(error, name) } });
    }
  });

  const api: InventoryApi = {
    listContexts: () => guarded(() => {
      const current = kubeconfig.current();
      const info = kubeconfig.contexts().find((c) => c.name === current);
      if (current && info?.state === 'unknown') probe(current);
      return kubeconfig.contexts();
    }),
    selectContext: (name) => guarded(() => {
      const context = knownContext(name);
      core.selectContext(context);
      probe(context);
      return kubeconfig.contexts();
    }),
    watchInventory: (name) => guarded(() => {
      const context = knownContext(name);
      inventories.get(context)?.stop();
      startWatching(context);
    }),
    screenshot: (context, namespace, name) => guarded(() => takeScreenshot(clientFor(knownContext(context)), requireLabel(namespace, 'namespace'), requireLabel(name, 'name'))),
    vmPowerActions: (context, namespace, name) => guarded(() => vmPower.allowedActions(clientFor(knownContext(context)), requireLabel(namespace, 'namespace'), requireLabel(name, 'name'))),
    powerVm: (context, namespace, name, action) => guarded(() => {
      if (!isVmPowerAction(action)) throw invalid('the power action must be start, stop, restart, pause or unpause');
      return vmPower.power(clientFor(knownContext(context)), requireLabel(namespace, 'namespace'), requireLabel(name, 'name'), action);
    }),
  };

  return {
    api,
    stop(): void {
      for (const inventory of inventories.values()) inventory.stop();
      inventories.clear();
    },
  };
}
