// The cluster settings form holds text as typed; main validates what is saved
// and its DesktopError message is shown. Only the empty gateway URL has a
// meaning here: "discover it".

import type { ClusterSettings } from '../../../shared/desktop-api.ts';

export interface ClusterForm {
  gatewayURL: string;
  secretNamespace: string;
  secretName: string;
  secretKey: string;
  defaultLifetime: string;
  defaultViewOnly: boolean;
  defaultSingleUse: boolean;
}

export function toForm(settings: ClusterSettings): ClusterForm {
  return {
    gatewayURL: settings.gatewayURL ?? '',
    secretNamespace: settings.keySecret.namespace,
    secretName: settings.keySecret.name,
    secretKey: settings.keySecret.key,
    defaultLifetime: settings.defaultLifetime,
    defaultViewOnly: settings.defaultViewOnly,
    defaultSingleUse: settings.defaultSingleUse,
  };
}

export function fromForm(form: ClusterForm): ClusterSettings {
  const gatewayURL = form.gatewayURL.trim();
  return {
    ...(gatewayURL === '' ? {} : { gatewayURL }),
    keySecret: { namespace: form.secretNamespace.trim(), name: form.secretName.trim(), key: form.secretKey.trim() },
    defaultLifetime: form.defaultLifetime.trim(),
    defaultViewOnly: form.defaultViewOnly,
    defaultSingleUse: form.defaultSingleUse,
  };
}
