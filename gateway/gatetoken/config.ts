// `gatepass-gateway gatetoken-controller [flags]`: flags in the gateway's
// style (-flag=v, --flag=v, --flag v), checked up front so a mistake is one
// clear line instead of a controller that misbehaves later.

import { DurationError, parseDuration } from '../../shared/duration.ts';
import { LOG_LEVELS, type LogLevel } from '../config.ts';
import { timingProblem, type ElectionTiming } from './lease.ts';
import type { SecretRef } from './gatetoken.ts';

export class ControllerConfigError extends Error {
  override readonly name = 'ControllerConfigError';
}

export interface ControllerConfig {
  readonly apiServer: URL;
  /** Empty: system CAs. */
  readonly apiServerCaFile: string;
  readonly apiServerBearerTokenFile: string;
  readonly apiServerSkipVerifyTls: boolean;
  /** Where the Lease lives: the controller's own namespace. */
  readonly namespace: string;
  readonly leaseName: string;
  readonly identity: string;
  readonly timing: ElectionTiming;
  readonly maxTokenLifetimeMs: number;
  readonly defaultSecret: SecretRef;
  readonly retryMs: number;
  readonly logLevel: LogLevel;
}

/** What the environment decides when no flag does: the pod's namespace and name. */
export interface Surroundings {
  namespace: string | undefined;
  identity: string;
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

interface Flag {
  name: string;
  boolean?: true;
  default: (s: Surroundings) => string;
  help: string;
}

const fixed = (value: string) => (): string => value;

export const CONTROLLER_FLAGS: readonly Flag[] = [
  { name: 'api-server', default: fixed('https://kubernetes.default.svc'), help: 'the Kubernetes API server' },
  { name: 'api-server-ca-file', default: fixed(`${SA_DIR}/ca.crt`), help: "CA bundle for the API server's certificate; empty: system CAs" },
  { name: 'api-server-bearer-token-file', default: fixed(`${SA_DIR}/token`), help: "the controller's service-account token, re-read when it changes" },
  { name: 'api-server-skip-verify-tls', boolean: true, default: fixed('false'), help: "do not check the API server's certificate (testing only)" },
  { name: 'namespace', default: (s) => s.namespace ?? 'kube-gateway', help: "the controller's namespace, where its Lease lives (default: the pod's)" },
  { name: 'lease-name', default: fixed('gatepass-gatetoken-controller'), help: 'name of the leader-election Lease' },
  { name: 'identity', default: (s) => s.identity, help: 'holder identity in the Lease (default: the pod name, else hostname_pid)' },
  { name: 'leader-elect-lease-duration', default: fixed('15s'), help: 'how long followers wait after the Lease last changed before taking it' },
  { name: 'leader-elect-renew-deadline', default: fixed('10s'), help: 'how long the leader keeps trying to renew before it stops' },
  { name: 'leader-elect-retry-period', default: fixed('2s'), help: 'time between Lease attempts' },
  { name: 'max-token-lifetime', default: fixed('168h'), help: 'longest duration a GateToken may ask for' },
  { name: 'jwt-private-key-name', default: fixed('kube-gateway-jwt-private'), help: 'private key secret when spec.secret-name is empty' },
  { name: 'jwt-private-key-namespace', default: fixed('kube-gateway'), help: 'its namespace when spec.secret-namespace is empty' },
  { name: 'jwt-private-key-filename', default: fixed('tls.key'), help: 'its entry when spec.secret-file is empty' },
  { name: 'retry-interval', default: fixed('30s'), help: 'wait before retrying a GateToken whose key could not be read' },
  { name: 'log-level', default: fixed('info'), help: `one of ${LOG_LEVELS.join(', ')}` },
];

const byName = new Map(CONTROLLER_FLAGS.map((f) => [f.name, f]));
const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

function tokenize(argv: readonly string[]): Map<string, string> | 'help' {
  const given = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    const match = /^--?([^-=][^=]*)(?:=([\s\S]*))?$/.exec(token);
    if (!match) throw new ControllerConfigError(`unexpected argument ${JSON.stringify(token)}; the controller takes flags only (see --help)`);
    const [, name = '', inline] = match;
    if (name === 'help' || name === 'h') return 'help';
    const flag = byName.get(name);
    if (!flag) throw new ControllerConfigError(`unknown flag --${name}; see --help`);
    let value = inline;
    if (value === undefined && flag.boolean) {
      const next = argv[i + 1];
      value = next !== undefined && (TRUE.has(next) || FALSE.has(next)) ? (i++, next) : 'true';
    } else if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new ControllerConfigError(`flag --${name} needs a value`);
    }
    given.set(name, value);
  }
  return given;
}

function duration(name: string, text: string, positive = true): number {
  try {
    const ms = parseDuration(text);
    if (positive && ms <= 0) throw new ControllerConfigError(`--${name} must be longer than 0s`);
    return ms;
  } catch (error) {
    if (error instanceof DurationError) throw new ControllerConfigError(`--${name}: ${error.message}`);
    throw error;
  }
}

export type ControllerCommandLine = { help: true } | { help: false; config: ControllerConfig };

export function parseControllerArgs(argv: readonly string[], surroundings: Surroundings): ControllerCommandLine {
  const given = tokenize(argv);
  if (given === 'help') return { help: true };
  const value = (name: string): string => given.get(name) ?? byName.get(name)!.default(surroundings);
  const text = (name: string): string => {
    const v = value(name);
    if (v === '') throw new ControllerConfigError(`--${name} must not be empty`);
    return v;
  };

  let apiServer: URL;
  try {
    apiServer = new URL(text('api-server'));
  } catch {
    throw new ControllerConfigError(`--api-server ${JSON.stringify(value('api-server'))} is not a URL`);
  }
  if (apiServer.protocol !== 'https:' && apiServer.protocol !== 'http:') throw new ControllerConfigError('--api-server must be an http:// or https:// URL');
  const skip = value('api-server-skip-verify-tls');
  if (!TRUE.has(skip) && !FALSE.has(skip)) throw new ControllerConfigError(`--api-server-skip-verify-tls must be true or false, got ${JSON.stringify(skip)}`);
  const logLevel = value('log-level');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new ControllerConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);

  const timing: ElectionTiming = {
    leaseDurationMs: duration('leader-elect-lease-duration', value('leader-elect-lease-duration')),
    renewDeadlineMs: duration('leader-elect-renew-deadline', value('leader-elect-renew-deadline')),
    retryPeriodMs: duration('leader-elect-retry-period', value('leader-elect-retry-period')),
  };
  const timingError = timingProblem(timing);
  if (timingError !== undefined) throw new ControllerConfigError(`leader election: ${timingError}`);

  return {
    help: false,
    config: {
      apiServer,
      apiServerCaFile: value('api-server-ca-file'),
      apiServerBearerTokenFile: text('api-server-bearer-token-file'),
      apiServerSkipVerifyTls: TRUE.has(skip),
      namespace: text('namespace'),
      leaseName: text('lease-name'),
      identity: text('identity'),
      timing,
      maxTokenLifetimeMs: duration('max-token-lifetime', value('max-token-lifetime')),
      defaultSecret: { name: text('jwt-private-key-name'), namespace: text('jwt-private-key-namespace'), file: text('jwt-private-key-filename') },
      retryMs: duration('retry-interval', value('retry-interval')),
      logLevel: logLevel as LogLevel,
    },
  };
}

export function renderControllerHelp(program = 'gatepass-gateway gatetoken-controller'): string {
  const lines = CONTROLLER_FLAGS.map((f) => {
    const shown = f.default({ namespace: undefined, identity: '<hostname>_<pid>' });
    return `  --${f.name}${f.boolean ? '' : ' value'}\n        ${f.help}${shown ? ` (default ${JSON.stringify(shown)})` : ''}`;
  });
  return `Usage: ${program} [flags]\n\nSigns kubegateway.kubevirt.io/v1beta1 GateTokens with the gateway's key, for URLs in each GateToken's own namespace.\n\n${lines.join('\n')}\n`;
}
