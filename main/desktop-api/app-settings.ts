// The app-wide settings (not per cluster) as the renderer may send them.
import type { AppSettings } from '../../shared/desktop-api.ts';
import { invalid, requireBoolean, requireContextName, requireLabel, requireObject, requireString } from '../services/validate-input.ts';

const MAX_FAVOURITES = 500;

export function validateAppSettings(value: unknown): AppSettings {
  const input = requireObject(value, 'the app settings');
  const favourites = requireObject(input.favourites ?? {}, 'favourites');
  const out: AppSettings = {
    closeToTray: requireBoolean(input.closeToTray ?? false, 'close to tray'),
    notifyLinkOpened: requireBoolean(input.notifyLinkOpened ?? true, 'notify when a link is opened'),
    favourites: {},
  };
  for (const [context, keys] of Object.entries(favourites)) {
    requireContextName(context);
    if (!Array.isArray(keys) || keys.length > MAX_FAVOURITES) throw invalid(`the favourites of context "${context}" must be a list of at most ${MAX_FAVOURITES} VMs`);
    out.favourites[context] = [...new Set(keys.map((key: unknown) => {
      const [namespace, name, extra] = requireString(key, 'a favourite', 128).split('/');
      if (extra !== undefined) throw invalid(`the favourite ${JSON.stringify(key)} must be <namespace>/<name>`);
      return `${requireLabel(namespace, 'namespace')}/${requireLabel(name, 'name')}`;
    }))];
  }
  return out;
}
