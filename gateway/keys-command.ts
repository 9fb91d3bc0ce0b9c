// `gatepass-gateway keys init|rotate`: the key bootstrap that replaces kube-gateway's
// manual openssl steps. It runs in the key Job (the gateway image, service account
// gatepass-keys) or on an operator's desktop with --kubeconfig.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DurationError, parseDuration } from '../shared/duration.ts';
import { KeyError } from '../shared/node/keys.ts';
import { createKubeApi, tokenFromFile, type KubeConnection } from './kube-api.ts';
import { connectionFromKubeconfig, KubeconfigError } from './kubeconfig-connection.ts';
import { KEY_SIZES, type KeySize } from './key-material.ts';
import { activateNextKey, initKeys, KeyCommandError, keyStore, publishNextKey, retireOldKeys, type KeyOptions } from './key-secrets.ts';

export class KeysUsageError extends Error {
  override readonly name = 'KeysUsageError';
}

const VALUE_FLAGS = {
  namespace: 'kube-gateway',
  'public-name': 'kube-gateway-jwt',
  'private-name': 'kube-gateway-jwt-private',
  'staging-name': 'kube-gateway-jwt-next',
  bits: '3072',
  'older-than': '',
  'api-server': '',
  'api-server-ca-file': '',
  'api-server-bearer-token-file': '',
  kubeconfig: '',
  context: '',
} as const;
const BOOLEAN_FLAGS = ['publish', 'activate', 'retire', 'api-server-skip-verify-tls'] as const;

type ValueFlag = keyof typeof VALUE_FLAGS;
type BooleanFlag = (typeof BOOLEAN_FLAGS)[number];

export const KEYS_HELP = `Usage: gatepass-gateway keys <init|rotate> [flags]

  keys init                          create the key secrets when missing; never overwrites
  keys rotate --publish              stage a new key and publish its certificate first in tls.crt
  keys rotate --activate             sign with the staged key (after every gateway loaded it)
  keys rotate --retire --older-than <duration>
                                     drop public keys that stopped signing longer ago than that
                                     (the longest link lifetime, e.g. 168h)

Secrets (in --namespace, default kube-gateway):
  --public-name kube-gateway-jwt            certificate(s), key tls.crt, read by the gateway
  --private-name kube-gateway-jwt-private   signing key, key tls.key (PKCS#1), read by issuers
  --staging-name kube-gateway-jwt-next      the next key during a rotation
  --bits 3072                               RSA key size: ${KEY_SIZES.join(', ')}

Connection (one of):
  --kubeconfig <file> [--context <name>]    token or client-certificate users
  --api-server <url> --api-server-ca-file <file> --api-server-bearer-token-file <file>
                                            as the gateway (in-cluster); --api-server-skip-verify-tls
  (neither: $KUBECONFIG's first file or ~/.kube/config)
`;

export interface KeysCommand {
  action: 'init' | 'publish' | 'activate' | 'retire';
  values: Record<ValueFlag, string>;
  skipVerifyTls: boolean;
}

export function parseKeysCommand(argv: readonly string[]): KeysCommand | 'help' {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === 'help' || sub === '--help' || sub === '-h') return 'help';
  if (sub !== 'init' && sub !== 'rotate') throw new KeysUsageError(`unknown keys command ${JSON.stringify(sub)}; expected init or rotate`);
  const values: Record<ValueFlag, string> = { ...VALUE_FLAGS };
  const booleans = new Set<BooleanFlag>();
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i] ?? '';
    const match = /^--?([a-z-]+)(?:=([\s\S]*))?$/.exec(token);
    if (!match) throw new KeysUsageError(`unexpected argument ${JSON.stringify(token)}`);
    const [, name = '', inline] = match;
    if (name === 'help' || name === 'h') return 'help';
    if ((BOOLEAN_FLAGS as readonly string[]).includes(name)) {
      if (inline !== undefined && inline !== 'true') throw new KeysUsageError(`--${name} takes no value`);
      booleans.add(name as BooleanFlag);
    } else if (name in VALUE_FLAGS) {
      const value = inline ?? rest[++i];
      if (value === undefined) throw new KeysUsageError(`flag --${name} needs a value`);
      values[name as ValueFlag] = value;
    } else {
      throw new KeysUsageError(`unknown flag --${name}; see gatepass-gateway keys --help`);
    }
  }
  const steps = (['publish', 'activate', 'retire'] as const).filter((s) => booleans.has(s));
  if (sub === 'init') {
    if (steps.length > 0) throw new KeysUsageError(`--${steps[0]} belongs to keys rotate`);
    return { action: 'init', values, skipVerifyTls: booleans.has('api-server-skip-verify-tls') };
  }
  const [step, extra] = steps;
  if (!step || extra) throw new KeysUsageError('keys rotate needs exactly one of --publish, --activate, --retire');
  if (step === 'retire' && values['older-than'] === '') throw new KeysUsageError('keys rotate --retire needs --older-than <duration>, the longest lifetime of a link signed with the old key (e.g. 168h)');
  if (step !== 'retire' && values['older-than'] !== '') throw new KeysUsageError('--older-than belongs to keys rotate --retire');
  return { action: step, values, skipVerifyTls: booleans.has('api-server-skip-verify-tls') };
}

function parseBits(text: string): KeySize {
  const bits = Number(text);
  if (!(KEY_SIZES as readonly number[]).includes(bits)) throw new KeysUsageError(`--bits ${JSON.stringify(text)}: expected one of ${KEY_SIZES.join(', ')}`);
  return bits as KeySize;
}

function readFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new KeysUsageError(`cannot read ${what} ${JSON.stringify(path)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

export function connectionFor(command: KeysCommand, env: Readonly<Record<string, string | undefined>>): KubeConnection {
  const v = command.values;
  if (v.kubeconfig !== '' && v['api-server'] !== '') throw new KeysUsageError('pass --kubeconfig or --api-server, not both');
  if (v['api-server'] !== '') {
    let server: URL;
    try {
      server = new URL(v['api-server']);
    } catch {
      throw new KeysUsageError(`--api-server ${JSON.stringify(v['api-server'])} is not a URL`);
    }
    const tokenFile = v['api-server-bearer-token-file'];
    if (tokenFile !== '') readFile(tokenFile, 'the token file');
    return {
      server,
      ...(v['api-server-ca-file'] !== '' ? { caPem: readFile(v['api-server-ca-file'], 'the API server CA file') } : {}),
      skipVerifyTls: command.skipVerifyTls,
      ...(tokenFile !== '' ? { token: tokenFromFile(tokenFile) } : {}),
    };
  }
  const fallback = env['KUBECONFIG']?.split(':').find((p) => p !== '') ?? join(env['HOME'] ?? homedir(), '.kube', 'config');
  const path = v.kubeconfig !== '' ? v.kubeconfig : fallback;
  if (v.kubeconfig === '' && !existsSync(path)) throw new KeysUsageError(`no kubeconfig at ${path}; pass --kubeconfig or --api-server`);
  return connectionFromKubeconfig(path, v.context === '' ? undefined : v.context);
}

export interface KeysIo {
  env: Readonly<Record<string, string | undefined>>;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Runs one keys command; the exit code: 0 done (or nothing to do), 1 failed, 2 usage. */
export async function runKeysCommand(argv: readonly string[], io: KeysIo): Promise<number> {
  let command: KeysCommand | 'help';
  let options: KeyOptions;
  let connection: KubeConnection;
  let olderThanMs = 0;
  try {
    command = parseKeysCommand(argv);
    if (command === 'help') {
      io.stdout.write(KEYS_HELP);
      return 0;
    }
    const v = command.values;
    options = {
      names: { namespace: v.namespace, publicName: v['public-name'], privateName: v['private-name'], stagingName: v['staging-name'] },
      bits: parseBits(v.bits),
      publicFile: 'tls.crt',
      privateFile: 'tls.key',
    };
    if (command.action === 'retire') olderThanMs = parseDuration(v['older-than']);
    connection = connectionFor(command, io.env);
  } catch (err) {
    if (err instanceof KeysUsageError || err instanceof KubeconfigError || err instanceof DurationError) {
      io.stderr.write(`gatepass-gateway keys: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const store = keyStore(createKubeApi(connection), options.names.namespace);
  try {
    const report =
      command.action === 'init' ? await initKeys(store, options)
      : command.action === 'publish' ? await publishNextKey(store, options)
      : command.action === 'activate' ? await activateNextKey(store, options)
      : await retireOldKeys(store, { ...options, olderThanMs });
    for (const line of report) io.stdout.write(`${line}\n`);
    return 0;
  } catch (err) {
    // API refusals, races, unreadable keys and unreachable servers alike: one line, exit 1.
    const known = err instanceof KeyCommandError || err instanceof KeyError;
    io.stderr.write(`gatepass-gateway keys: ${known ? '' : 'failed: '}${(err as Error).message}\n`);
    return 1;
  }
}
