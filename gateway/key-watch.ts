import { watchFile, unwatchFile, readFileSync } from 'node:fs';
import { importPublicKeys, type PublicKeyWithKid } from '../shared/node/keys.ts';
import type { Logger } from './log.ts';
import type { Upstream } from './upstream.ts';
import { watchObject } from './watch-object.ts';

/** The public keys tokens are checked against; they change when keys rotate, without a restart. */
export interface KeySource {
  current(): readonly PublicKeyWithKid[];
  /** Resolves once a first set of keys is loaded. */
  readonly loaded: Promise<void>;
  close(): void;
}

function keySet(log: Logger) {
  let keys: readonly PublicKeyWithKid[] = [];
  let markLoaded!: () => void;
  const loaded = new Promise<void>((resolve) => (markLoaded = resolve));
  return {
    loaded,
    current: () => keys,
    /** Replaces the keys with those in `pem`; a bad update keeps the keys in force and says why. */
    update(pem: string, from: string): void {
      try {
        keys = importPublicKeys(pem);
        log.info({ from, kids: keys.map((k) => k.kid) }, 'public keys loaded');
        markLoaded();
      } catch (err) {
        log.error({ from, err: (err as Error).message }, 'public keys not loaded; the previous keys stay in force');
      }
    },
    clear(from: string): void {
      keys = [];
      log.warn({ from }, 'public key secret deleted: every token is refused until it returns');
    },
  };
}

/**
 * `--jwt-public-key-file`: polled, because mounted secrets change by swapping a
 * symlink. A bad file at start is an error (the gateway cannot start without a
 * key); a bad update later keeps the keys in force.
 */
export function watchKeyFile(path: string, log: Logger, intervalMs = 2000): KeySource {
  const set = keySet(log);
  importPublicKeys(readFileSync(path, 'utf8'));
  set.update(readFileSync(path, 'utf8'), path);
  watchFile(path, { interval: intervalMs, persistent: false }, (curr, prev) => {
    if (curr.mtimeMs === prev.mtimeMs && curr.size === prev.size) return;
    try {
      set.update(readFileSync(path, 'utf8'), path);
    } catch (err) {
      log.error({ from: path, err: (err as Error).message }, 'public key file unreadable; the previous keys stay in force');
    }
  });
  return { current: set.current, loaded: set.loaded, close: () => unwatchFile(path) };
}

export interface SecretRef {
  namespace: string;
  name: string;
  key: string;
}

/** The public-key secret, listed and then watched with the gateway's own service account. */
export function watchKeySecret(upstream: Upstream, ref: SecretRef, log: Logger): KeySource {
  const set = keySet(log);
  const from = `secret ${ref.namespace}/${ref.name} key ${ref.key}`;
  let seen = false;
  const watch = watchObject(upstream, { collection: `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/secrets`, name: ref.name }, log, (secret) => {
    if (!secret) {
      if (seen) set.clear(from);
      else log.error({ from }, 'the public key secret does not exist');
      return;
    }
    seen = true;
    const encoded = secret.data?.[ref.key];
    if (encoded === undefined) return void log.error({ from }, 'the public key secret has no such key');
    set.update(Buffer.from(encoded, 'base64').toString('utf8'), from);
  });
  return { current: set.current, loaded: set.loaded, close: () => watch.close() };
}
