// Per-context settings, kept in the store under one key (context names may
// contain dots, which the store would read as nested paths) and validated on
// the way in and out, so a hand-edited settings file cannot smuggle anything in.
import type { ClusterSettings } from '../../shared/desktop-api.ts';
import { LinkError, normaliseGatewayUrl } from '../../shared/links.ts';
import type { KeyValueStore } from './store.ts';
import { invalid, requireBoolean, requireLabel, requireLifetime, requireObject, requireSecretKey } from './validate-input.ts';

const STORE_KEY = 'clusterSettings';

export function defaultClusterSettings(): ClusterSettings {
  return {
    keySecret: { namespace: 'kube-gateway', name: 'kube-gateway-jwt-private', key: 'tls.key' },
    defaultLifetime: '1h',
    defaultViewOnly: false,
    defaultSingleUse: false,
  };
}

/** Checks settings from the renderer (or the store); throws invalid-input saying which field is wrong. */
export function validateClusterSettings(value: unknown): ClusterSettings {
  const input = requireObject(value, 'the cluster settings');
  const secret = requireObject(input.keySecret, 'the key secret');
  const settings: ClusterSettings = {
    keySecret: {
      namespace: requireLabel(secret.namespace, "the key secret's namespace"),
      name: requireLabel(secret.name, "the key secret's name"),
      key: requireSecretKey(secret.key, "the key secret's key"),
    },
    defaultLifetime: requireLifetime(input.defaultLifetime, 'the default lifetime'),
    defaultViewOnly: requireBoolean(input.defaultViewOnly, 'default view-only'),
    defaultSingleUse: requireBoolean(input.defaultSingleUse, 'default single-use'),
  };
  if (input.gatewayURL !== undefined && input.gatewayURL !== '') {
    if (typeof input.gatewayURL !== 'string' || input.gatewayURL.length > 2048) throw invalid('the gateway URL must be text of at most 2048 characters');
    try {
      settings.gatewayURL = normaliseGatewayUrl(input.gatewayURL);
    } catch (error) {
      if (error instanceof LinkError) throw invalid(error.message);
      throw error;
    }
  }
  return settings;
}

export interface ClusterSettingsService {
  get(context: string): ClusterSettings;
  save(context: string, settings: unknown): ClusterSettings;
}

export function clusterSettingsService(store: KeyValueStore): ClusterSettingsService {
  const all = (): Record<string, unknown> => {
    const value = store.get(STORE_KEY);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  };
  return {
    get(context) {
      const saved = all()[context];
      if (saved === undefined) return defaultClusterSettings();
      try {
        return validateClusterSettings({ ...defaultClusterSettings(), ...(saved as object) });
      } catch {
        return defaultClusterSettings();
      }
    },
    save(context, value) {
      const settings = validateClusterSettings(value);
      store.set(STORE_KEY, { ...all(), [context]: settings });
      return settings;
    },
  };
}
