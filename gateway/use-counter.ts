import { linkKey } from '../shared/node/link-key.ts';
import type { ApiAnswer, Upstream } from './upstream.ts';

export type UseOutcome = { ok: true; uses: number } | { ok: false; reason: 'used-up' | 'unavailable'; message: string };

export interface UseCounter {
  /** Before a console opens: is the link still usable by this session? Writes nothing. */
  check(tokenId: string, maxUses: number, session?: string): Promise<UseOutcome>;
  /** Once the console has opened: one use, unless this session's use was already counted. */
  count(tokenId: string, maxUses: number, expiresAt: number, session?: string): Promise<UseOutcome>;
}

/** The counter's object name: token ids are free text, object names are not. */
export function counterName(tokenId: string): string {
  return `gatepass-uses-${linkKey(tokenId)}`;
}

/** The data key recording that a session (by its hash) has had its use. */
export function sessionKey(session: string): string {
  return `session.${session}`;
}

interface CounterObject {
  metadata: Record<string, unknown>;
  data?: Record<string, string>;
}

const usedUp = (maxUses: number): UseOutcome => ({
  ok: false,
  reason: 'used-up',
  message: `this link could be opened ${maxUses} time${maxUses === 1 ? '' : 's'} and has been used up`,
});
const unavailable = (what: string): UseOutcome => ({ ok: false, reason: 'unavailable', message: `the use count could not be ${what}` });

/** Whether the counter lets this session in, and how many uses it has recorded. */
function admits(object: CounterObject | undefined, maxUses: number, session: string | undefined): { admitted: boolean; counted: boolean; uses: number } {
  const uses = Number(object?.data?.['uses'] ?? '0');
  const counted = session !== undefined && object?.data?.[sessionKey(session)] !== undefined;
  // A counter someone broke by hand fails closed.
  if (!Number.isSafeInteger(uses)) return { admitted: false, counted: false, uses };
  return { admitted: counted || uses < maxUses, counted, uses };
}

/**
 * Counts console opens of limited-use links in a ConfigMap per token in the
 * gateway's namespace: `uses`, plus one key per counted session (its hash, never
 * the id, since operators can read the object). The API server's optimistic
 * concurrency (create → 409 AlreadyExists, update with a stale resourceVersion
 * → 409 Conflict) makes the count exact across every gateway replica without a
 * lock.
 */
export function createUseCounter(upstream: Upstream, namespace: string): UseCounter {
  const collection = `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps`;

  async function read(name: string): Promise<{ object?: CounterObject } | { failed: string }> {
    const current: ApiAnswer = await upstream.call({ method: 'GET', path: `${collection}/${name}` });
    if (current.status === 404) return {};
    if (current.status !== 200) return { failed: `read (HTTP ${current.status})` };
    return { object: JSON.parse(current.body) as CounterObject };
  }

  async function check(tokenId: string, maxUses: number, session?: string): Promise<UseOutcome> {
    try {
      const current = await read(counterName(tokenId));
      if ('failed' in current) return unavailable(current.failed);
      const { admitted, uses } = admits(current.object, maxUses, session);
      return admitted ? { ok: true, uses } : usedUp(maxUses);
    } catch (err) {
      return unavailable(`read (${(err as Error).message})`);
    }
  }

  async function count(tokenId: string, maxUses: number, expiresAt: number, session?: string): Promise<UseOutcome> {
    const name = counterName(tokenId);
    const sessionEntry = session === undefined ? {} : { [sessionKey(session)]: new Date().toISOString() };
    try {
      for (let attempt = 0; attempt < 8; attempt++) {
        const current = await read(name);
        if ('failed' in current) return unavailable(current.failed);
        if (!current.object) {
          const created = await upstream.call({ method: 'POST', path: collection, body: {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: {
              name,
              labels: { 'app.kubernetes.io/managed-by': 'gatepass-gateway', 'gatepass.io/kind': 'use-counter' },
              annotations: { 'gatepass.io/expires': new Date(expiresAt).toISOString() },
            },
            data: { uses: '1', ...sessionEntry },
          } });
          if (created.status === 201 || created.status === 200) return { ok: true, uses: 1 };
          if (created.status === 409) continue;
          return unavailable(`recorded (HTTP ${created.status})`);
        }
        const { admitted, counted, uses } = admits(current.object, maxUses, session);
        if (counted) return { ok: true, uses };
        if (!admitted) return usedUp(maxUses);
        const data = { ...current.object.data, uses: String(uses + 1), ...sessionEntry };
        const updated = await upstream.call({ method: 'PUT', path: `${collection}/${name}`, body: { ...current.object, data } });
        if (updated.status === 200) return { ok: true, uses: uses + 1 };
        if (updated.status === 409) continue;
        return unavailable(`recorded (HTTP ${updated.status})`);
      }
    } catch (err) {
      return unavailable(`recorded (${(err as Error).message})`);
    }
    return { ok: false, reason: 'unavailable', message: 'the use count is contended; try again' };
  }

  return { check, count };
}
