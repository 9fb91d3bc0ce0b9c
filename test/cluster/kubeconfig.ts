import { stringify } from 'yaml';

export interface KubeconfigUser {
  context: string;
  token?: string;
  clientCertificate?: { certPem: string; keyPem: string };
  namespace?: string;
}

export const CLUSTER_NAME = 'gatepass-test';

const b64 = (text: string): string => Buffer.from(text).toString('base64');

/** A kubeconfig with one context (and user entry of the same name) per user, the CA embedded. */
export function renderKubeconfig(server: string, caPem: string, users: readonly KubeconfigUser[], currentContext: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name: CLUSTER_NAME, cluster: { server, 'certificate-authority-data': b64(caPem) } }],
    users: users.map((u) => ({
      name: u.context,
      user: u.clientCertificate
        ? { 'client-certificate-data': b64(u.clientCertificate.certPem), 'client-key-data': b64(u.clientCertificate.keyPem) }
        : { token: u.token },
    })),
    contexts: users.map((u) => ({ name: u.context, context: { cluster: CLUSTER_NAME, user: u.context, ...(u.namespace ? { namespace: u.namespace } : {}) } })),
    'current-context': currentContext,
  });
}
