import { describe, expect, it } from 'vitest';
import { ConfigError, envName, FLAGS, parseCommandLine, renderHelp } from './config.ts';
import type { Config } from './config.ts';

function parse(argv: string[], env: Record<string, string> = {}): Config {
  const result = parseCommandLine(argv, env);
  if (result.help) throw new Error('unexpected help');
  return result.config;
}

function failure(argv: string[], env: Record<string, string> = {}): string {
  try {
    parseCommandLine(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    return message;
  }
  throw new Error(`no ConfigError for ${JSON.stringify(argv)}`);
}

describe('defaults', () => {
  it("keeps kube-gateway's defaults", () => {
    const config = parse([]);
    expect(config).toMatchObject({
      publicDir: './web/public',
      basePath: '/',
      apiPath: '/k8s/',
      clientPath: '/noVNC/vnc_lite.html',
      apiServerSkipVerifyTls: false,
      apiServerCaFile: 'ca.crt',
      apiServerBearerTokenFile: 'token',
      gatewayCertFile: 'tls.crt',
      gatewayKeyFile: 'tls.key',
      jwtPublicKeyName: 'kube-gateway-jwt',
      jwtPublicKeyNamespace: 'kube-gateway',
      jwtPublicKeyFilename: 'tls.crt',
      jwtRequestEnable: false,
      jwtPrivateKeyName: 'kube-gateway-jwt-private',
      jwtPrivateKeyNamespace: 'kube-gateway',
      jwtPrivateKeyFilename: 'tls.key',
      oauthServerEnable: false,
      oauthServerTokenUrl: undefined,
      oauthServerAuthUrl: undefined,
      oauthServerClientId: 'kube-gateway',
      oauthServerClientSecret: '',
    });
    expect(config.apiServer.href).toBe('https://kubernetes.default.svc/');
    expect(config.gatewayListen.href).toBe('https://0.0.0.0:8080/');
    expect(config.oauthServerCallbackAddress.href).toBe('https://localhost:8080/');
  });

  it("has Gatepass's own defaults", () => {
    expect(parse([])).toMatchObject({
      maxTokenLifetimeMs: 168 * 3600_000,
      clockSkewMs: 30_000,
      audiences: [],
      allowedUrls: [],
      metricsListen: undefined,
      jwtPublicKeyFile: '',
      shutdownGracePeriodMs: 30_000,
      logLevel: 'info',
      clientCa: '',
    });
  });

  it('fills every flag of the table', () => {
    const config = parse([]);
    expect(Object.keys(config)).toHaveLength(FLAGS.length);
  });
});

describe('flag forms', () => {
  it.each([
    [['-api-path=/api/']],
    [['--api-path=/api/']],
    [['--api-path', '/api/']],
    [['-api-path', '/api/']],
  ])('reads %j', (argv) => {
    expect(parse(argv).apiPath).toBe('/api/');
  });

  it('keeps everything after the first = as the value, including more = and empty values', () => {
    expect(parse(['--oauth-server-client-secret=a=b=']).oauthServerClientSecret).toBe('a=b=');
    expect(parse(['-api-server-ca-file=']).apiServerCaFile).toBe('');
    expect(parse(['--oauth-server-client-secret', '-starts-with-dash']).oauthServerClientSecret).toBe('-starts-with-dash');
  });

  it('lets the last of a repeated single-value flag win, as Go does', () => {
    expect(parse(['--log-level=debug', '--log-level', 'warn']).logLevel).toBe('warn');
  });

  it('reads booleans bare, with =value and with a following true/false', () => {
    expect(parse(['--jwt-request-enable']).jwtRequestEnable).toBe(true);
    expect(parse(['-jwt-request-enable']).jwtRequestEnable).toBe(true);
    expect(parse(['--jwt-request-enable=true']).jwtRequestEnable).toBe(true);
    expect(parse(['--jwt-request-enable=false']).jwtRequestEnable).toBe(false);
    expect(parse(['-oauth-server-enable=1', '-api-server-skip-verify-tls=T']).oauthServerEnable).toBe(true);
    expect(parse(['--jwt-request-enable', 'false']).jwtRequestEnable).toBe(false);
    const mixed = parse(['--jwt-request-enable', '--oauth-server-enable', 'true', '--log-level', 'debug']);
    expect(mixed).toMatchObject({ jwtRequestEnable: true, oauthServerEnable: true, logLevel: 'debug' });
  });

  it('collects repeatable flags in order', () => {
    const config = parse(['--audience', 'https://a.example', '-audience=https://b.example', '--allowed-url=/apis/+/v1/*', '--allowed-url', '/healthz']);
    expect(config.audiences).toEqual(['https://a.example', 'https://b.example']);
    expect(config.allowedUrls).toEqual(['/apis/+/v1/*', '/healthz']);
  });

  it('parses durations with the shared Go-duration parser', () => {
    const config = parse(['--max-token-lifetime=1h30m', '--clock-skew', '0', '--shutdown-grace-period=500ms']);
    expect(config).toMatchObject({ maxTokenLifetimeMs: 90 * 60_000, clockSkewMs: 0, shutdownGracePeriodMs: 500 });
  });

  it('accepts plain HTTP listen and API server addresses, and a metrics address', () => {
    const config = parse(['--gateway-listen=http://127.0.0.1:0', '--api-server=http://127.0.0.1:6443/prefix', '--metrics-listen=http://0.0.0.0:9090']);
    expect(config.gatewayListen.protocol).toBe('http:');
    expect(config.apiServer.pathname).toBe('/prefix');
    expect(config.metricsListen?.port).toBe('9090');
  });

  it('ends base and API paths with a slash', () => {
    expect(parse(['--api-path=/k8s', '--base-path=/gw']).apiPath).toBe('/k8s/');
    expect(parse(['--base-path=/gw']).basePath).toBe('/gw/');
  });
});

describe('environment', () => {
  it('names variables GATEPASS_<FLAG>', () => {
    expect(envName('api-server-ca-file')).toBe('GATEPASS_API_SERVER_CA_FILE');
  });

  it('reads every kind from the environment', () => {
    const config = parse([], {
      GATEPASS_API_PATH: '/proxy/',
      GATEPASS_JWT_REQUEST_ENABLE: 'true',
      GATEPASS_CLOCK_SKEW: '1m',
      GATEPASS_AUDIENCE: 'https://a.example, https://b.example,',
      GATEPASS_ALLOWED_URL: '/apis/*',
    });
    expect(config).toMatchObject({ apiPath: '/proxy/', jwtRequestEnable: true, clockSkewMs: 60_000 });
    expect(config.audiences).toEqual(['https://a.example', 'https://b.example']);
    expect(config.allowedUrls).toEqual(['/apis/*']);
  });

  it('lets flags win over the environment, also for lists', () => {
    const env = { GATEPASS_API_PATH: '/proxy/', GATEPASS_AUDIENCE: 'https://env.example', GATEPASS_JWT_REQUEST_ENABLE: 'true' };
    const config = parse(['--api-path=/flag/', '--audience=https://flag.example', '--jwt-request-enable=false'], env);
    expect(config).toMatchObject({ apiPath: '/flag/', jwtRequestEnable: false });
    expect(config.audiences).toEqual(['https://flag.example']);
  });

  it('ignores unrelated variables and names the variable in errors', () => {
    expect(parse([], { GATEPASS_UNKNOWN: 'x', HOME: '/root' }).apiPath).toBe('/k8s/');
    expect(failure([], { GATEPASS_CLOCK_SKEW: 'soon' })).toMatch(/^GATEPASS_CLOCK_SKEW: invalid duration "soon"/);
  });
});

describe('errors', () => {
  it('rejects unknown flags, suggesting a near one', () => {
    expect(failure(['--api-sever=https://x'])).toBe('unknown flag --api-sever; did you mean --api-server?');
    expect(failure(['-frobnicate'])).toBe('unknown flag -frobnicate; see --help');
    expect(failure(['---api-path=/x/'])).toBe('bad flag syntax "---api-path=/x/"; use -flag=value or --flag=value');
    expect(failure(['--=x'])).toMatch(/^bad flag syntax/);
  });

  it('rejects a missing value and stray arguments', () => {
    expect(failure(['--api-server'])).toBe('flag --api-server needs a value');
    expect(failure(['--audience'])).toBe('flag --audience needs a value');
    expect(failure(['serve'])).toBe('unexpected argument "serve"; the gateway takes flags only (see --help)');
    expect(failure(['--', 'x'])).toMatch(/^unexpected argument "x"/);
    expect(failure(['-'])).toMatch(/^unexpected argument "-"/);
  });

  it('rejects bad booleans, durations and log levels', () => {
    expect(failure(['--jwt-request-enable=yes'])).toBe('--jwt-request-enable: "yes" is not a boolean (use true or false)');
    expect(failure(['--clock-skew=30'])).toMatch(/^--clock-skew: invalid duration "30": missing unit/);
    expect(failure(['--max-token-lifetime=-1h'])).toMatch(/^--max-token-lifetime: invalid duration "-1h": negative/);
    expect(failure(['--max-token-lifetime=0s'])).toBe('--max-token-lifetime: must be longer than 0s');
    expect(failure(['--log-level=verbose'])).toBe('--log-level: "verbose" is not one of trace, debug, info, warn, error, fatal, silent');
  });

  it('rejects listen and API server addresses that are not http(s) URLs', () => {
    expect(failure(['--gateway-listen=0.0.0.0:8080'])).toMatch(/^--gateway-listen: "0.0.0.0:8080" (is not a URL|must start with http:\/\/ or https:\/\/)/);
    expect(failure(['--gateway-listen=:8080'])).toBe('--gateway-listen: ":8080" is not a URL (expected for example http://host:port)');
    expect(failure(['--api-server=ftp://host'])).toBe('--api-server: "ftp://host" must start with http:// or https://');
    expect(failure(['--api-server=https://user:pw@host'])).toBe('--api-server: "https://user:pw@host" must not carry credentials');
    expect(failure(['--gateway-listen=https://0.0.0.0:8080/sub'])).toBe('--gateway-listen: "https://0.0.0.0:8080/sub" must not have a path');
    expect(failure(['--api-server=https://host/?a=1'])).toBe('--api-server: "https://host/?a=1" must not have a query or fragment');
    expect(failure(['--metrics-listen=https://0.0.0.0:9090'])).toBe('--metrics-listen: "https://0.0.0.0:9090" must start with http://');
    expect(failure(['--oauth-server-token-url=token'])).toMatch(/^--oauth-server-token-url: "token" is not a URL/);
  });

  it('rejects paths that are not absolute', () => {
    expect(failure(['--api-path=k8s/'])).toMatch(/^--api-path: "k8s\/" must be an absolute path/);
    expect(failure(['--client-path=//evil.example/x'])).toMatch(/^--client-path: "\/\/evil.example\/x" must be an absolute path/);
  });

  it('rejects bad audiences and ceiling patterns', () => {
    expect(failure(['--audience='])).toMatch(/^--audience: "" must be a non-empty value/);
    expect(failure(['--allowed-url='])).toBe('--allowed-url: pattern "" is empty');
    expect(failure(['--allowed-url=apis/*'])).toBe('--allowed-url: pattern "apis/*" does not start with "/"');
    expect(failure(['--allowed-url=/a/../b'])).toMatch(/^--allowed-url: pattern "\/a\/..\/b" contains a dot segment/);
    expect(failure(['--allowed-url=/a/b+/c'])).toBe('--allowed-url: pattern "/a/b+/c" has a "+" that is not a whole segment');
  });
});

describe('--trusted-proxies', () => {
  it('is empty by default: forwarding headers are not believed', () => {
    expect(parse([]).trustedProxies).toEqual([]);
  });

  it('takes comma-separated and repeated ranges and single addresses, from flags or the environment', () => {
    expect(parse(['--trusted-proxies', '10.0.0.0/8, 192.168.1.7', '--trusted-proxies=fd00::/8']).trustedProxies).toEqual(['10.0.0.0/8', '192.168.1.7', 'fd00::/8']);
    expect(parse([], { GATEPASS_TRUSTED_PROXIES: '172.16.0.0/12,::1' }).trustedProxies).toEqual(['172.16.0.0/12', '::1']);
  });

  it('rejects what is not an address or range, naming it', () => {
    expect(failure(['--trusted-proxies=10.0.0.0/33'])).toBe('--trusted-proxies: "10.0.0.0/33" has a prefix length outside 0–32');
    expect(failure(['--trusted-proxies=ingress.local'])).toMatch(/^--trusted-proxies: "ingress.local" is not an address or CIDR range/);
    expect(failure([], { GATEPASS_TRUSTED_PROXIES: '10.0.0.0/8/8' })).toMatch(/^GATEPASS_TRUSTED_PROXIES: "10.0.0.0\/8\/8" is not/);
    expect(failure(['--trusted-proxies=fd00::/129'])).toBe('--trusted-proxies: "fd00::/129" has a prefix length outside 0–128');
  });
});

describe('help', () => {
  it('is asked for with -h, -help or --help, wherever it appears', () => {
    expect(parseCommandLine(['--help'], {})).toEqual({ help: true });
    expect(parseCommandLine(['--api-path=/x/', '-h'], {})).toEqual({ help: true });
    expect(parseCommandLine(['-help', '--no-such-flag'], {})).toEqual({ help: true });
  });

  it('lists every flag with its default and environment variable', () => {
    const text = renderHelp();
    for (const flag of FLAGS) {
      const lines = text.split('\n');
      const at = lines.findIndex((line) => line === `  --${flag.name}` || line.startsWith(`  --${flag.name} <`));
      expect(at, flag.name).toBeGreaterThanOrEqual(0);
      const block = lines[at + 1] ?? '';
      const shown = flag.kind === 'list' ? 'none' : flag.default === '' ? 'empty' : flag.default;
      expect(block).toContain(`(default: ${shown}; env ${envName(flag.name)})`);
    }
    expect(text).toContain('(default: 168h; env GATEPASS_MAX_TOKEN_LIFETIME)');
  });
});

describe('the link janitor', () => {
  it('sweeps every 5 minutes by default, and can be slowed down or turned off', () => {
    expect(parse([])).toMatchObject({ janitorEnable: true, janitorIntervalMs: 300_000 });
    expect(parse(['--janitor-enable=false', '--janitor-interval', '1h'])).toMatchObject({ janitorEnable: false, janitorIntervalMs: 3_600_000 });
    expect(parse([], { GATEPASS_JANITOR_ENABLE: 'false' }).janitorEnable).toBe(false);
  });

  it('refuses an interval of nothing', () => {
    expect(failure(['--janitor-interval=0s'])).toBe('--janitor-interval: must be longer than 0s');
  });
});
