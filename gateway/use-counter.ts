import { linkKey } from '../shared/node/link-key.ts';
import type { ApiAnswer, Upstream } from './upstream.ts';

export type UseOutcome = { ok: true; uses: number } | { ok: false; reason: 'used-up' | 'unavailable'; message: string };

/** The counter's object name: token ids are free text, object names are not. */
export function counterName(tokenId: string): string {
  return `gatepass-uses-${linkKey(tokenId)}`;
}

/**
 * Counts console opens of limited-use links in a ConfigMap per token in the
 * gateway's namespace. The API server's optimistic concurrency (create → 409
 * AlreadyExists, update with a stale resourceVersion → 409 Conflict) makes the
 * count exact across every gateway replica without a lock.
 */
export function createUseCounter(upstream: Upstream, namespace: string) {
  const collection = `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`;
  return async function use(tokenId: string, maxUses: number, expiresAt: number): Promise<UseOutcome> {
    const name = counterName(tokenId);
    for (let attempt = 0; attempt < 8; attempt++) {
      let current: ApiAnswer;
      try {
        current = await upstream.call({ method: 'GET', path: `${collection}/${name}` });
        if (current.status === 404) {
          const created = await upstream.call({ method: 'POST', path: collection, body: {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: {
              name,
              labels: { 'app.kubernetes.io/managed-by': 'gatepass-gateway', 'gatepass.io/kind': 'use-counter' },
              annotations: { 'gatepass.io/expires': new Date(expiresAt).toISOString() },
            },
            data: { uses: '1' },
          } });
          if (created.status === 201 || created.status === 200) return { ok: true, uses: 1 };
          if (created.status === 409) continue;
          return { ok: false, reason: 'unavailable', message: `the use count could not be recorded (HTTP ${created.status})` };
        }
        if (current.status !== 200) return { ok: false, reason: 'unavailable', message: `the use count could not be read (HTTP ${current.status})` };
        const object = JSON.parse(current.body) as { metadata: Record<string, unknown>; data?: Record<string, string> };
        const uses = Number(object.data?.uses ?? '0');
        if (!Number.isSafeInteger(uses) || uses >= maxUses) {
          return { ok: false, reason: 'used-up', message: `this link could be opened ${maxUses} time${maxUses === 1 ? '' : 's'} and has been used up` };
        }
        const updated = await upstream.call({ method: 'PUT', path: `${collection}/${name}`, body: { ...object, data: { ...object.data, uses: String(uses + 1) } } });
        if (updated.status === 200) return { ok: true, uses: uses + 1 };
        if (updated.status === 409) continue;
        return { ok: false, reason: 'unavailable', message: `the use count could not be recorded (HTTP ${updated.status})` };
      } catch (err) {
        return { ok: false, reason: 'unavailable', message: `the use count could not be recorded (${(err as Error).message})` };
      }
    }
    return { ok: false, reason: 'unavailable', message: 'the use count is contended; try again' };
  };
}
