import { createHash } from 'node:crypto';

/**
 * A link's id as a Kubernetes name or label value can carry it. Token ids are
 * free text (kube-gateway's `id` is whatever the issuer typed), names and label
 * values are not; the gateway's use counters and audit Events and the app that
 * reads them all find a link by this key.
 */
export function linkKey(tokenId: string): string {
  return createHash('sha256').update(tokenId).digest('hex').slice(0, 40);
}
