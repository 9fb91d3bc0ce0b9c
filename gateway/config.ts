// The gateway's command line and environment, parsed into a validated Config.
// One table of flags is the source of the parser, the environment names and the
// help text, so they cannot drift apart. Parsing is pure: argv and env come in as
// parameters and no file is read here.
import { DurationError, parseDuration } from '../shared/duration.ts';
import { checkPattern } from '../shared/url-policy.ts';
import { parseCidr, TrustedProxiesError } from './client-address.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

type Kind = 'string' | 'boolean' | 'duration' | 'list';

interface FlagDefinition {
  readonly name: string;
  readonly kind: Kind;
  /** As written on a command line; a list flag has no default. */
  readonly default: string;
  readonly help: string;
}

/** kube-gateway's flags first, with its names and defaults, then Gatepass's own. */
export const FLAGS = [
  { name: 'public-dir', kind: 'string', default: './web/public', help: 'directory of the web app served at the base path' },
  { name: 'base-path', kind: 'string', default: '/', help: 'path prefix the gateway is served under' },
  { name: 'api-path', kind: 'string', default: '/k8s/', help: 'path prefix of the enforcing proxy to the Kubernetes API' },
  { name: 'client-path', kind: 'string', default: '/noVNC/vnc_lite.html', help: 'viewer page that /auth/jwt/set redirects to' },
  { name: 'api-server', kind: 'string', default: 'https://kubernetes.default.svc', help: 'Kubernetes API server URL (http:// or https://)' },
  { name: 'api-server-skip-verify-tls', kind: 'boolean', default: 'false', help: "do not verify the API server's certificate (unsafe)" },
  { name: 'api-server-ca-file', kind: 'string', default: 'ca.crt', help: "CA bundle for the API server's certificate; empty: system CAs" },
  { name: 'api-server-bearer-token-file', kind: 'string', default: 'token', help: 'service-account token file, re-read when it changes' },
  { name: 'gateway-listen', kind: 'string', default: 'https://0.0.0.0:8080', help: 'listen address; http:// serves plain HTTP' },
  { name: 'gateway-cert-file', kind: 'string', default: 'tls.crt', help: 'TLS certificate of the gateway (https:// listen only)' },
  { name: 'gateway-key-file', kind: 'string', default: 'tls.key', help: 'TLS private key of the gateway (https:// listen only)' },
  { name: 'jwt-public-key-name', kind: 'string', default: 'kube-gateway-jwt', help: 'secret holding the token public keys (watched)' },
  { name: 'jwt-public-key-namespace', kind: 'string', default: 'kube-gateway', help: 'namespace of the public key secret' },
  { name: 'jwt-public-key-filename', kind: 'string', default: 'tls.crt', help: 'key in the public key secret: PEM blocks, newest first' },
  { name: 'jwt-request-enable', kind: 'boolean', default: 'false', help: 'serve /auth/jwt/request (signs with the caller\'s own RBAC)' },
  { name: 'jwt-private-key-name', kind: 'string', default: 'kube-gateway-jwt-private', help: 'secret holding the signing key, read with the caller\'s token' },
  { name: 'jwt-private-key-namespace', kind: 'string', default: 'kube-gateway', help: 'namespace of the private key secret' },
  { name: 'jwt-private-key-filename', kind: 'string', default: 'tls.key', help: 'key in the private key secret (PKCS#1 or PKCS#8 PEM)' },
  { name: 'oauth-server-enable', kind: 'boolean', default: 'false', help: 'serve the OAuth2 login flow at /auth/login' },
  { name: 'oauth-server-callback-address', kind: 'string', default: 'https://localhost:8080', help: "the gateway's public base URL for the OAuth2 callback" },
  { name: 'oauth-server-token-url', kind: 'string', default: '', help: 'OAuth2 token endpoint; empty: discovered from the API server' },
  { name: 'oauth-server-auth-url', kind: 'string', default: '', help: 'OAuth2 authorization endpoint; empty: discovered from the API server' },
  { name: 'oauth-server-client-id', kind: 'string', default: 'kube-gateway', help: 'OAuth2 client id' },
  { name: 'oauth-server-client-secret', kind: 'string', default: '', help: 'OAuth2 client secret' },
  { name: 'max-token-lifetime', kind: 'duration', default: '168h', help: 'longest accepted token lifetime (exp - nbf), a Go duration' },
  { name: 'clock-skew', kind: 'duration', default: '30s', help: 'tolerance for nbf and exp against this clock' },
  { name: 'audience', kind: 'list', default: '', help: "this gateway's public URL; a token with aud must match one" },
  { name: 'allowed-url', kind: 'list', default: '', help: 'ceiling of URL patterns any token may reach (+ = one segment); none: no ceiling' },
  { name: 'metrics-listen', kind: 'string', default: '', help: 'http:// address of the Prometheus /metrics port; empty: no metrics port' },
  { name: 'jwt-public-key-file', kind: 'string', default: '', help: 'local public key file (watched) instead of the secret' },
  { name: 'shutdown-grace-period', kind: 'duration', default: '30s', help: 'time in-flight requests get to finish after SIGTERM' },
  { name: 'log-level', kind: 'string', default: 'info', help: `one of ${LOG_LEVELS.join(', ')}` },
  { name: 'client-ca', kind: 'string', default: '', help: 'CA bundle for client certificates (mutual TLS); empty: none asked' },
  { name: 'janitor-enable', kind: 'boolean', default: 'true', help: 'remove use counters and revocation entries of expired links (one replica at a time, Lease gatepass-janitor)' },
  { name: 'janitor-interval', kind: 'duration', default: '5m', help: 'time between two sweeps of the janitor' },
  { name: 'trusted-proxies', kind: 'list', default: '', help: 'CIDR ranges of proxies whose X-Forwarded-For/Forwarded name the client (comma-separated); none: the socket address' },
] as const satisfies readonly FlagDefinition[];

export type FlagName = (typeof FLAGS)[number]['name'];

export interface Config {
  readonly publicDir: string;
  readonly basePath: string;
  readonly apiPath: string;
  readonly clientPath: string;
  readonly apiServer: URL;
  readonly apiServerSkipVerifyTls: boolean;
  /** Empty: trust the system CAs. */
  readonly apiServerCaFile: string;
  readonly apiServerBearerTokenFile: string;
  readonly gatewayListen: URL;
  readonly gatewayCertFile: string;
  readonly gatewayKeyFile: string;
  readonly jwtPublicKeyName: string;
  readonly jwtPublicKeyNamespace: string;
  readonly jwtPublicKeyFilename: string;
  readonly jwtRequestEnable: boolean;
  readonly jwtPrivateKeyName: string;
  readonly jwtPrivateKeyNamespace: string;
  readonly jwtPrivateKeyFilename: string;
  readonly oauthServerEnable: boolean;
  readonly oauthServerCallbackAddress: URL;
  readonly oauthServerTokenUrl: URL | undefined;
  readonly oauthServerAuthUrl: URL | undefined;
  readonly oauthServerClientId: string;
  readonly oauthServerClientSecret: string;
  readonly maxTokenLifetimeMs: number;
  readonly clockSkewMs: number;
  readonly audiences: readonly string[];
  /** Empty: no ceiling (kube-gateway's behaviour). */
  readonly allowedUrls: readonly string[];
  readonly metricsListen: URL | undefined;
  /** Empty: read the public keys from the secret. */
  readonly jwtPublicKeyFile: string;
  readonly shutdownGracePeriodMs: number;
  readonly logLevel: LogLevel;
  /** Empty: no client certificate is asked for. */
  readonly clientCa: string;
  readonly janitorEnable: boolean;
  readonly janitorIntervalMs: number;
  /** CIDR ranges (checked by `parseCidr`); empty: forwarding headers are never believed. */
  readonly trustedProxies: readonly string[];
}

export type CommandLine = { readonly help: true } | { readonly help: false; readonly config: Config };

const byName = new Map<string, FlagDefinition>(FLAGS.map((flag) => [flag.name, flag]));

export function envName(flag: string): string {
  return `GATEPASS_${flag.toUpperCase().replace(/-/g, '_')}`;
}

// Go's strconv.ParseBool, which kube-gateway's flags use.
const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

function isBooleanLiteral(text: string | undefined): text is string {
  return text !== undefined && (TRUE.has(text) || FALSE.has(text));
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function unknownFlag(token: string, name: string): ConfigError {
  const near = FLAGS.map((flag) => flag.name).find((candidate) => editDistance(candidate, name) <= 2);
  const hint = near ? `; did you mean --${near}?` : '; see --help';
  return new ConfigError(`unknown flag ${token.split('=')[0] ?? token}${hint}`);
}

/** The raw values given on the command line, by flag name, in order. */
function tokenize(argv: readonly string[]): Map<string, string[]> | 'help' {
  const given = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    const match = /^--?([^-=][^=]*)(?:=([\s\S]*))?$/.exec(token);
    if (!match) {
      if (token === '--' && i + 1 < argv.length) throw new ConfigError(`unexpected argument ${JSON.stringify(argv[i + 1])}; the gateway takes flags only`);
      if (token === '--') continue;
      if (token.startsWith('-') && token !== '-') throw new ConfigError(`bad flag syntax ${JSON.stringify(token)}; use -flag=value or --flag=value`);
      throw new ConfigError(`unexpected argument ${JSON.stringify(token)}; the gateway takes flags only (see --help)`);
    }
    const [, name = '', inline] = match;
    if (name === 'help' || name === 'h') return 'help';
    const flag = byName.get(name);
    if (!flag) throw unknownFlag(token, name);
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (flag.kind === 'boolean') {
        // Go would take `-flag false` as `-flag` plus a stray argument; as stray
        // arguments are refused here, reading it as the value is unambiguous.
        value = isBooleanLiteral(next) ? next : 'true';
        if (isBooleanLiteral(next)) i++;
      } else if (next === undefined) {
        throw new ConfigError(`flag --${name} needs a value`);
      } else {
        value = next;
        i++;
      }
    }
    given.set(name, [...(given.get(name) ?? []), value]);
  }
  return given;
}

/** Flag values beat the environment, which beats the defaults. */
function resolve(given: Map<string, string[]>, env: Readonly<Record<string, string | undefined>>): Map<string, { values: string[]; from: string }> {
  const resolved = new Map<string, { values: string[]; from: string }>();
  for (const flag of FLAGS) {
    const fromArgv = given.get(flag.name);
    const fromEnv = env[envName(flag.name)];
    if (fromArgv) {
      resolved.set(flag.name, { values: fromArgv, from: `--${flag.name}` });
    } else if (fromEnv !== undefined) {
      // A list in the environment is comma-separated; a URL pattern has no commas.
      const values = flag.kind === 'list' ? fromEnv.split(',').map((v) => v.trim()).filter((v) => v !== '') : [fromEnv];
      resolved.set(flag.name, { values, from: envName(flag.name) });
    } else {
      resolved.set(flag.name, { values: flag.kind === 'list' ? [] : [flag.default], from: `default of --${flag.name}` });
    }
  }
  return resolved;
}

interface UrlRules {
  readonly pathAllowed: boolean;
  readonly schemes: readonly string[];
}

function parseHttpUrl(text: string, from: string, rules: UrlRules): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`${from}: ${JSON.stringify(text)} is not a URL (expected for example ${rules.schemes[0]}//host:port)`);
  }
  if (!rules.schemes.includes(url.protocol)) {
    throw new ConfigError(`${from}: ${JSON.stringify(text)} must start with ${rules.schemes.map((s) => `${s}//`).join(' or ')}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError(`${from}: ${JSON.stringify(text)} must not carry credentials`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new ConfigError(`${from}: ${JSON.stringify(text)} must not have a query or fragment`);
  }
  if (!rules.pathAllowed && url.pathname !== '/') {
    throw new ConfigError(`${from}: ${JSON.stringify(text)} must not have a path`);
  }
  return url;
}

function parseAbsolutePath(text: string, from: string, directory: boolean): string {
  if (!text.startsWith('/') || text.startsWith('//') || /[?#\\\s]/.test(text)) {
    throw new ConfigError(`${from}: ${JSON.stringify(text)} must be an absolute path such as /k8s/, without query, backslash or spaces`);
  }
  return directory && !text.endsWith('/') ? `${text}/` : text;
}

const WEB = ['http:', 'https:'] as const;

/** Reads argv (without node and the script) and the environment into a Config. */
export function parseCommandLine(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): CommandLine {
  const given = tokenize(argv);
  if (given === 'help') return { help: true };
  const resolved = resolve(given, env);

  const entry = (name: FlagName) => resolved.get(name) ?? { values: [], from: name };
  const str = (name: FlagName): string => entry(name).values.at(-1) ?? '';
  const from = (name: FlagName): string => entry(name).from;
  const bool = (name: FlagName): boolean => {
    const text = str(name);
    if (TRUE.has(text)) return true;
    if (FALSE.has(text)) return false;
    throw new ConfigError(`${from(name)}: ${JSON.stringify(text)} is not a boolean (use true or false)`);
  };
  const duration = (name: FlagName): number => {
    try {
      return parseDuration(str(name));
    } catch (error) {
      if (error instanceof DurationError) throw new ConfigError(`${from(name)}: ${error.message}`);
      throw error;
    }
  };
  const url = (name: FlagName, rules: UrlRules): URL => parseHttpUrl(str(name), from(name), rules);
  const optionalUrl = (name: FlagName, rules: UrlRules): URL | undefined => (str(name) === '' ? undefined : url(name, rules));

  const maxTokenLifetimeMs = duration('max-token-lifetime');
  if (maxTokenLifetimeMs <= 0) throw new ConfigError(`${from('max-token-lifetime')}: must be longer than 0s`);

  const logLevel = str('log-level');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`${from('log-level')}: ${JSON.stringify(logLevel)} is not one of ${LOG_LEVELS.join(', ')}`);
  }

  const audiences = entry('audience').values;
  for (const audience of audiences) {
    if (audience === '' || /\s/.test(audience)) {
      throw new ConfigError(`${from('audience')}: ${JSON.stringify(audience)} must be a non-empty value without spaces, such as https://gateway.example.com`);
    }
  }

  const allowedUrls = entry('allowed-url').values;
  for (const pattern of allowedUrls) {
    const problem = checkPattern(pattern, 'ceiling');
    if (problem !== undefined) throw new ConfigError(`${from('allowed-url')}: pattern ${JSON.stringify(pattern)} ${problem}`);
  }

  const metricsListen = optionalUrl('metrics-listen', { pathAllowed: false, schemes: ['http:'] });

  const janitorIntervalMs = duration('janitor-interval');
  if (janitorIntervalMs <= 0) throw new ConfigError(`${from('janitor-interval')}: must be longer than 0s`);
  const trustedProxies = entry('trusted-proxies').values.flatMap((value) => value.split(',')).map((value) => value.trim()).filter((value) => value !== '');
  for (const range of trustedProxies) {
    try {
      parseCidr(range);
    } catch (error) {
      if (error instanceof TrustedProxiesError) throw new ConfigError(`${from('trusted-proxies')}: ${error.message}`);
      throw error;
    }
  }

  return {
    help: false,
    config: {
      publicDir: str('public-dir'),
      basePath: parseAbsolutePath(str('base-path'), from('base-path'), true),
      apiPath: parseAbsolutePath(str('api-path'), from('api-path'), true),
      clientPath: parseAbsolutePath(str('client-path'), from('client-path'), false),
      apiServer: url('api-server', { pathAllowed: true, schemes: WEB }),
      apiServerSkipVerifyTls: bool('api-server-skip-verify-tls'),
      apiServerCaFile: str('api-server-ca-file'),
      apiServerBearerTokenFile: str('api-server-bearer-token-file'),
      gatewayListen: url('gateway-listen', { pathAllowed: false, schemes: WEB }),
      gatewayCertFile: str('gateway-cert-file'),
      gatewayKeyFile: str('gateway-key-file'),
      jwtPublicKeyName: str('jwt-public-key-name'),
      jwtPublicKeyNamespace: str('jwt-public-key-namespace'),
      jwtPublicKeyFilename: str('jwt-public-key-filename'),
      jwtRequestEnable: bool('jwt-request-enable'),
      jwtPrivateKeyName: str('jwt-private-key-name'),
      jwtPrivateKeyNamespace: str('jwt-private-key-namespace'),
      jwtPrivateKeyFilename: str('jwt-private-key-filename'),
      oauthServerEnable: bool('oauth-server-enable'),
      oauthServerCallbackAddress: url('oauth-server-callback-address', { pathAllowed: true, schemes: WEB }),
      oauthServerTokenUrl: optionalUrl('oauth-server-token-url', { pathAllowed: true, schemes: WEB }),
      oauthServerAuthUrl: optionalUrl('oauth-server-auth-url', { pathAllowed: true, schemes: WEB }),
      oauthServerClientId: str('oauth-server-client-id'),
      oauthServerClientSecret: str('oauth-server-client-secret'),
      maxTokenLifetimeMs,
      clockSkewMs: duration('clock-skew'),
      audiences,
      allowedUrls,
      metricsListen,
      jwtPublicKeyFile: str('jwt-public-key-file'),
      shutdownGracePeriodMs: duration('shutdown-grace-period'),
      logLevel: logLevel as LogLevel,
      clientCa: str('client-ca'),
      janitorEnable: bool('janitor-enable'),
      janitorIntervalMs,
      trustedProxies,
    },
  };
}

/** The --help text: every flag, its value kind, default, environment variable and purpose. */
export function renderHelp(program = 'gatepass-gateway'): string {
  const lines = [
    `Usage: ${program} [flags]`,
    '',
    'The enforcing gateway for Gatepass links, a drop-in replacement for kube-gateway.',
    'Flags take one or two dashes: -flag=value, --flag=value, --flag value, -flag value.',
    'Every flag can also be set by its GATEPASS_<FLAG> environment variable (lists:',
    'comma-separated); a flag on the command line wins over the environment.',
    '',
  ];
  for (const flag of FLAGS as readonly FlagDefinition[]) {
    const value = flag.kind === 'boolean' ? '' : ` <${flag.kind === 'list' ? 'value, repeatable' : flag.kind}>`;
    const fallback = flag.kind === 'list' ? 'none' : flag.default === '' ? 'empty' : flag.default;
    lines.push(`  --${flag.name}${value}`);
    lines.push(`      ${flag.help} (default: ${fallback}; env ${envName(flag.name)})`);
  }
  lines.push('  --help', '      print this text and exit');
  return `${lines.join('\n')}\n`;
}
