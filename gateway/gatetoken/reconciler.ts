// Signs each GateToken once. A queue keyed by namespace/name holds the latest
// version of each object and one worker handles them in turn. The status is
// written with the object's resourceVersion, so even a stale copy signed
// twice can only ever put one token into the cluster.

import type { Logger } from '../log.ts';
import { importPrivateKey, type PrivateKeyWithKid } from '../../shared/node/keys.ts';
import { signToken } from '../../shared/node/sign-token.ts';
import { GROUP, PLURAL, planToken, VERSION, type GateToken, type GateTokenStatus, type SecretRef } from './gatetoken.ts';
import { KubeApiError, type KubeClient } from './kube-client.ts';
import { currentVerdict, errorStatus, readyStatus, type TransientReason } from './status.ts';

export interface ReconcilerOptions {
  client: KubeClient;
  log: Logger;
  maxLifetimeMs: number;
  defaultSecret: SecretRef;
  /** How long to wait before trying a GateToken again after its key could not be read or the API server failed. */
  retryMs: number;
  now?: () => number;
}

export interface Reconciler {
  enqueue(token: GateToken): void;
  /** Resolves once the queue is empty and nothing is being handled. */
  idle(): Promise<void>;
  stop(): void;
}

const KEY_ERROR: TransientReason = 'PrivateKeyError';

export function itemPath(namespace: string, name: string): string {
  return `/apis/${GROUP}/${VERSION}/namespaces/${encodeURIComponent(namespace)}/${PLURAL}/${encodeURIComponent(name)}`;
}

class KeyUnavailable extends Error {}

export function createReconciler(options: ReconcilerOptions): Reconciler {
  const { client, log } = options;
  const now = options.now ?? Date.now;
  const pending = new Map<string, GateToken>();
  /** uids whose token this controller wrote; their update events may still be on the way. */
  const signed = new Set<string>();
  const retries = new Map<string, NodeJS.Timeout>();
  let working = false;
  let stopped = false;
  let idleWaiters: (() => void)[] = [];

  const readKey = async (ref: SecretRef): Promise<PrivateKeyWithKid> => {
    const where = `${ref.namespace}/${ref.name}`;
    let secret: { data?: Record<string, string> };
    try {
      secret = await client.request('GET', `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/secrets/${encodeURIComponent(ref.name)}`);
    } catch (error) {
      if (error instanceof KubeApiError) throw new KeyUnavailable(`cannot read the private key secret ${where}: ${error.message}`);
      throw error;
    }
    const encoded = secret.data?.[ref.file];
    if (encoded === undefined) throw new KeyUnavailable(`the private key secret ${where} has no entry ${JSON.stringify(ref.file)}`);
    try {
      return importPrivateKey(Buffer.from(encoded, 'base64').toString('utf8'));
    } catch (error) {
      throw new KeyUnavailable(`the entry ${JSON.stringify(ref.file)} of secret ${where} is not a usable private key: ${(error as Error).message}`);
    }
  };

  const writeStatus = async (token: GateToken, status: GateTokenStatus): Promise<boolean> => {
    const { namespace, name } = token.metadata;
    try {
      await client.request('PUT', `${itemPath(namespace, name)}/status`, { ...token, status });
      return true;
    } catch (error) {
      // 409: a newer version exists and its event will bring it here; 404: deleted meanwhile.
      if (error instanceof KubeApiError && (error.status === 409 || error.status === 404)) {
        log.debug({ namespace, name, status: error.status }, 'status not written; the GateToken changed');
        return false;
      }
      throw error;
    }
  };

  const retryLater = (token: GateToken): void => {
    if (stopped) return;
    const { namespace, name, uid } = token.metadata;
    clearTimeout(retries.get(uid));
    retries.set(uid, setTimeout(() => {
      retries.delete(uid);
      client.request<GateToken>('GET', itemPath(namespace, name)).then(enqueue, (error: unknown) => {
        log.debug({ namespace, name, err: (error as Error).message }, 'GateToken not fetched for a retry');
      });
    }, options.retryMs));
  };

  const reconcile = async (token: GateToken): Promise<void> => {
    const { namespace, name, uid } = token.metadata;
    if (token.status?.token) {
      signed.add(uid);
      return;
    }
    if (signed.has(uid)) return;
    const verdict = currentVerdict(token);
    // A spec already judged invalid stays so until it is edited (a new generation).
    if (verdict?.status === 'False' && verdict.reason !== KEY_ERROR) return;
    if (verdict?.reason === KEY_ERROR && retries.has(uid)) return;

    const plan = planToken(token, { now: now(), maxLifetimeMs: options.maxLifetimeMs, defaultSecret: options.defaultSecret });
    if (!plan.ok) {
      log.info({ namespace, name, reason: plan.reason, message: plan.message }, 'GateToken refused');
      await writeStatus(token, errorStatus(token, plan.reason, plan.message, now()));
      return;
    }
    let key: PrivateKeyWithKid;
    try {
      key = await readKey(plan.secret);
    } catch (error) {
      if (!(error instanceof KeyUnavailable)) throw error;
      log.warn({ namespace, name, message: error.message, retryInMs: options.retryMs }, 'GateToken not signed: no key');
      const unchanged = verdict?.reason === KEY_ERROR && verdict.message === error.message;
      if (unchanged || (await writeStatus(token, errorStatus(token, KEY_ERROR, error.message, now())))) retryLater(token);
      return;
    }
    const jwt = await signToken(plan.claims, key);
    if (await writeStatus(token, readyStatus(token, jwt, plan.data, now()))) {
      signed.add(uid);
      log.info({ namespace, name, id: uid, kid: key.kid, until: plan.data.until }, 'GateToken signed');
    }
  };

  const drain = async (): Promise<void> => {
    working = true;
    while (!stopped) {
      const next = pending.entries().next();
      if (next.done) break;
      const [key, token] = next.value;
      pending.delete(key);
      try {
        await reconcile(token);
      } catch (error) {
        log.error({ key, err: (error as Error).message, retryInMs: options.retryMs }, 'reconcile failed');
        retryLater(token);
      }
    }
    working = false;
    const waiters = idleWaiters;
    idleWaiters = [];
    waiters.forEach((resolve) => resolve());
  };

  function enqueue(token: GateToken): void {
    if (stopped) return;
    pending.set(`${token.metadata.namespace}/${token.metadata.name}`, token);
    if (!working) void drain();
  }

  return {
    enqueue,
    idle: () => (working ? new Promise((resolve) => idleWaiters.push(resolve)) : Promise.resolve()),
    stop() {
      stopped = true;
      pending.clear();
      retries.forEach((timer) => clearTimeout(timer));
      retries.clear();
    },
  };
}
