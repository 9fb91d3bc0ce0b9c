// Revoking a link at a Gatepass gateway: its id goes into the ConfigMap
// `gatepass-revoked` in the gateway's namespace (value: when the link would
// have expired anyway, so entries can be pruned), written with the operator's
// own credentials. Every gateway replica watches that ConfigMap.
import { DesktopFailure } from './errors.ts';
import { httpStatusOf, type KubeClient } from './kube-client.ts';

export const REVOCATION_CONFIGMAP = 'gatepass-revoked';

interface ConfigMap {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string };
  data?: Record<string, string>;
}

export async function revokeTokenId(client: KubeClient, namespace: string, id: string, until: string, attempts = 5): Promise<void> {
  const path = `/api/v1/namespaces/${namespace}/configmaps/${REVOCATION_CONFIGMAP}`;
  const forbidden = (error: unknown) =>
    new DesktopFailure('forbidden', `you may not revoke links in this cluster: updating the ConfigMap ${namespace}/${REVOCATION_CONFIGMAP} is not allowed for context "${client.context}" (${(error as Error).message})`, client.context);
  for (let attempt = 1; ; attempt++) {
    try {
      let current: ConfigMap | undefined;
      try {
        current = await client.request<ConfigMap>('GET', path);
      } catch (error) {
        if (httpStatusOf(error) !== 404) throw error;
      }
      if (!current) {
        const created: ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: REVOCATION_CONFIGMAP, namespace }, data: { [id]: until } };
        await client.request('POST', `/api/v1/namespaces/${namespace}/configmaps`, created);
        return;
      }
      if (current.data?.[id] !== undefined) return;
      // The resourceVersion makes a concurrent revocation fail with 409 instead of being overwritten.
      await client.request('PUT', path, { ...current, data: { ...(current.data ?? {}), [id]: until } });
      return;
    } catch (error) {
      const status = httpStatusOf(error);
      if (status === 403) throw forbidden(error);
      if ((status === 409 || status === 404) && attempt < attempts) continue;
      throw error;
    }
  }
}
