// The connection of one kubeconfig context, for operators running `keys` from their
// desktop. Bearer tokens and client certificates only: exec and auth-provider plugins
// belong to kubectl and client libraries the gateway image does not carry.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import type { KubeConnection } from './kube-api.ts';

interface Named<T> {
  name?: string;
  cluster?: T;
  user?: T;
  context?: T;
}

interface Kubeconfig {
  'current-context'?: string;
  contexts?: Named<{ cluster?: string; user?: string }>[];
  clusters?: Named<Record<string, unknown>>[];
  users?: Named<Record<string, unknown>>[];
}

export class KubeconfigError extends Error {
  override readonly name = 'KubeconfigError';
}

function str(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function connectionFromKubeconfig(path: string, contextName?: string): KubeConnection {
  let config: Kubeconfig;
  try {
    config = (parse(readFileSync(path, 'utf8')) ?? {}) as Kubeconfig;
  } catch (err) {
    throw new KubeconfigError(`cannot read kubeconfig ${JSON.stringify(path)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const relative = (file: string): string => resolve(dirname(path), file);
  const data = (record: Record<string, unknown>, key: string): string | undefined => {
    const inline = str(record, `${key}-data`);
    if (inline) return Buffer.from(inline, 'base64').toString('utf8');
    const file = str(record, key);
    return file ? readFileSync(relative(file), 'utf8') : undefined;
  };

  const wanted = contextName ?? config['current-context'];
  if (!wanted) throw new KubeconfigError(`${path}: no current-context; pass --context`);
  const context = config.contexts?.find((c) => c.name === wanted)?.context;
  if (!context) throw new KubeconfigError(`${path}: no context named ${JSON.stringify(wanted)}`);
  const cluster = config.clusters?.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster) throw new KubeconfigError(`${path}: context ${JSON.stringify(wanted)} names cluster ${JSON.stringify(context.cluster)}, which is not defined`);
  const user = config.users?.find((u) => u.name === context.user)?.user ?? {};

  const server = str(cluster, 'server');
  if (!server) throw new KubeconfigError(`${path}: cluster ${JSON.stringify(context.cluster)} has no server`);
  if (user['exec'] !== undefined || user['auth-provider'] !== undefined) {
    throw new KubeconfigError(
      `${path}: user ${JSON.stringify(context.user)} authenticates with an exec or auth-provider plugin, which this command does not run; ` +
        'use --api-server with --api-server-bearer-token-file (a file holding e.g. `oc whoami -t` or `kubectl create token`), or run the key Job',
    );
  }
  const token = str(user, 'token') ?? (str(user, 'tokenFile') ? readFileSync(relative(str(user, 'tokenFile') ?? ''), 'utf8').trim() : undefined);
  const certPem = data(user, 'client-certificate');
  const keyPem = data(user, 'client-key');
  const caPem = data(cluster, 'certificate-authority');
  return {
    server: new URL(server),
    ...(caPem ? { caPem } : {}),
    skipVerifyTls: cluster['insecure-skip-tls-verify'] === true,
    ...(token ? { token: () => token } : {}),
    ...(certPem && keyPem ? { clientCertificate: { certPem, keyPem } } : {}),
  };
}
