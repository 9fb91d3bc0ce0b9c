// Settings per cluster and for the app, and the gateway a context's settings lead to.
import type { ClusterSettings, DesktopApi } from '../../shared/desktop-api.ts';
import { guarded, type DesktopCore } from './core.ts';

export type SettingsApi = Pick<DesktopApi, 'getClusterSettings' | 'saveClusterSettings' | 'getAppSettings' | 'saveAppSettings' | 'getGateway'>;

export function createSettingsApi(core: DesktopCore): SettingsApi {
  const { settings, knownContext } = core;
  return {
    getClusterSettings: (context) => guarded(() => settings.get(knownContext(context))),
    saveClusterSettings: (context, value: ClusterSettings) => guarded(() => {
      const name = knownContext(context);
      const saved = settings.save(name, value);
      core.settingsChanged(name);
      return saved;
    }),
    getAppSettings: () => guarded(() => core.readAppSettings()),
    saveAppSettings: (value) => guarded(() => core.saveAppSettings(value)),
    getGateway: (context) => guarded(() => core.gatewayFor(knownContext(context))),
  };
}
