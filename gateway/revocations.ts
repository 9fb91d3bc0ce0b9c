import type { Logger } from './log.ts';
import type { Upstream } from './upstream.ts';
import { watchObject } from './watch-object.ts';

export const revocationConfigMap = 'gatepass-revoked';

export interface Revocations {
  isRevoked(id: string | undefined): boolean;
  /** Called with each new list, so consoles already open can be closed too. */
  onChange(listener: () => void): void;
  close(): void;
}

/**
 * Revoked token ids, from the ConfigMap `gatepass-revoked` in the gateway's
 * namespace (key: token id, value: its expiry, so entries can be pruned once
 * the token would have expired anyway). Operators who may issue links may
 * write it; every replica watches it, so a revocation reaches them all.
 */
export function watchRevocations(upstream: Upstream, namespace: string, log: Logger): Revocations {
  let revoked = new Set<string>();
  const listeners: Array<() => void> = [];
  const watch = watchObject(upstream, { collection: `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`, name: revocationConfigMap }, log, (object) => {
    revoked = new Set(Object.keys(object?.data ?? {}));
    log.info({ revoked: revoked.size }, 'revocation list loaded');
    for (const listener of listeners) listener();
  });
  return {
    isRevoked: (id) => id !== undefined && revoked.has(id),
    onChange: (listener) => void listeners.push(listener),
    close: () => watch.close(),
  };
}
