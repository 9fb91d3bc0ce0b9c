// The key secrets' life cycle (DESIGN "Keys and rotation"), over the Kubernetes API:
//   init      create kube-gateway-jwt (tls.crt) and kube-gateway-jwt-private (tls.key) when missing
//   publish   stage a new key (kube-gateway-jwt-next) and put its certificate first in tls.crt
//   activate  switch tls.key to the staged key once every gateway trusts it
//   retire    drop public keys that have not signed anything for longer than a link lives
// Every write carries the resourceVersion it read, so two operators racing get a 409, not a mix.
import { describeFailure, type KubeApi, type KubeAnswer } from './kube-api.ts';
import { generateSigningKey, certificateFor, joinPublishedKeys, publishedKeys, type KeySize } from './key-material.ts';
import { importPrivateKey } from '../shared/node/keys.ts';

export interface KeySecretNames {
  namespace: string;
  publicName: string;
  privateName: string;
  stagingName: string;
}

/** When the private key in tls.key started signing: every other published key stopped then. */
export const SIGNING_SINCE = 'gatepass.io/signing-since';

export class KeyCommandError extends Error {
  override readonly name = 'KeyCommandError';
}

interface Secret {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: { name: string; namespace?: string; resourceVersion?: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  type?: string;
  data?: Record<string, string>;
}

const LABELS = { 'app.kubernetes.io/part-of': 'gatepass', 'app.kubernetes.io/managed-by': 'gatepass-keys' };

function newSecret(name: string, data: Record<string, string>, annotations: Record<string, string> = {}): Secret {
  const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]));
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, labels: LABELS, annotations }, type: 'Opaque', data: encoded };
}

function field(secret: Secret, key: string): string {
  const value = secret.data?.[key];
  if (value === undefined) throw new KeyCommandError(`secret ${secret.metadata.namespace ?? ''}/${secret.metadata.name} has no key ${key}`);
  return Buffer.from(value, 'base64').toString('utf8');
}

function withField(secret: Secret, key: string, value: string): Secret {
  return { ...secret, data: { ...secret.data, [key]: Buffer.from(value, 'utf8').toString('base64') } };
}

export interface KeyStore {
  get(name: string): Promise<Secret | undefined>;
  create(secret: Secret): Promise<void>;
  update(secret: Secret): Promise<void>;
  remove(name: string): Promise<void>;
}

export function keyStore(api: KubeApi, namespace: string): KeyStore {
  const collection = `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`;
  const fail = (what: string, answer: KubeAnswer): never => {
    const hint = answer.status === 409 ? ' (someone else changed it meanwhile; run the command again)' : '';
    throw new KeyCommandError(`cannot ${what}: ${describeFailure(answer)}${hint}`);
  };
  return {
    async get(name) {
      const answer = await api.call('GET', `${collection}/${encodeURIComponent(name)}`);
      if (answer.status === 404) return undefined;
      if (answer.status !== 200) return fail(`read secret ${namespace}/${name}`, answer);
      return answer.body as Secret;
    },
    async create(secret) {
      const answer = await api.call('POST', collection, secret);
      if (answer.status !== 201 && answer.status !== 200) fail(`create secret ${namespace}/${secret.metadata.name}`, answer);
    },
    async update(secret) {
      const answer = await api.call('PUT', `${collection}/${encodeURIComponent(secret.metadata.name)}`, secret);
      if (answer.status !== 200) fail(`update secret ${namespace}/${secret.metadata.name}`, answer);
    },
    async remove(name) {
      const answer = await api.call('DELETE', `${collection}/${encodeURIComponent(name)}`);
      if (answer.status !== 200 && answer.status !== 202 && answer.status !== 404) fail(`delete secret ${namespace}/${name}`, answer);
    },
  };
}

export interface KeyOptions {
  names: KeySecretNames;
  bits: KeySize;
  /** The public and private keys' PEM field names (kube-gateway's tls.crt and tls.key). */
  publicFile: string;
  privateFile: string;
  now?: () => number;
}

/** One line per thing done or found, for the command to print. */
export type Report = string[];

const ref = (names: KeySecretNames, name: string): string => `${names.namespace}/${name}`;

export async function initKeys(store: KeyStore, options: KeyOptions): Promise<Report> {
  const { names } = options;
  const now = options.now?.() ?? Date.now();
  const [publicSecret, privateSecret] = await Promise.all([store.get(names.publicName), store.get(names.privateName)]);
  if (publicSecret && privateSecret) {
    const signing = importPrivateKey(field(privateSecret, options.privateFile));
    const published = publishedKeys(field(publicSecret, options.publicFile));
    if (!published.some((k) => k.kid === signing.kid)) {
      throw new KeyCommandError(
        `secrets ${ref(names, names.publicName)} and ${ref(names, names.privateName)} exist but do not match: the signing key ${signing.kid} is not published, so the gateway refuses every link; nothing was changed`,
      );
    }
    return [`secrets ${ref(names, names.publicName)} and ${ref(names, names.privateName)} exist (signing key ${signing.kid}); nothing changed`];
  }
  if (publicSecret && !privateSecret) {
    throw new KeyCommandError(
      `secret ${ref(names, names.publicName)} exists without ${ref(names, names.privateName)}; refusing to guess: restore the private key, or delete the public one to start afresh (every link issued so far stops working)`,
    );
  }
  if (privateSecret) {
    const key = await certificateFor(field(privateSecret, options.privateFile), now);
    await store.create(newSecret(names.publicName, { [options.publicFile]: key.certificatePem }));
    return [`secret ${ref(names, names.privateName)} exists; created ${ref(names, names.publicName)} with its certificate (key ${key.kid})`];
  }
  const key = await generateSigningKey(options.bits, now);
  // Public first: a gateway never sees a signing key it cannot check.
  await store.create(newSecret(names.publicName, { [options.publicFile]: key.certificatePem }));
  await store.create(newSecret(names.privateName, { [options.privateFile]: key.privateKeyPem }, { [SIGNING_SINCE]: new Date(now).toISOString() }));
  return [`created ${ref(names, names.publicName)} and ${ref(names, names.privateName)} (RSA ${options.bits}, key ${key.kid})`];
}

async function required(store: KeyStore, names: KeySecretNames, name: string): Promise<Secret> {
  const secret = await store.get(name);
  if (!secret) throw new KeyCommandError(`secret ${ref(names, name)} does not exist; run \`keys init\` first`);
  return secret;
}

export async function publishNextKey(store: KeyStore, options: KeyOptions): Promise<Report> {
  const { names } = options;
  const now = options.now?.() ?? Date.now();
  const publicSecret = await required(store, names, names.publicName);
  await required(store, names, names.privateName);
  if (await store.get(names.stagingName)) {
    throw new KeyCommandError(`a rotation is in progress: ${ref(names, names.stagingName)} exists; run \`keys rotate --activate\`, or delete it to start over`);
  }
  const published = publishedKeys(field(publicSecret, options.publicFile));
  const key = await generateSigningKey(options.bits, now);
  await store.create(newSecret(names.stagingName, { [options.privateFile]: key.privateKeyPem, [options.publicFile]: key.certificatePem }));
  await store.update(withField(publicSecret, options.publicFile, joinPublishedKeys([{ kid: key.kid, pem: key.certificatePem }, ...published])));
  return [
    `staged key ${key.kid} in ${ref(names, names.stagingName)} and published it first in ${ref(names, names.publicName)} (${published.length + 1} public keys)`,
    'next: wait until every gateway replica logged "public keys loaded" with it (a minute is plenty), then run `keys rotate --activate`',
  ];
}

export async function activateNextKey(store: KeyStore, options: KeyOptions): Promise<Report> {
  const { names } = options;
  const now = options.now?.() ?? Date.now();
  const staging = await store.get(names.stagingName);
  if (!staging) throw new KeyCommandError(`nothing to activate: ${ref(names, names.stagingName)} does not exist; run \`keys rotate --publish\` first`);
  const next = importPrivateKey(field(staging, options.privateFile));
  const publicSecret = await required(store, names, names.publicName);
  if (!publishedKeys(field(publicSecret, options.publicFile)).some((k) => k.kid === next.kid)) {
    throw new KeyCommandError(`the staged key ${next.kid} is not in ${ref(names, names.publicName)}; gateways would refuse its links. Run \`keys rotate --publish\` again after deleting ${ref(names, names.stagingName)}`);
  }
  const privateSecret = await required(store, names, names.privateName);
  const previous = importPrivateKey(field(privateSecret, options.privateFile));
  const updated = withField(privateSecret, options.privateFile, field(staging, options.privateFile));
  updated.metadata = { ...updated.metadata, annotations: { ...updated.metadata.annotations, [SIGNING_SINCE]: new Date(now).toISOString() } };
  await store.update(updated);
  await store.remove(names.stagingName);
  return [
    `links are now signed with key ${next.kid} (was ${previous.kid}); ${ref(names, names.stagingName)} removed`,
    'next: once the longest-lived link signed with the old key has expired, run `keys rotate --retire --older-than <its lifetime>`',
  ];
}

export async function retireOldKeys(store: KeyStore, options: KeyOptions & { olderThanMs: number }): Promise<Report> {
  const { names } = options;
  const now = options.now?.() ?? Date.now();
  const publicSecret = await required(store, names, names.publicName);
  const privateSecret = await required(store, names, names.privateName);
  const signing = importPrivateKey(field(privateSecret, options.privateFile));
  const since = Date.parse(privateSecret.metadata.annotations?.[SIGNING_SINCE] ?? '');
  if (Number.isNaN(since)) {
    throw new KeyCommandError(
      `${ref(names, names.privateName)} has no ${SIGNING_SINCE} annotation, so it is unknown when the older keys stopped signing; ` +
        `set it to when this key was put in place: kubectl -n ${names.namespace} annotate secret ${names.privateName} ${SIGNING_SINCE}=<RFC 3339 time>`,
    );
  }
  const staging = await store.get(names.stagingName);
  const keep = new Set([signing.kid, ...(staging ? [importPrivateKey(field(staging, options.privateFile)).kid] : [])]);
  const published = publishedKeys(field(publicSecret, options.publicFile));
  const old = published.filter((k) => !keep.has(k.kid));
  if (old.length === 0) return [`${ref(names, names.publicName)} holds no retired keys; nothing changed`];
  const idleMs = now - since;
  if (idleMs < options.olderThanMs) {
    const left = Math.ceil((options.olderThanMs - idleMs) / 60_000);
    return [`the older key(s) ${old.map((k) => k.kid).join(', ')} stopped signing ${new Date(since).toISOString()}, less than --older-than ago; kept (try again in ${left} min)`];
  }
  await store.update(withField(publicSecret, options.publicFile, joinPublishedKeys(published.filter((k) => keep.has(k.kid)))));
  return [`dropped ${old.length} retired public key(s) from ${ref(names, names.publicName)}: ${old.map((k) => k.kid).join(', ')}; links they signed are refused from now on`];
}
